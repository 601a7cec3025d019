import { z } from 'zod';
import { type AgentDefinition, formatAgentList } from '../agents/index.ts';
import { InvalidTaskInputError } from '../errors/index.ts';
import { parseTaskInput, taskToolInputSchema } from './task-input.ts';
import { taskToolDescription } from './task-tool-description.ts';
import type { TaskInput } from './types.ts';

// The Task tool as clients' models see it (MCP `tools/list`, the proxy's injected function tool):
// one definition, so every surface offers the same schema and description. Light on purpose: the
// MCP server imports this module directly (not engine/index.ts, which loads the AI SDK) to answer
// `tools/list` within Codex's start-up window (docs/compatibility.md).

/** Claude Code's tool is `Agent` now, `Task` its accepted alias; we serve `Task` unless told otherwise. */
export type TaskToolName = 'Task' | 'Agent';

export interface TaskToolDefinition {
  name: TaskToolName;
  description: string;
  inputSchema: { type: 'object'; [key: string]: unknown };
}

let jsonSchema: TaskToolDefinition['inputSchema'] | undefined;

/** Claude Code's Task input schema as JSON Schema (what MCP `tools/list` carries), converted once. */
export function taskInputJsonSchema(): TaskToolDefinition['inputSchema'] {
  if (!jsonSchema) {
    const { $schema: _draft, ...schema } = z.toJSONSchema(taskToolInputSchema) as Record<string, unknown>;
    jsonSchema = { ...schema, type: 'object' };
  }
  return jsonSchema;
}

/** The tool as a client lists it: the engine's description with this directory's agents. */
export function taskToolDefinition(
  agents: readonly AgentDefinition[],
  name: TaskToolName,
): TaskToolDefinition {
  return {
    name,
    description: taskToolDescription(formatAgentList(agents)),
    inputSchema: taskInputJsonSchema(),
  };
}

/**
 * Parses a call's arguments as the tool advertises them: Claude Code's fields (messages name each
 * missing or unknown one) and `model` limited to the aliases, so a model cannot pick an arbitrary id.
 * @throws InvalidTaskInputError
 */
export function parseTaskToolInput(args: unknown): TaskInput {
  const input = parseTaskInput(args ?? {});
  const model = taskToolInputSchema.shape.model;
  if (input.model !== undefined && !model.safeParse(input.model).success) {
    const allowed = model.unwrap().options.join(', ');
    throw new InvalidTaskInputError(
      `Invalid Task input: \`model\` must be one of ${allowed} (got '${input.model}')`,
      { fields: ['model'] },
    );
  }
  return input;
}
