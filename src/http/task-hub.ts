import type { TaskEngine, TaskEventBase, TaskEvents } from '../engine/index.ts';
import {
  listen,
  type Redactor,
  redactAndTruncate,
  redactBounded,
  type TaskCorrelation,
} from '../telemetry/index.ts';
import { finishView, links, type TaskView } from './task-view.ts';

/** One event as SSE sends it: serialized once, however many clients follow the task. */
export interface HubEvent {
  seq: number;
  event: keyof TaskEvents;
  data: string;
}

interface Entry {
  view: TaskView;
  events: HubEvent[];
  seq: number;
  subscribers: Set<(event: HubEvent) => void>;
  finished: boolean;
  /** Set for tasks started through this server: what DELETE aborts. */
  cancel?: (reason: Error) => void;
}

export interface TaskHubOptions {
  correlation: TaskCorrelation;
  redactor: Redactor;
  maxFieldChars: number;
  eventsPerTask: number;
  finishedTasksKept: number;
}

/**
 * Every task of the engine as the API sees it: a live view, its events (redacted, bounded) for SSE
 * replay, and the clients following it. Finished tasks stay for a while so a client that connects
 * just after the end still gets the whole story; older ones are read from the store.
 */
export class TaskHub {
  readonly #tasks = new Map<string, Entry>();
  readonly #finished: string[] = [];
  readonly #options: TaskHubOptions;
  readonly #stop: () => void;

