import type { TaskEvents, TaskResult } from '../engine/index.ts';
import { paint } from './output.ts';

type Started = TaskEvents['task.started'][0];
type Progress = TaskEvents['task.progress'][0];

/** One plain line per state change: readable in a terminal, clean in CI logs. */
export function progressLine(kind: 'started' | 'progress', event: Started | Progress): string {
  const who = `[${event.agentType}${event.description ? `: ${event.description}` : ''}]`;
  if (kind === 'started') return `${who} started on ${(event as Started).resolvedModel}`;
  const p = event as Progress;
  const tool = p.lastTool ? `, last tool ${p.lastTool}` : '';
  return `${who} turn ${p.turn}, ${p.toolUses} tool uses${tool}, ${p.tokens.input + p.tokens.output} tokens`;
}

/**
 * A task's time everywhere the CLI shows one (live views, plain lines, summaries): its run time, from
 * the moment it got a slot to its end. The wait in the queue is left out (shown apart when there was
 * one), so a task's time does not grow with the batch around it. `totalDurationMs` (Claude Code's
 * field, in --json) counts from the call and so includes the queue.
 */
export function runTimeMs(result: Pick<TaskResult, 'totalDurationMs' | 'timings'>): number {
  return Math.max(0, result.totalDurationMs - result.timings.queuedMs);
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

export function formatTokens(tokens: number): string {
  return tokens >= 1000 ? `${(tokens / 1000).toFixed(1)}k` : String(tokens);
}

/** USD, or `cost n/a` when a model's price is unknown (then any sum is unknown too). */
export function formatCost(usd: number | null): string {
  return usd === null ? 'cost n/a' : `$${usd.toFixed(4)}`;
}

/** ` (2.7s queued)` when the task waited for a slot long enough to matter, else nothing. */
export function queuedNote(result: TaskResult): string {
  return result.timings.queuedMs >= 1000 ? ` (${formatSeconds(result.timings.queuedMs)} queued)` : '';
}

/**
 * The engine reports progress when a tool starts and again when the turn ends; with nothing new in
 * between the two are the same. This passes each task's line only when it says something new.
 */
export function changedProgress(): (event: Progress) => string | undefined {
  const last = new Map<string, string>();
  return (event) => {
    const line = progressLine('progress', event);
    if (last.get(event.taskId) === line) return undefined;
    last.set(event.taskId, line);
    return line;
  };
}

/** What `describeResult` reads: a TaskResult, or a run record's outcome (whose status may be `interrupted`). */
export type ResultSummary = Pick<
  TaskResult,
  | 'agentType'
  | 'resolvedModel'
  | 'usage'
  | 'totalToolUseCount'
  | 'toolStats'
  | 'error'
  | 'totalDurationMs'
  | 'timings'
> & { status: string };

/** A finished task in one or two lines: status, model, time, tokens, tools — and the error with its fix. */
export function describeResult(result: ResultSummary): string {
  const tools = Object.entries(result.toolStats)
    .map(([name, stat]) => `${name}×${stat.calls}`)
    .join(' ');
  const head = `${result.status} · ${result.agentType} · ${result.resolvedModel ?? 'no model'} · ${formatSeconds(runTimeMs(result))} run · ${result.usage.totalTokens} tokens · ${result.totalToolUseCount} tool uses${tools ? ` (${tools})` : ''}`;
  if (!result.error) return head;
  const hint = result.error.hint ? `\n  fix: ${result.error.hint}` : '';
  return `${head}\n  ${result.error.type}: ${result.error.message}${hint}`;
}

/** The end-of-batch summary: one branch per task with its headline, time, tokens and cost; failures with their fix. */
export function summaryTree(results: readonly TaskResult[], wallMs: number): string {
  const completed = results.filter((r) => r.status === 'completed').length;
  const tokens = results.reduce((sum, r) => sum + r.usage.totalTokens, 0);
  const cost = formatCost(sumCosts(results.map((r) => r.usage.costUsd)));
  const lines = [
    `${results.length} task(s): ${completed} completed, ${results.length - completed} not, in ${formatSeconds(wallMs)} · ${formatTokens(tokens)} tokens · ${cost}`,
  ];
  results.forEach((r, i) => {
    const last = i === results.length - 1;
    const branch = last ? '└─' : '├─';
    const mark = r.status === 'completed' ? paint('green', '✓') : paint('red', '✗');
    const headline =
      r.status === 'completed'
        ? firstLine(r.content)
        : `${r.error?.type ?? r.status}: ${r.error?.message ?? ''}`;
    const costText = r.usage.costUsd === null ? '' : ` · $${r.usage.costUsd.toFixed(4)}`;
    lines.push(
      `${branch} ${mark} ${r.agentType} · ${r.description} — ${headline} · ${formatSeconds(runTimeMs(r))} run${queuedNote(r)} · ${formatTokens(r.usage.totalTokens)} tok${costText}`,
    );
    if (r.status !== 'completed' && r.error?.hint)
      lines.push(`${last ? '   ' : '│  '}  fix: ${r.error.hint}`);
  });
  return lines.join('\n');
}

/** The sum, or null when any part is unknown. */
export function sumCosts(costs: readonly (number | null)[]): number | null {
  let sum = 0;
  for (const cost of costs) {
    if (cost === null) return null;
    sum += cost;
  }
  return sum;
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim()) ?? '';
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}
