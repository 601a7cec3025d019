import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { AgentRegistry } from '../agents/index.ts';
// Light on purpose (see task-tool.ts): the result text is the engine's, without loading the engine.
import { formatLaunchForModel, formatResultForModel, type ResultForModel } from '../engine/result-text.ts';
import type { TaskInput, TaskOptions, TaskResult } from '../engine/types.ts';
import { CodexTaskError, TaskCancelledError } from '../errors/index.ts';
import type { TaskRecord } from '../store/index.ts';
// Light on purpose: the record's text without loading SQLite.
import { resultOfRecord } from '../store/record-result.ts';
import type { CallMeta } from './call-meta.ts';
import { launchedTasksFor } from './launched-tasks.ts';
import { progressRouterFor } from './progress-router.ts';
import { RESULT_META_KEY } from './result-meta.ts';
import type { TaskRuntime } from './task-runtime.ts';
import { backgroundOutputWhere } from './task-tool.description.ts';
import { parseTaskToolInput } from './task-tool.ts';

export interface TaskCallContext {
  /**
   * Aborted by an MCP cancel, the client going away, or the server shutting down. A background
   * task does not hear it: only the server shutting down (the engine closing) stops one.
   */
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
  let runtime: TaskRuntime;
  try {
    [input, runtime] = await prepareCall(
      () => {
        const parsed = parseTaskToolInput(args);
        if (parsed.subagent_type !== undefined) deps.agents.get(parsed.subagent_type);
        return parsed;
      },
      ctx.signal,
      deps.runtime,
    );
  } catch (error) {
    return errorResult(error);
  }
  const callerModel = runtime.callerModel(ctx.meta.model);
  const options: TaskOptions = {
    signal: ctx.signal,
    spawnDepth: 1,
    ...callerOf(ctx.meta),
    ...(callerModel ? { callerModel } : {}),
  };
  if (input.run_in_background) return launch(runtime, input, options);
  return runWithProgress(runtime, () => runtime.start(input, options), ctx);
}

/**
 * What every tool call does before it runs, in this order: its arguments parsed (the Task's agent
 * checked too), so bad input is refused before the engine loads; not cancelled already; the runtime
 * loaded. Throws what the call answers with.
 */
export async function prepareCall<T>(
  parse: () => T,
  signal: AbortSignal,
  runtime: () => Promise<TaskRuntime>,
): Promise<[T, TaskRuntime]> {
  const input = parse();
  if (signal.aborted) throw new TaskCancelledError('The call was cancelled before it started');
  return [input, await runtime()];
}

/** The caller's correlation ids as task options (never a parent task id, docs/architecture.md). */
export function callerOf(meta: CallMeta): Pick<TaskOptions, 'caller'> {
  const caller = {
    ...(meta.threadId ? { threadId: meta.threadId } : {}),
    ...(meta.callId ? { callId: meta.callId } : {}),
  };
  return caller.threadId || caller.callId ? { caller } : {};
}

/** Starts a task and answers with its result, sending its (and its subagents') progress meanwhile. */
export async function runWithProgress(
  runtime: TaskRuntime,
  start: () => ReturnType<TaskRuntime['start']>,
  ctx: Pick<TaskCallContext, 'progress'>,
): Promise<CallToolResult> {
  let sent = 0;
  let progressChain = Promise.resolve();
  const report = (message: string) => {
    const send = ctx.progress;
    if (!send) return;
    // In order, and a client that stopped listening never fails the call.
    progressChain = progressChain.then(() => send(++sent, message)).catch(() => {});
  };
  const started = start();
  const unwatch = progressRouterFor(runtime).watch(started.id, report);
  try {
    const result = await started.result;
    await progressChain;
    return taskResult(result);
  } finally {
    unwatch();
  }
}

/**
 * A Task with `run_in_background`: answered at once with the agentId and where its result will be.
 * Input refused at once (a background limit, a budget) has ended before `start()` returns —
 * `task.finished` was emitted instead of `task.queued` (docs/architecture.md) — and is the answer.
 */
async function launch(runtime: TaskRuntime, input: TaskInput, options: TaskOptions): Promise<CallToolResult> {
  const endedAtOnce = new Set<string>();
  const onFinished = (e: { taskId: string }) => endedAtOnce.add(e.taskId);
  runtime.events.on('task.finished', onFinished);
  let handle: ReturnType<TaskRuntime['start']>;
  try {
    handle = runtime.start(input, options);
  } finally {
    runtime.events.off('task.finished', onFinished);
  }
  if (endedAtOnce.has(handle.id)) return taskResult(await handle.result);
  launchedTasksFor(runtime).add(handle, input);
  return {
    content: [{ type: 'text', text: formatLaunchForModel(handle.id, backgroundOutputWhere(handle.id)) }],
    _meta: {
      [RESULT_META_KEY]: {
        taskId: handle.id,
        agentType: input.subagent_type ?? 'general-purpose',
        status: 'running',
        background: true,
      },
    },
  };
}

export function taskResult(result: TaskResult): CallToolResult {
  return toolResult(result, result.status, result.outputGuard ? { outputGuard: result.outputGuard } : {});
}

/**
 * A task's run record as the model reads a live result: a task that finished before a restart, or
 * whose result was read already. One that was interrupted (its process died) reads as failed.
 */
export function recordResult(r: TaskRecord): CallToolResult {
  return toolResult(resultOfRecord(r), r.status);
}

/** The model's text, and the same facts as `_meta` for clients that want more than text. */
function toolResult(result: ResultForModel, status: string, more: object = {}): CallToolResult {
  return {
    content: [{ type: 'text', text: formatResultForModel(result) }],
    ...(result.status === 'completed' ? {} : { isError: true }),
    _meta: {
      [RESULT_META_KEY]: {
        taskId: result.agentId,
        agentType: result.agentType,
        status,
        resolvedModel: result.resolvedModel,
        totalDurationMs: Math.round(result.totalDurationMs),
        totalToolUseCount: result.totalToolUseCount,
        usage: result.usage,
        ...(result.error ? { error: result.error } : {}),
        ...more,
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
