import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { AgentRegistry } from '../agents/index.ts';
// Light on purpose (see task-tool.ts): the result text is the engine's, without loading the engine.
import { formatResultForModel } from '../engine/result-text.ts';
import type { TaskInput, TaskResult } from '../engine/types.ts';
import { CodexTaskError, TaskCancelledError } from '../errors/index.ts';
import type { CallMeta } from './call-meta.ts';
import { progressRouterFor } from './progress-router.ts';
import { RESULT_META_KEY } from './result-meta.ts';
import type { TaskRuntime } from './task-runtime.ts';
import { parseTaskToolInput } from './task-tool.ts';

export interface TaskCallContext {
  /** Aborted by an MCP cancel, the client going away, or the server shutting down. */
  signal: AbortSignal;
  meta: CallMeta;
  /** Present when the call carried a progressToken: sends one `notifications/progress`. */
  progress?: (progress: number, message: string) => Promise<void>;
}

/**
 * One `tools/call` of Task: input and agent checked before anything loads, then the task runs
 * through the engine with the caller's correlation, progress and cancellation. Every failure is a
 * tool result with `isError` and the message plus its fix, never a protocol error.
 */
export async function runTaskCall(
  args: unknown,
  ctx: TaskCallContext,
  deps: { agents: AgentRegistry; runtime: () => Promise<TaskRuntime> },
): Promise<CallToolResult> {
  let input: TaskInput;
  try {
    input = parseTaskToolInput(args);
    if (input.subagent_type !== undefined) deps.agents.get(input.subagent_type);
  } catch (error) {
    return errorResult(error);
  }
  if (ctx.signal.aborted)
    return errorResult(new TaskCancelledError('The call was cancelled before it started'));
  let runtime: TaskRuntime;
  try {
    runtime = await deps.runtime();
  } catch (error) {
    return errorResult(error);
  }

  let sent = 0;
  let progressChain = Promise.resolve();
  const report = (message: string) => {
    const send = ctx.progress;
    if (!send) return;
    // In order, and a client that stopped listening never fails the call.
    progressChain = progressChain.then(() => send(++sent, message)).catch(() => {});
  };
  const callerModel = runtime.callerModel(ctx.meta.model);
  const caller = {
    ...(ctx.meta.threadId ? { threadId: ctx.meta.threadId } : {}),
    ...(ctx.meta.callId ? { callId: ctx.meta.callId } : {}),
  };
  const started = runtime.start(input, {
    signal: ctx.signal,
    spawnDepth: 1,
    ...(caller.threadId || caller.callId ? { caller } : {}),
    ...(callerModel ? { callerModel } : {}),
  });
  const unwatch = progressRouterFor(runtime).watch(started.id, report);
  try {
    const result = await started.result;
    await progressChain;
    return taskResult(result);
  } finally {
    unwatch();
  }
}

export function taskResult(result: TaskResult): CallToolResult {
  return {
    content: [{ type: 'text', text: formatResultForModel(result) }],
    ...(result.status === 'completed' ? {} : { isError: true }),
    _meta: {
      [RESULT_META_KEY]: {
        taskId: result.taskId,
        agentType: result.agentType,
        status: result.status,
        resolvedModel: result.resolvedModel,
        totalDurationMs: Math.round(result.totalDurationMs),
        totalToolUseCount: result.totalToolUseCount,
        usage: result.usage,
        ...(result.error ? { error: result.error } : {}),
        ...(result.outputGuard ? { outputGuard: result.outputGuard } : {}),
      },
    },
  };
}

/** A failure before any task ran: the message and its fix, as text the calling model can act on. */
export function errorResult(error: unknown): CallToolResult {
  const text =
    error instanceof CodexTaskError
      ? `${error.message}${error.hint ? `\nHint: ${error.hint}` : ''}`
      : error instanceof Error
        ? error.message
        : String(error);
  return { content: [{ type: 'text', text }], isError: true };
}
