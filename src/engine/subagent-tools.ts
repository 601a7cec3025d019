import { type Tool, type ToolSet, tool } from 'ai';
import { CodexTaskError } from '../errors/index.ts';
import type { ToolContext, ToolSpec } from '../tools/index.ts';

export interface ToolCallHooks {
  onStart(name: string): void;
  onEnd(name: string, durationMs: number, failed: boolean): void;
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
      inputSchema: spec.inputSchema,
      execute: (input: unknown) => observed(spec.name, hooks, () => spec.execute(input, ctx)),
    });
  }
  return Object.assign(set, extra);
}

/** Runs one tool call with its hooks; errors reach the model as text it can act on (message + hint). */
export async function observed<T>(name: string, hooks: ToolCallHooks, run: () => Promise<T>): Promise<T> {
  hooks.onStart(name);
  const started = performance.now();
  let failed = false;
  try {
    return await run();
  } catch (error) {
    failed = true;
    throw forModel(error);
  } finally {
    hooks.onEnd(name, performance.now() - started, failed);
  }
}

function forModel(error: unknown): unknown {
  if (error instanceof CodexTaskError && error.hint) {
    return new Error(`${error.message}\nHint: ${error.hint}`, { cause: error });
  }
  return error;
}
