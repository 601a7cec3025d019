import type { TaskEngine, TaskInput } from '../engine/index.ts';
import { type BatchSnapshot, batchFrame, type TaskRow, TerminalView } from './live/index.ts';
import { formatSeconds, queuedNote, runTimeMs } from './task-report.ts';

/**
 * What a batch is doing. On a terminal, a live view redrawn in place that always fits the screen
 * (header with counts, elapsed, tokens and cost; the latest finished; the running; counts for the
 * rest). Elsewhere (pipes, CI logs) one plain line per state change.
 */
export class BatchDisplay {
  readonly #rows: TaskRow[];
  readonly #finished: TaskRow[] = [];
  readonly #byTask = new Map<string, TaskRow>();
  readonly #stream: NodeJS.WriteStream;
  readonly #live: boolean;
  #view: TerminalView | undefined;
  #startedAt = performance.now();
  /** When the last task finished: the header's clock stops there. */
  #endedAt: number | undefined;
  /** Index of the input whose `run()` is being called: its events are emitted synchronously inside it. */
  admitting = -1;

  constructor(inputs: readonly TaskInput[], options: { stream: NodeJS.WriteStream; live: boolean }) {
    this.#rows = inputs.map((input) => ({
      agent: input.subagent_type ?? 'general-purpose',
      description: input.description,
      state: 'queued',
      turn: 0,
      tokens: 0,
      costUsd: 0,
    }));
    this.#stream = options.stream;
    this.#live = options.live;
  }

  snapshot(): BatchSnapshot {
    const now = this.#endedAt ?? performance.now();
    return { rows: this.#rows, finished: this.#finished, startedAt: this.#startedAt, now };
  }

  attach(engine: TaskEngine): void {
    this.#startedAt = performance.now();
    const own = (e: { taskId: string; parentTaskId?: string }) => {
      const known = this.#byTask.get(e.taskId);
      if (known || e.parentTaskId !== undefined || this.admitting < 0) return known;
      const row = this.#rows[this.admitting]!;
      this.#byTask.set(e.taskId, row);
      return row;
    };
    engine.events.on('task.queued', (e) => own(e));
    engine.events.on('task.started', (e) => {
      const row = own(e);
      if (!row) return;
      row.state = 'running';
      row.model = e.resolvedModel;
      row.startedAt = performance.now();
      row.turn = 1;
      this.#plain(row, `started on ${e.resolvedModel}`);
    });
    engine.events.on('task.turn', (e) => {
      const row = this.#byTask.get(e.taskId);
      if (row) row.turn = e.turn + 1;
    });
    engine.events.on('task.tool', (e) => {
      const row = this.#byTask.get(e.taskId);
      if (!row) return;
      row.turn = e.turn;
      if (e.phase === 'started') row.tool = e.name;
      else if (row.tool === e.name) delete row.tool;
    });
    engine.events.on('task.progress', (e) => {
      const row = this.#byTask.get(e.taskId);
      if (row) row.tokens = e.tokens.input + e.tokens.output;
    });
    engine.events.on('task.model_call', (e) => {
      const row = this.#byTask.get(e.taskId);
      if (!row || e.outcome !== 'ok' || e.costUsd === undefined || row.costUsd === null) return;
      row.costUsd = e.costUsd === null ? null : row.costUsd + e.costUsd;
    });
    engine.events.on('task.finished', (e) => {
      const row = own(e);
      if (!row) return;
      const r = e.result;
      row.state = r.status;
      row.runMs = runTimeMs(r);
      row.model = r.resolvedModel ?? row.model;
      row.tokens = r.usage.totalTokens;
      row.costUsd = r.usage.costUsd;
      delete row.tool;
      if (r.error) row.error = `${r.error.type}: ${r.error.message}`;
      this.#finished.push(row);
      if (this.#finished.length === this.#rows.length) this.#endedAt = performance.now();
      this.#plain(row, `${r.status} in ${formatSeconds(row.runMs)}${queuedNote(r)}`);
    });
    if (this.#live) this.#view = new TerminalView(this.#stream, (size) => batchFrame(this.snapshot(), size));
  }

  /** A message for the person watching (e.g. "interrupted"): above the live view, or a plain line. */
  note(line: string): void {
    if (this.#view) this.#view.note(line);
    else this.#stream.write(`${line}\n`);
  }

  /** Ends the live view with its final frame on screen. */
  async stop(): Promise<void> {
    const view = this.#view;
    this.#view = undefined;
    await view?.stop({ keep: true });
  }

  #plain(row: TaskRow, what: string): void {
    if (!this.#live) this.#stream.write(`[${row.agent}: ${row.description}] ${what}\n`);
  }
}
