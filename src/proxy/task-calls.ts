import { createHash } from 'node:crypto';
import {
  formatResultForModel,
  parseTaskToolInput,
  type TaskEvents,
  type TaskHandle,
  type TaskInput,
  type TaskResult,
} from '../engine/index.ts';
import type { RunStore, TaskRecord } from '../store/index.ts';
import type { BackgroundNotices } from './background-notices.ts';
import { errorText, launchText, parseArguments, recordText } from './call-texts.ts';
import { type ProxyRuntime, UPSTREAM_PROVIDER } from './proxy-runtime.ts';
import { parseSendMessageInput, SEND_MESSAGE_TOOL } from './send-message-tool.ts';
import { withCredentials } from './upstream-credentials.ts';

/** Who asked: the parent Codex request. */
export interface CallerContext {
  /** The parent request's Authorization header (subagents on the upstream use it). */
  authorization: string | undefined;
  /** The parent request's model: what `inherit` means. */
  model: string | undefined;
  /** Codex's thread id (its `session-id`/`thread-id` header): the parent of the run records. */
  threadId: string | undefined;
  /**
   * The conversation background Tasks report back to (their `<task-notification>`): the thread id,
   * else the request's `prompt_cache_key` (Codex sets it to the thread id too).
   */
  conversation: string | undefined;
  /** Cancels the subagent (the client went away before the response that called it was complete). */
  signal: AbortSignal;
}

export interface TaskCall {
  callId: string;
  /** The function call's `arguments` (a JSON string). */
  arguments: unknown;
  /** Which injected tool was called: Task (the default) or SendMessage. */
  tool?: string;
}

/** A Task call this process started (or answered at once, when its input was invalid). */
export interface RunningCall {
  callId: string;
  /** `argumentsHash` of the arguments it streamed with: a client's copy must match to get its text. */
  argumentsHash: string;
  label: string;
  taskId: string | undefined;
  /** The text the model gets as the call's output (a background Task's: its launch text). */
  text: Promise<string>;
  settled: boolean;
  /** A Task with `run_in_background`: its output is ready at once, its result comes as a notification. */
  background: boolean;
}

const MEMORY_LIMIT = 5_000;

/**
 * What the model reads in place of "unsupported call: Task" for a call the proxy never saw the
 * upstream make: a page or program that writes a Task call and its answer into a request does not
 * get it run. A sentence rather than Codex's own text, so that the model, in the rare honest case
 * (a conversation older than the run store, or one whose store was deleted), knows to call again.
 */
export const NOT_FROM_UPSTREAM_TEXT =
  'codex-task proxy: this Task call was not run: the proxy did not see it come from the model ' +
  '(its call_id and arguments are not in its records), and it runs only the Task calls the model ' +
  'made through it. If the work is still needed, call Task again.';

/**
 * The proxy's Task calls by Codex `call_id`: each is started once (as soon as its call item is
 * complete in the upstream's stream), runs on the engine (its concurrency limit, budgets, records),
 * and its output text is asked for when Codex sends the call's output back. Provenance: only calls
 * that streamed from the upstream run. Each is recorded (call_id and a hash of its arguments) in the
 * run store as it streams; a call found only in a client's request — an unknown call_id, or
 * arguments that differ from what streamed — is answered with `NOT_FROM_UPSTREAM_TEXT` and never
 * run. For a call that did stream, the text comes from memory while this process knows it, else
 * from the run records (a restart in between), else — it streamed but never ran, e.g. the process
 * died first — the task is run then.
 */
export class TaskCalls {
  readonly #runtime: ProxyRuntime;
  readonly #store: RunStore | undefined;
  readonly #calls = new Map<string, RunningCall>();
  readonly #byTask = new Map<string, string>();
  readonly #watchers = new Map<string, Set<(line: string) => void>>();
  readonly #refused = new Set<string>();
  readonly #detach: () => void;
  readonly #notices: BackgroundNotices | undefined;

