import { z } from 'zod';
// Light on purpose (see task-tool.ts).
import { describeInputIssues } from '../engine/task-input.ts';
import { InvalidTaskInputError } from '../errors/index.ts';

/** A tool as `tools/list` carries it. */
export interface McpToolDefinition {
  name: string;
  description: string;
  inputSchema: { type: 'object'; [key: string]: unknown };
  annotations?: { title?: string; readOnlyHint?: boolean; idempotentHint?: boolean };
}

/**
 * A tool of this server from its zod schema: the definition `tools/list` carries (the JSON Schema
 * converted once, at the first listing) and the parser for its calls' arguments.
 */
export function defineTool<T extends z.ZodType>(spec: {
  name: string;
  description: string;
  schema: T;
  /** The arguments' shape as the fix for bad ones, e.g. `{ to: string, message: string }`. */
  shape: string;
  annotations?: McpToolDefinition['annotations'];
}): { definition(): McpToolDefinition; parse(args: unknown): z.infer<T> } {
  let definition: McpToolDefinition | undefined;
  return {
    definition: () => {
      if (!definition) {
        const { $schema: _draft, ...json } = z.toJSONSchema(spec.schema) as Record<string, unknown>;
        definition = {
          name: spec.name,
          description: spec.description,
          inputSchema: { ...json, type: 'object' },
          ...(spec.annotations ? { annotations: spec.annotations } : {}),
        };
      }
      return definition;
    },
    parse: (args) => parseToolArgs(spec.schema, args, spec.name, spec.shape),
  };
}

/**
 * Parses a tool call's arguments once, at the edge, naming every missing, wrong or unknown field
 * in one message, with the tool's shape as the fix.
 * @throws InvalidTaskInputError
 */
function parseToolArgs<T extends z.ZodType>(
  schema: T,
  args: unknown,
  tool: string,
  shape: string,
): z.infer<T> {
  const parsed = schema.safeParse(args ?? {});
  if (parsed.success) return parsed.data;
  const { problems, fields } = describeInputIssues(parsed.error);
  throw new InvalidTaskInputError(`Invalid ${tool} input: ${problems.join('; ')}`, {
    fields,
    hint: `${tool} takes ${shape}.`,
  });
}
