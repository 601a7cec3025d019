import {
  formatResultForModel,
  parseTaskToolInput,
  type ResultForModel,
  type TaskEvents,
  type TaskInput,
} from '../engine/index.ts';
import { CodexTaskError } from '../errors/index.ts';
import type { RunStore, TaskRecord } from '../store/index.ts';
import { type ProxyRuntime, UPSTREAM_PROVIDER } from './proxy-runtime.ts';
import { withCredentials } from './upstream-credentials.ts';

/** Who asked: the parent Codex request. */
export interface CallerContext {
  /** The parent request's Authorization header (subagents on the upstream use it). */
  authorization: string | undefined;
  /** The parent request's model: what `inherit` means. */
  model: string | undefined;
  /** Codex's thread id (its `session-id`/`thread-id` header): the parent of the run records. */
  threadId: string | undefined;
  /** Cancels the subagent (the client went away before the response that called it was complete). */
  signal: AbortSignal;
}

export interface TaskCall {
  callId: string;
  /** The function call's `arguments` (a JSON string). */
  arguments: unknown;
}

/** A Task call this process started (or answered at once, when its input was invalid). */
export interface RunningCall {
  callId: string;
  label: string;
  taskId: string | undefined;
  /** The text the model gets as the call's output. */
  text: Promise<string>;
  settled: boolean;
}

const MEMORY_LIMIT = 5_000;

/**
 * The proxy's Task calls by Codex `call_id`: each is started once (as soon as its call item is
 * complete), runs on the engine (its concurrency limit, budgets, records), and its output text is
 * asked for when Codex sends the call's output back. The text comes from memory while this process
 * knows the call, else from the run records (a restart in between), else — the call never started
 * here — the task is run then.
 */
export class TaskCalls {
  readonly #runtime: ProxyRuntime;
  readonly #store: RunStore | undefined;
  readonly #calls = new Map<string, RunningCall>();
  readonly #byTask = new Map<string, string>();
  readonly #watchers = new Map<string, Set<(line: string) => void>>();
  readonly #detach: () => void;

