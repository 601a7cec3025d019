import { z } from 'zod';
import { type AgentDefinition, formatAgentList } from '../agents/index.ts';
// Deep imports on purpose: `tools/list` must answer within Codex's start-up window (COMPAT.md), and
// `engine/index.ts` loads the whole engine and the AI SDK. These two modules are the engine's own
// Task schema and description (the same ones subagents see), nothing more.
import { parseTaskInput, taskToolInputSchema } from '../engine/task-input.ts';
import { taskToolDescription } from '../engine/task-tool-description.ts';
import type { TaskInput } from '../engine/types.ts';
import { InvalidTaskInputError } from '../errors/index.ts';

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

/** The tool as an MCP client lists it: the engine's description with this directory's agents. */
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
    );
  }
  return input;
}
