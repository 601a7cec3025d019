import { jsonSchema, type Schema, type Tool, type ToolSet, tool, zodSchema } from 'ai';
import type { z } from 'zod';
import { CodexTaskError, ToolDeniedError } from '../errors/index.ts';
import type { ToolContext, ToolSpec } from '../tools/index.ts';
import type { PolicyDecision } from '../tools/policy/index.ts';
import type { ProvidedToolSpec } from './types.ts';

export interface ToolCallInfo {
  callId: string;
  name: string;
  input: unknown;
  /** The permission policy's decision on this call (absent when no policy is in force). */
  policy?: PolicyDecision;
}

export interface ToolCallOutcome {
  durationMs: number;
  output?: string;
  error?: string;
  /** The runtime refused the call (e.g. a path outside the workspace, an agent type not allowed). */
  denied?: boolean;
  /** Refused by the permission policy before it started (no onStart was called). */
  refused?: boolean;
}

export interface ToolCallHooks {
  onStart(call: ToolCallInfo): void;
  onEnd(call: ToolCallInfo, outcome: ToolCallOutcome): void;
  /** The permission policy: asked before every call of every tool (built-in, MCP, Task). */
  guard?(call: ToolCallInfo): Promise<PolicyDecision>;
}

/**
 * The tools one subagent is offered: exactly its effective tools, nothing else. A call to any other
 * name never reaches an `execute` (the AI SDK answers it with a no-such-tool error the model sees).
 */
export function buildToolSet(
  specs: readonly ToolSpec[],
  ctx: ToolContext,
  hooks: ToolCallHooks,
  extra: Record<string, Tool> = {},
): ToolSet {
  const set: ToolSet = {};
  for (const spec of specs) {
    set[spec.name] = tool({
      description: spec.description,
      inputSchema: schemaOf(spec.inputSchema),
      execute: (input: unknown, { toolCallId }) =>
        observed({ callId: toolCallId, name: spec.name, input }, hooks, () => spec.execute(input, ctx)),
    });
  }
  return Object.assign(set, extra);
}

// The AI SDK converts a zod schema to JSON Schema on every call unless it is given a Schema object,
// which caches its conversion: one per tool for the process, not one per tool per subagent turn.
const schemas = new WeakMap<z.ZodType, Schema>();

export function schemaOf<T>(zod: z.ZodType<T>): Schema<T> {
  let schema = schemas.get(zod);
  if (!schema) {
    schema = zodSchema(zod);
    schemas.set(zod, schema);
  }
  return schema as Schema<T>;
}

/** Runs one tool call with its hooks; errors reach the model as text it can act on (message + hint). */
export async function observed(
  asked: ToolCallInfo,
  hooks: ToolCallHooks,
  run: () => Promise<string>,
): Promise<string> {
  let call = asked;
  if (hooks.guard) {
    const policy = await hooks.guard(call);
    call = { ...call, policy };
    if (policy.decision === 'denied') {
      const refusal = { tool: call.name, rule: policy.rule, source: policy.source };
      const forModel = toModelError(new ToolDeniedError(policy.reason, policy.hint, refusal));
      hooks.onEnd(call, { durationMs: 0, error: forModel.message, denied: true, refused: true });
      throw forModel;
    }
  }
  hooks.onStart(call);
  const started = performance.now();
  try {
    const output = await run();
    hooks.onEnd(call, { durationMs: performance.now() - started, output });
    return output;
  } catch (error) {
    const forModel = toModelError(error);
    hooks.onEnd(call, {
      durationMs: performance.now() - started,
      error: forModel.message,
      ...(error instanceof ToolDeniedError ? { denied: true } : {}),
    });
    throw forModel;
  }
}

function toModelError(error: unknown): Error {
  if (error instanceof CodexTaskError && error.hint) {
    return new Error(`${error.message}\nHint: ${error.hint}`, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** A provider's tool (an MCP server's) as the AI SDK runs it, observed like a built-in. */
export function providedTool(
  name: string,
  spec: ProvidedToolSpec,
  hooks: ToolCallHooks,
  signal: AbortSignal,
): Tool {
  return tool({
    description: spec.description,
    inputSchema: jsonSchema(spec.inputSchema),
    execute: (input: unknown, { toolCallId, abortSignal }) =>
      observed({ callId: toolCallId, name, input }, hooks, () =>
        spec.execute(input, { signal: abortSignal ?? signal }),
      ),
  });
}