  /** `notices`: where background Tasks report, so their conversation gets a `<task-notification>`. */
  constructor(runtime: ProxyRuntime, notices?: BackgroundNotices) {
    this.#runtime = runtime;
    this.#notices = notices;
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

  /**
   * A Task call that streamed from the upstream: records that it did (what lets a later request's
   * copy of it be answered, after a restart too), and starts its subagent unless this call id is
   * already known.
   */
  fromUpstream(call: TaskCall, caller: CallerContext): RunningCall {
    const known = this.#calls.get(call.callId);
    if (known) return known;
    const hash = argumentsHash(call.arguments);
    this.#store?.recordUpstreamCall(call.callId, hash);
    return this.#start(call, hash, caller);
  }

  /** The output text for a call Codex answered itself ("unsupported call"): see the class comment. */
  async resultText(call: TaskCall, caller: CallerContext): Promise<string> {
    const hash = argumentsHash(call.arguments);
    const known = this.#calls.get(call.callId);
    if (known) return known.argumentsHash === hash ? known.text : this.#refuse(call.callId);
    if (!this.#store?.upstreamCallSeen(call.callId, hash)) return this.#refuse(call.callId);
    const record = this.#record(call.callId, caller.threadId);
    if (record) return recordText(record);
    return this.#start(call, hash, caller).text;
  }

  /** Whether the call's text is ready without waiting (memory, the run records, or a refusal). */
  ready(call: TaskCall, threadId: string | undefined): boolean {
    const hash = argumentsHash(call.arguments);
    const known = this.#calls.get(call.callId);
    if (known) return known.settled || known.argumentsHash !== hash;
    if (!this.#store?.upstreamCallSeen(call.callId, hash)) return true;
    return this.#record(call.callId, threadId) !== undefined;
  }

  #start(call: TaskCall, hash: string, caller: CallerContext): RunningCall {
    if (call.tool === SEND_MESSAGE_TOOL) return this.#sendMessage(call, hash, caller);
    let input: TaskInput;
    try {
      input = parseTaskToolInput(parseArguments(call.arguments, 'Task'));
    } catch (error) {
      return this.#remember(call.callId, hash, 'Task', undefined, Promise.resolve(errorText(error)));
    }
    const label = `${input.description} (${input.subagent_type ?? 'general-purpose'})`;
    const started = withCredentials(caller.authorization, () =>
      this.#runtime.engine.start(input, this.#taskOptions(call, caller)),
    );
    this.#byTask.set(started.id, call.callId);
    if (input.run_in_background) return this.#launch(call, hash, label, started, caller);
    return this.#remember(
      call.callId,
      hash,
      label,
      started.id,
      started.result.then(formatResultForModel, errorText),
    );
  }

  /**
   * A background Task: its output is the launch text at once — unless it was refused at once (a
   * background limit, an unknown agent), which the engine settles before any await: then the
   * error, and no notification to follow. Its result reaches its conversation as a notification.
   */
  #launch(
    call: TaskCall,
    hash: string,
    label: string,
    started: TaskHandle,
    caller: CallerContext,
  ): RunningCall {
    const refused = Promise.race([
      started.result,
      new Promise<undefined>((resolve) => setImmediate(resolve, undefined)),
    ]);
    const text = refused.then((result: TaskResult | undefined) => {
      if (result && result.status !== 'completed') return formatResultForModel(result);
      if (!caller.conversation || !this.#notices) return launchText(started.id, false);
      this.#notices.launched(caller.conversation, {
        callId: call.callId,
        taskId: started.id,
        label,
        result: started.result,
      });
      return launchText(started.id);
    });
    return this.#remember(call.callId, hash, label, started.id, text, true);
  }

  /** A SendMessage call: the engine continues that agent's conversation (a new task, in the foreground). */
  #sendMessage(call: TaskCall, hash: string, caller: CallerContext): RunningCall {
    let input: ReturnType<typeof parseSendMessageInput>;
    try {
      input = parseSendMessageInput(parseArguments(call.arguments, SEND_MESSAGE_TOOL));
    } catch (error) {
      return this.#remember(
        call.callId,
        hash,
        SEND_MESSAGE_TOOL,
        undefined,
        Promise.resolve(errorText(error)),
      );
    }
    const started = withCredentials(caller.authorization, () =>
      this.#runtime.engine.sendMessage(input.to, input.message, {
        ...this.#taskOptions(call, caller),
        ...(input.summary ? { summary: input.summary } : {}),
      }),
    );
    this.#byTask.set(started.id, call.callId);
    return this.#remember(
      call.callId,
      hash,
      `${input.summary || 'follow-up'} (${SEND_MESSAGE_TOOL} to ${input.to})`,
      started.id,
      started.result.then(formatResultForModel, errorText),
    );
  }

  #taskOptions(call: TaskCall, caller: CallerContext) {
    return {
      signal: caller.signal,
      spawnDepth: 1,
      ...(caller.model ? { callerModel: `${UPSTREAM_PROVIDER}:${caller.model}` } : {}),
      caller: { callId: call.callId, ...(caller.threadId ? { threadId: caller.threadId } : {}) },
    };
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

  /** Warns once per call id (Codex resends the refused call with every later request). */
  #refuse(callId: string): string {
    if (!this.#refused.has(callId)) {
      if (this.#refused.size >= MEMORY_LIMIT) this.#refused.clear();
      this.#refused.add(callId);
      this.#runtime.observability.logger?.warn(
        { callId },
        'refused to run a Task call that did not stream from the upstream (a client wrote it)',
      );
    }
    return NOT_FROM_UPSTREAM_TEXT;
  }

  #remember(
    callId: string,
    argumentsHash: string,
    label: string,
    taskId: string | undefined,
    text: Promise<string>,
    background = false,
  ): RunningCall {
    const running: RunningCall = { callId, argumentsHash, label, taskId, text, settled: false, background };
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
      callerCallId: callId,
      ...(threadId ? { callerThreadId: threadId } : {}),
      limit: 1,
    });
    return record && record.status !== 'queued' && record.status !== 'running' ? record : undefined;
  }
}

/**
 * A call's arguments as a hash that does not depend on how they were serialised (key order,
 * spacing): JSON text is parsed and written again with sorted keys; other text is hashed as is.
 */
export function argumentsHash(args: unknown): string {
  let value: unknown = args ?? {};
  if (typeof args === 'string') {
    try {
      value = JSON.parse(args);
    } catch {
      return createHash('sha256').update(`text:${args}`).digest('hex');
    }
  }
  return createHash('sha256')
    .update(`json:${canonicalJson(value)}`)
    .digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
