import type { TaskEvents, TaskResult } from '../engine/index.ts';
import { formatTokens } from './batch-display.ts';
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

/** A finished task in one or two lines: status, model, time, tokens, tools — and the error with its fix. */
export function describeResult(result: TaskResult): string {
  const seconds = (result.totalDurationMs / 1000).toFixed(2);
  const tools = Object.entries(result.toolStats)
    .map(([name, stat]) => `${name}×${stat.calls}`)
    .join(' ');
  const head = `${result.status} · ${result.agentType} · ${result.resolvedModel ?? 'no model'} · ${seconds}s · ${result.usage.totalTokens} tokens · ${result.totalToolUseCount} tool uses${tools ? ` (${tools})` : ''}`;
  if (!result.error) return head;
  const hint = result.error.hint ? `\n  fix: ${result.error.hint}` : '';
  return `${head}\n  ${result.error.type}: ${result.error.message}${hint}`;
}

/** The end-of-batch summary: one branch per task with its headline, time, tokens and cost; failures with their fix. */
export function summaryTree(results: readonly TaskResult[], wallMs: number): string {
  const completed = results.filter((r) => r.status === 'completed').length;
  const tokens = results.reduce((sum, r) => sum + r.usage.totalTokens, 0);
  const costs = results.map((r) => r.usage.costUsd);
  const cost = costs.every((c) => c !== null)
    ? `$${costs.reduce((a, b) => a! + b!, 0)!.toFixed(4)}`
    : 'cost n/a';
  const lines = [
    `${results.length} task(s): ${completed} completed, ${results.length - completed} not, in ${(wallMs / 1000).toFixed(1)}s · ${formatTokens(tokens)} tokens · ${cost}`,
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
      `${branch} ${mark} ${r.agentType} · ${r.description} — ${headline} · ${(r.totalDurationMs / 1000).toFixed(1)}s · ${formatTokens(r.usage.totalTokens)} tok${costText}`,
    );
    if (r.status !== 'completed' && r.error?.hint)
      lines.push(`${last ? '   ' : '│  '}  fix: ${r.error.hint}`);
  });
  return lines.join('\n');
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim()) ?? '';
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}