  constructor(engine: TaskEngine, options: TaskHubOptions) {
    this.#options = options;
    const { redactor, maxFieldChars: max } = options;
    const text = (s: string) => redactAndTruncate(redactor, s, max);
    this.#stop = listen(engine, {
      'task.queued': (e) => {
        const entry = this.#push(e, 'task.queued', {
          queueDepth: e.queueDepth,
          ...(e.continuesTaskId ? { continuesTaskId: e.continuesTaskId } : {}),
        });
        if (e.continuesTaskId) entry.view.continuesTaskId = e.continuesTaskId;
      },
      'task.started': (e) => {
        const entry = this.#push(e, 'task.started', { resolvedModel: e.resolvedModel });
        entry.view.status = 'running';
        entry.view.startedAt = new Date().toISOString();
        entry.view.resolvedModel = e.resolvedModel;
      },
      'task.progress': (e) => {
        const entry = this.#push(e, 'task.progress', {
          turn: e.turn,
          toolUses: e.toolUses,
          tokens: e.tokens,
          ...(e.lastTool ? { lastTool: e.lastTool } : {}),
        });
        entry.view.turns = e.turn;
        entry.view.toolUses = e.toolUses;
        entry.view.usage = { inputTokens: e.tokens.input, outputTokens: e.tokens.output };
        if (e.lastTool) entry.view.lastTool = e.lastTool;
      },
      'task.turn': (e) =>
        this.#push(e, 'task.turn', {
          turn: e.turn,
          text: text(e.text),
          toolCalls: e.toolCalls.map((c) => ({ callId: c.callId, name: c.name })),
          usage: e.usage,
          finishReason: e.finishReason,
        }),
      'task.tool': (e) =>
        this.#push(e, 'task.tool', {
          phase: e.phase,
          turn: e.turn,
          callId: e.callId,
          name: e.name,
          input: redactBounded(redactor, e.input, max),
          ...(e.output !== undefined ? { output: text(e.output) } : {}),
          ...(e.error !== undefined ? { error: text(e.error) } : {}),
          ...(e.denied ? { denied: true } : {}),
          ...(e.durationMs !== undefined ? { durationMs: e.durationMs } : {}),
        }),
      'task.model_call': (e) => {
        const { taskId: _t, parentTaskId: _p, agentType: _a, spawnDepth: _s, description: _d, ...call } = e;
        this.#push(e, 'task.model_call', { ...call, ...(call.error ? { error: text(call.error) } : {}) });
      },
      'task.failover': (e) =>
        this.#push(e, 'task.failover', { turn: e.turn, from: e.from, to: e.to, reason: e.reason }),
      'task.finished': (e) => {
        const entry = this.#entry(e);
        if (e.continuesTaskId) entry.view.continuesTaskId = e.continuesTaskId;
        finishView(entry.view, e.result, redactor);
        this.#push(e, 'task.finished', { result: entry.view });
        entry.finished = true;
        entry.subscribers.clear();
        entry.cancel = undefined;
        this.#retire(e.taskId);
      },
    });
  }

  get(taskId: string): { view: TaskView; finished: boolean; cancellable: boolean } | undefined {
    const entry = this.#tasks.get(taskId);
    return entry && { view: entry.view, finished: entry.finished, cancellable: !!entry.cancel };
  }

  /** Live tasks (and recently finished ones), newest first. */
  list(): TaskView[] {
    return [...this.#tasks.values()].map((e) => e.view).reverse();
  }

  /** Marks a task as started here, so DELETE can cancel it. */
  adopt(taskId: string, cancel: (reason: Error) => void): void {
    const entry = this.#tasks.get(taskId);
    if (entry && !entry.finished) entry.cancel = cancel;
  }

  cancel(taskId: string, reason: Error): boolean {
    const cancel = this.#tasks.get(taskId)?.cancel;
    cancel?.(reason);
    return !!cancel;
  }

  /**
   * Replays the task's events after `afterSeq`, then calls `onEvent` for each new one until the
   * task finishes. Returns undefined when the task is not in memory; `done` is true when the replay
   * already ended with `task.finished` (nothing more will come).
   */
  follow(
    taskId: string,
    afterSeq: number,
    onEvent: (event: HubEvent) => void,
  ): { done: boolean; unsubscribe: () => void } | undefined {
    const entry = this.#tasks.get(taskId);
    if (!entry) return undefined;
    for (const event of entry.events) if (event.seq > afterSeq) onEvent(event);
    if (entry.finished) return { done: true, unsubscribe: () => {} };
    entry.subscribers.add(onEvent);
    return { done: false, unsubscribe: () => entry.subscribers.delete(onEvent) };
  }

  close(): void {
    this.#stop();
    this.#tasks.clear();
  }

  #entry(e: TaskEventBase): Entry {
    let entry = this.#tasks.get(e.taskId);
    if (!entry) {
      entry = {
        view: {
          id: e.taskId,
          ...(e.parentTaskId ? { parentId: e.parentTaskId } : {}),
          traceId: this.#options.correlation.traceIdOf(e),
          agentType: e.agentType,
          description: this.#options.redactor.text(e.description),
          status: 'queued',
          queuedAt: new Date().toISOString(),
          turns: 0,
          toolUses: 0,
          usage: { inputTokens: 0, outputTokens: 0 },
          links: links(e.taskId),
        },
        events: [],
        seq: 0,
        subscribers: new Set(),
        finished: false,
      };
      this.#tasks.set(e.taskId, entry);
    }
    return entry;
  }

  #push(e: TaskEventBase, event: keyof TaskEvents, payload: Record<string, unknown>): Entry {
    const entry = this.#entry(e);
    const seq = ++entry.seq;
    const data = JSON.stringify({
      taskId: e.taskId,
      ...(e.parentTaskId ? { parentTaskId: e.parentTaskId } : {}),
      agentType: e.agentType,
      traceId: entry.view.traceId,
      at: Date.now(),
      ...payload,
    });
    const hubEvent: HubEvent = { seq, event, data };
    entry.events.push(hubEvent);
    // Past the cap, progress events (each one summarises the transcript so far) go first.
    if (entry.events.length > this.#options.eventsPerTask) {
      const i = entry.events.findIndex((x) => x.event === 'task.progress');
      entry.events.splice(i >= 0 ? i : 1, 1);
    }
    for (const subscriber of entry.subscribers) subscriber(hubEvent);
    return entry;
  }

  #retire(taskId: string): void {
    this.#finished.push(taskId);
    while (this.#finished.length > this.#options.finishedTasksKept) {
      this.#tasks.delete(this.#finished.shift()!);
    }
  }
}