  constructor(runtime: ProxyRuntime) {
    this.#runtime = runtime;
    this.#store = runtime.observability.store;
    const events = runtime.engine.events;
    const onStarted = (e: TaskEvents['task.started'][0]) =>
      this.#say(e.taskId, `started on ${e.resolvedModel}`);
    const onFinished = (e: TaskEvents['task.finished'][0]) => {
      const r = e.result;
      this.#say(
        e.taskId,
        `${r.status} in ${(r.totalDurationMs / 1000).toFixed(1)} s (${r.totalToolUseCount} tool uses)`,
      );
      this.#byTask.delete(e.taskId);
    };
    events.on('task.started', onStarted);
    events.on('task.finished', onFinished);
    this.#detach = () => {
      events.off('task.started', onStarted);
      events.off('task.finished', onFinished);
    };
  }

  /** Starts the call's subagent unless this call id is already known. */
  start(call: TaskCall, caller: CallerContext): RunningCall {
    const known = this.#calls.get(call.callId);
    if (known) return known;
    let input: TaskInput;
    try {
      input = parseTaskToolInput(parseArguments(call.arguments));
    } catch (error) {
      return this.#remember(call.callId, 'Task', undefined, Promise.resolve(errorText(error)));
    }
    const label = `${input.description} (${input.subagent_type ?? 'general-purpose'})`;
    const started = withCredentials(caller.authorization, () =>
      this.#runtime.start(
        input,
        {
          signal: caller.signal,
          spawnDepth: 1,
          ...(caller.model ? { callerModel: `${UPSTREAM_PROVIDER}:${caller.model}` } : {}),
          ...(caller.threadId ? { parentTaskId: caller.threadId } : {}),
        },
        { callId: call.callId },
      ),
    );
    this.#byTask.set(started.taskId, call.callId);
    return this.#remember(
      call.callId,
      label,
      started.taskId,
      started.result.then(formatResultForModel, errorText),
    );
  }

  /** The output text for a call Codex answered itself ("unsupported call"): see the class comment. */
  async resultText(call: TaskCall, caller: CallerContext): Promise<string> {
    const known = this.#calls.get(call.callId);
    if (known) return known.text;
    const record = this.#record(call.callId, caller.threadId);
    if (record) return recordText(record);
    return this.start(call, caller).text;
  }

  /** Whether the call's text is ready without waiting (memory, or the run records). */
  ready(callId: string, threadId: string | undefined): boolean {
    const known = this.#calls.get(callId);
    if (known) return known.settled;
    return this.#record(callId, threadId) !== undefined;
  }

  /** Progress lines (`<label>: started on …`, `…: completed in 1.2 s`) of these calls' subagents. */
  watch(callIds: readonly string[], listener: (line: string) => void): () => void {
    for (const id of callIds) {
      const set = this.#watchers.get(id) ?? new Set();
      set.add(listener);
      this.#watchers.set(id, set);
    }
    return () => {
      for (const id of callIds) {
        const set = this.#watchers.get(id);
        set?.delete(listener);
        if (set?.size === 0) this.#watchers.delete(id);
      }
    };
  }

  close(): void {
    this.#detach();
  }

  #say(taskId: string, what: string): void {
    const callId = this.#byTask.get(taskId);
    if (!callId) return;
    const line = `${this.#calls.get(callId)?.label ?? 'Task'}: ${what}`;
    for (const listener of this.#watchers.get(callId) ?? []) listener(line);
  }

  #remember(callId: string, label: string, taskId: string | undefined, text: Promise<string>): RunningCall {
    const running: RunningCall = { callId, label, taskId, text, settled: false };
    void text.finally(() => {
      running.settled = true;
    });
    this.#calls.set(callId, running);
    // Bounded: the oldest settled calls go first; the run records still have them.
    if (this.#calls.size > MEMORY_LIMIT) {
      for (const [id, r] of this.#calls) {
        if (this.#calls.size <= MEMORY_LIMIT) break;
        if (r.settled) this.#calls.delete(id);
      }
    }
    return running;
  }

  #record(callId: string, threadId: string | undefined): TaskRecord | undefined {
    if (!this.#store) return undefined;
    const [record] = this.#store.list({
      parentCallId: callId,
      ...(threadId ? { parentId: threadId } : {}),
      limit: 1,
    });
    return record && record.status !== 'queued' && record.status !== 'running' ? record : undefined;
  }
}

function parseArguments(args: unknown): unknown {
  if (typeof args !== 'string') return args ?? {};
  try {
    return JSON.parse(args);
  } catch (error) {
    throw new CodexTaskError(
      'InvalidTaskInput',
      `Invalid Task input: the arguments are not JSON (${(error as Error).message})`,
      'Call Task with a JSON object: { "description", "prompt", "subagent_type"? }.',
    );
  }
}

function errorText(error: unknown): string {
  if (error instanceof CodexTaskError) return `${error.message}${error.hint ? `\nHint: ${error.hint}` : ''}`;
  return error instanceof Error ? error.message : String(error);
}

/** A finished record as the model reads a live result (an interrupted one reads as failed). */
export function recordText(r: TaskRecord): string {
  const result: ResultForModel = {
    agentId: r.id,
    agentType: r.agentType,
    resolvedModel: r.resolvedModel ?? null,
    usage: r.usage,
    totalToolUseCount: r.toolUses,
    totalDurationMs: r.durationMs ?? 0,
    status:
      r.status === 'interrupted' || r.status === 'queued' || r.status === 'running' ? 'failed' : r.status,
    content: r.content ?? '',
    ...(r.partialContent ? { partialContent: r.partialContent } : {}),
    ...(r.error ? { error: r.error } : {}),
  };
  return formatResultForModel(result);
}
