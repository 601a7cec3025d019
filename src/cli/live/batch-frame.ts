import type { TaskStatus } from '../../engine/index.ts';
import { formatCost, formatSeconds, formatTokens, sumCosts } from '../task-report.ts';
import { cell, columnWidth, type Line, type Segment, type ViewSize } from './lines.ts';

export type RowState = 'queued' | 'running' | TaskStatus;

/** One task of a batch as the live view knows it. */
export interface TaskRow {
  agent: string;
  description: string;
  state: RowState;
  /** `provider:model`, once the task started. */
  model?: string;
  /** `performance.now()` when the task got its slot. */
  startedAt?: number;
  /** The run time from the result (`runTimeMs`), once finished: the summary shows the same number. */
  runMs?: number;
  turn: number;
  /** The tool running now, if any. */
  tool?: string;
  tokens: number;
  /** Spent so far; null once a model with an unknown price was used. */
  costUsd: number | null;
  /** `Type: message` of a task that did not complete. */
  error?: string;
}

export interface BatchSnapshot {
  rows: readonly TaskRow[];
  /** Finished rows in the order they finished. */
  finished: readonly TaskRow[];
  startedAt: number;
  now: number;
}

const SYMBOL: Record<RowState, Segment> = {
  queued: { text: '·' },
  running: { text: '▶', color: 'cyan' },
  completed: { text: '✓', color: 'green' },
  failed: { text: '✗', color: 'red' },
  timed_out: { text: '⏱', color: 'red' },
  cancelled: { text: '⊘', color: 'yellow' },
};

/** Finished rows kept on screen: enough to see results arrive, few enough to leave room for running ones. */
const MAX_FINISHED = 5;

export function batchTotals(s: BatchSnapshot) {
  let running = 0;
  let queued = 0;
  for (const row of s.rows) {
    if (row.state === 'running') running++;
    else if (row.state === 'queued') queued++;
  }
  return {
    done: s.finished.length,
    failed: s.finished.filter((r) => r.state !== 'completed').length,
    running,
    queued,
    tokens: s.rows.reduce((sum, r) => sum + r.tokens, 0),
    costUsd: sumCosts(s.rows.map((r) => r.costUsd)),
  };
}

/**
 * The batch as fits the terminal, never taller than it (a taller frame pushes a copy of itself into
 * the scrollback on every redraw): a header with the counts, elapsed time, tokens and cost; the
 * latest finished tasks; the running ones; and a count of what did not fit.
 */
export function batchFrame(s: BatchSnapshot, size: ViewSize): Line[] {
  const t = batchTotals(s);
  const header: Line = [
    { text: 'batch', bold: true },
    { text: ` · ${t.done} done${t.failed ? ` (${t.failed} failed)` : ''}` },
    { text: ` · ${t.running} running · ${t.queued} queued` },
    {
      text: ` · ${formatSeconds(s.now - s.startedAt)} · ${formatTokens(t.tokens)} tok · ${formatCost(t.costUsd)}`,
    },
  ];
  // Header, column heading and a line for what is hidden; the rest (one line at least) is for rows.
  if (size.rows - 1 < 4) return [header];
  const room = size.rows - 1 - 3;
  const running = s.rows.filter((r) => r.state === 'running');
  const runningShown = Math.min(running.length, Math.max(0, room - Math.min(s.finished.length, 1)));
  const finishedShown = Math.min(s.finished.length, MAX_FINISHED, room - runningShown);
  const shown = [...s.finished.slice(s.finished.length - finishedShown), ...running.slice(0, runningShown)];
  const lines: Line[] = [header];
  if (shown.length > 0) lines.push(...rowLines(shown, s.now, size.columns));

  const hidden: string[] = [];
  if (running.length > runningShown) hidden.push(`${running.length - runningShown} more running`);
  if (s.finished.length > finishedShown) hidden.push(`${s.finished.length - finishedShown} more finished`);
  if (t.queued > 0) hidden.push(`${t.queued} queued`);
  if (hidden.length > 0) lines.push([{ text: `  … ${hidden.join(' · ')}`, dim: true }]);
  return lines;
}

function rowLines(rows: readonly TaskRow[], now: number, columns: number): Line[] {
  const agentWidth = columnWidth(['agent', ...rows.map((r) => r.agent)], 5, 18);
  const modelWidth = columnWidth(['model', ...rows.map((r) => r.model ?? '')], 5, 24);
  const timeWidth = 7;
  const rest = columns - 2 - agentWidth - 1 - modelWidth - 1 - 1 - timeWidth - 2;
  const descriptionWidth = Math.max(12, Math.min(40, rest - 36));
  const heading: Line = [
    {
      text: `  ${cell('agent', agentWidth)} ${cell('model', modelWidth)} ${cell('task', descriptionWidth)} ${'run'.padStart(timeWidth)}  progress`,
      dim: true,
    },
  ];
  return [
    heading,
    ...rows.map((row): Line => {
      const ms = row.runMs ?? (row.startedAt === undefined ? 0 : now - row.startedAt);
      const columnsText = ` ${cell(row.agent, agentWidth)} ${cell(row.model ?? '', modelWidth)} ${cell(row.description, descriptionWidth)} ${formatSeconds(ms).padStart(timeWidth)}  `;
      return [SYMBOL[row.state], { text: columnsText }, detail(row)];
    }),
  ];
}

function detail(row: TaskRow): Segment {
  if (row.state === 'running') {
    const doing = row.tool ?? 'awaiting model';
    return { text: `turn ${row.turn} · ${doing} · ${formatTokens(row.tokens)} tok`, dim: true };
  }
  if (row.state === 'completed')
    return { text: `${formatTokens(row.tokens)} tok · ${formatCost(row.costUsd)}`, dim: true };
  return { text: row.error ?? row.state, color: 'red' };
}
