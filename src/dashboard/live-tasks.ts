import type { OutputGuardReport, TaskEngine, TaskEventBase, TaskOrigin } from '../engine/index.ts';
import { listen, type Redactor } from '../telemetry/index.ts';
import { errorSummary, type TaskSummary } from './task-summary.ts';

/** What is kept in memory only, beside a live task's summary. */
export interface LiveExtras {
  /** The Task input as given (for re-run: the recorded one is redacted). Never sent to the page. */
  input?: unknown;
  /** What the output guard changed in the result (not in the run record). */
  outputGuard?: OutputGuardReport;
}

interface Entry {
  summary: TaskSummary;
  extras: LiveExtras;
}

export type ChangeListener = (changed: TaskSummary[]) => void;

/**
 * The engine's tasks as the page shows them, kept from the engine's events (not from another
 * observer's state, so nothing depends on the order listeners run in). Changes made in one
 * macrotask go out together at its end: a turn's progress, tool and usage events become one update.
 */
export class LiveTasks {
  readonly #tasks = new Map<string, Entry>();
  readonly #finished: string[] = [];
  readonly #listeners = new Set<ChangeListener>();
  readonly #dirty = new Set<string>();
  readonly #keepFinished: number;
  readonly #redactor: Redactor;
  readonly #stop: () => void;
  #flushScheduled = false;

  constructor(engine: TaskEngine, redactor: Redactor, options: { keepFinished?: number } = {}) {
    this.#keepFinished = options.keepFinished ?? 1000;
    this.#redactor = redactor;
    this.#stop = listen(engine, {
      'task.queued': (e) => {
        this.#entry(e, e);
        this.#touch(e.taskId);
      },
      'task.started': (e) => {
        const { summary } = this.#entry(e);
        summary.status = 'running';
        summary.startedAt = Date.now();
        summary.model = e.resolvedModel;
        this.#touch(e.taskId);
      },
      'task.progress': (e) => {
        const { summary } = this.#entry(e);
        summary.turns = e.turn;
        summary.toolUses = e.toolUses;
        summary.inputTokens = e.tokens.input;
        summary.outputTokens = e.tokens.output;
        if (e.lastTool) summary.lastTool = e.lastTool;
        this.#touch(e.taskId);
      },
      'task.tool': (e) => {
        if (e.phase !== 'started') return;
        this.#entry(e).summary.lastTool = e.name;
        this.#touch(e.taskId);
      },
      'task.model_call': (e) => {
        const { summary } = this.#entry(e);
        if (e.outcome === 'retry' || e.outcome === 'failover') summary.retries += 1;
        if (typeof e.costUsd === 'number') summary.costUsd = (summary.costUsd ?? 0) + e.costUsd;
        this.#touch(e.taskId);
      },
      'task.finished': (e) => {
        const entry = this.#entry(e, e);
        const r = e.result;
        const s = entry.summary;
        s.status = r.status;
        s.agentType = r.agentType;
        if (r.resolvedModel) s.model = r.resolvedModel;
        s.finishedAt = Date.now();
        s.durationMs = Math.round(r.totalDurationMs);
        s.turns = r.turns;
        s.toolUses = r.totalToolUseCount;
        s.inputTokens = r.usage.inputTokens;
        s.outputTokens = r.usage.outputTokens;
        s.costUsd = r.usage.costUsd;
        s.retries = r.retries;
        // The whole error, as the run recorder stores it: a hint can quote an input too.
        if (r.error) s.error = redactor.value(errorSummary(r.error));
        if (r.outputGuard) entry.extras.outputGuard = r.outputGuard;
        this.#touch(e.taskId);
        this.#retire(e.taskId);
      },
    });
  }

  get(taskId: string): TaskSummary | undefined {
    return this.#tasks.get(taskId)?.summary;
  }

  extras(taskId: string): LiveExtras | undefined {
    return this.#tasks.get(taskId)?.extras;
  }

  /** Newest first. */
  list(): TaskSummary[] {
    return [...this.#tasks.values()].map((e) => e.summary).reverse();
  }

  /** Calls `listener` with the tasks changed in each macrotask; returns the unsubscribe function. */
  onChange(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#stop();
    this.#listeners.clear();
  }

  #entry(e: TaskEventBase, origin?: Partial<TaskOrigin>): Entry {
    let entry = this.#tasks.get(e.taskId);
    if (!entry) {
      const summary: TaskSummary = {
        id: e.taskId,
        agentType: e.agentType,
        description: this.#redactor.text(e.description),
        status: 'queued',
        spawnDepth: e.spawnDepth,
        queuedAt: Date.now(),
        turns: 0,
        toolUses: 0,
        inputTokens: 0,
        outputTokens: 0,
        costUsd: null,
        retries: 0,
      };
      if (e.parentTaskId) summary.parentId = e.parentTaskId;
      entry = { summary, extras: {} };
      this.#tasks.set(e.taskId, entry);
    }
    if (origin) {
      if (origin.caller?.threadId) entry.summary.callerThreadId = origin.caller.threadId;
      if (origin.continuesTaskId) entry.summary.continuesTaskId = origin.continuesTaskId;
      if (origin.input !== undefined && entry.extras.input === undefined) entry.extras.input = origin.input;
    }
    return entry;
  }

  #touch(taskId: string): void {
    this.#dirty.add(taskId);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      const changed = [...this.#dirty].flatMap((id) => this.#tasks.get(id)?.summary ?? []);
      this.#dirty.clear();
      for (const listener of this.#listeners) listener(changed);
    });
  }

  #retire(taskId: string): void {
    this.#finished.push(taskId);
    while (this.#finished.length > this.#keepFinished) this.#tasks.delete(this.#finished.shift()!);
  }
}
