import type { TaskEvents, TaskResult } from '../engine/index.ts';

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
