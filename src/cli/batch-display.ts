import { clearScreenDown, moveCursor } from 'node:readline';
import type { TaskEngine, TaskInput, TaskResult } from '../engine/index.ts';
import { paint } from './output.ts';

type State = 'queued' | 'running' | TaskResult['status'];

interface Row {
  agent: string;
  description: string;
  state: State;
  startedAt?: number;
  endedAt?: number;
  turn: number;
  lastTool?: string;
  tokens: number;
}

const SYMBOL: Record<State, string> = {
  queued: '·',
  running: '▶',
  completed: '✓',
  failed: '✗',
  timed_out: '⏱',
  cancelled: '⊘',
};

/**
 * The live view of a batch: one line per task (state, agent, description, elapsed, turn, last tool,
 * tokens), redrawn in place on a terminal; elsewhere (CI logs) one plain line per state change.
 */
export class BatchDisplay {
  readonly #rows: Row[];
  readonly #byTask = new Map<string, Row>();
  readonly #stream: NodeJS.WriteStream;
  readonly #live: boolean;
  #drawnLines = 0;
  #timer: NodeJS.Timeout | undefined;
  /** Index of the input whose `run()` is being called: its events are emitted synchronously inside it. */
  admitting = -1;

  constructor(inputs: readonly TaskInput[], options: { stream: NodeJS.WriteStream; live: boolean }) {
    this.#rows = inputs.map((input) => ({
      agent: input.subagent_type ?? 'general-purpose',
      description: input.description,
      state: 'queued' as State,
      turn: 0,
      tokens: 0,
    }));
    this.#stream = options.stream;
    this.#live = options.live;
  }

  attach(engine: TaskEngine): void {
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
      row.startedAt = performance.now();
      this.#plain(row, `started on ${e.resolvedModel}`);
    });
    engine.events.on('task.progress', (e) => {
      const row = this.#byTask.get(e.taskId);
      if (!row) return;
      row.turn = e.turn;
      row.tokens = e.tokens.input + e.tokens.output;
      if (e.lastTool) row.lastTool = e.lastTool;
    });
    engine.events.on('task.finished', (e) => {
      const row = own(e);
      if (!row) return;
      row.state = e.result.status;
      row.endedAt = performance.now();
      row.tokens = e.result.usage.totalTokens;
      this.#plain(row, `${e.result.status} in ${(e.result.totalDurationMs / 1000).toFixed(1)}s`);
    });
    if (this.#live) {
      this.#timer = setInterval(() => this.#draw(), 100);
      this.#timer.unref();
    }
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#live) this.#draw();
  }

  #plain(row: Row, what: string): void {
    if (!this.#live) this.#stream.write(`[${row.agent}: ${row.description}] ${what}\n`);
  }

  #draw(): void {
    if (this.#drawnLines > 0) {
      moveCursor(this.#stream, 0, -this.#drawnLines);
      clearScreenDown(this.#stream);
    }
    const now = performance.now();
    const lines = this.#rows.map((row) => {
      const elapsed = row.startedAt ? `${(((row.endedAt ?? now) - row.startedAt) / 1000).toFixed(1)}s` : '';
      const symbol =
        row.state === 'completed'
          ? paint('green', SYMBOL[row.state])
          : row.state === 'running' || row.state === 'queued'
            ? SYMBOL[row.state]
            : paint('red', SYMBOL[row.state]);
      const detail =
        row.state === 'queued'
          ? 'queued'
          : `turn ${row.turn}${row.lastTool ? ` · ${row.lastTool}` : ''} · ${formatTokens(row.tokens)} tok`;
      return `${symbol} ${row.agent.padEnd(16)} ${truncate(row.description, 32).padEnd(32)} ${elapsed.padStart(6)}  ${paint('dim', detail)}`;
    });
    this.#stream.write(`${lines.join('\n')}\n`);
    this.#drawnLines = lines.length;
  }
}

export function formatTokens(tokens: number): string {
  return tokens >= 1000 ? `${(tokens / 1000).toFixed(1)}k` : String(tokens);
}

function truncate(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}
