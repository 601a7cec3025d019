import type { StepRecord, TaskRecord } from '../store/index.ts';
import { paint } from './output.ts';
import { describeResult } from './task-report.ts';
import { workspaceLines } from './workspace-report.ts';

const out = process.stdout;
const STATUS_STYLE: Record<string, Parameters<typeof paint>[0]> = {
  completed: 'green',
  failed: 'red',
  timed_out: 'red',
  interrupted: 'yellow',
  cancelled: 'yellow',
  running: 'cyan',
  queued: 'gray',
};

export const status = (s: string) => paint(STATUS_STYLE[s] ?? 'white', s, out);

export function duration(ms: number | undefined): string {
  if (ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

export const cost = (usd: number | null) => (usd === null ? '—' : `$${usd.toFixed(usd < 0.01 ? 4 : 2)}`);

function when(ms: number): string {
  const d = new Date(ms);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString() : d.toLocaleString();
}

/** One line per task, newest first; nested tasks marked with ↳. */
export function formatList(records: TaskRecord[]): string {
  const rows = records.map((r) => [
    r.id,
    r.status,
    `${r.spawnDepth > 1 ? '↳ ' : ''}${r.agentType}`,
    r.resolvedModel ?? '—',
    when(r.queuedAt),
    duration(r.durationMs ?? (r.finishedAt ?? Date.now()) - r.queuedAt),
    `${r.usage.inputTokens}/${r.usage.outputTokens}`,
    cost(r.usage.costUsd),
    r.description,
  ]);
  const head = ['ID', 'STATUS', 'AGENT', 'MODEL', 'QUEUED', 'TIME', 'TOKENS in/out', 'COST', 'DESCRIPTION'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[], styled = false) =>
    cells
      .map((c, i) => {
        const padded = i === cells.length - 1 ? c : c.padEnd(widths[i]!);
        return styled && i === 1 ? padded.replace(c, status(c)) : padded;
      })
      .join('  ');
  return [paint('bold', line(head), out), ...rows.map((r) => line(r, true))].join('\n');
}

/** One task on one line, to choose between the tasks an id prefix matches. */
export function formatCandidate(r: TaskRecord): string {
  return `${r.id}  ${status(r.status)}  ${r.agentType}  ${when(r.queuedAt)}  ${r.description}`;
}

const indent = (text: string, by: string) =>
  text
    .split('\n')
    .map((l) => `${by}${l}`)
    .join('\n');

function clip(text: string, lines = 12): string {
  const all = text.split('\n');
  return all.length <= lines
    ? text
    : `${all.slice(0, lines).join('\n')}\n… (${all.length - lines} more lines)`;
}

/** A task's fields, one a line: id and status, agent, model, links, times, usage, description and prompt. */
export function formatHeader(r: TaskRecord): string {
  const lines: string[] = [];
  const field = (name: string, value: string | undefined) =>
    value && lines.push(`${paint('bold', name.padEnd(10), out)}${value}`);
  field('task', `${r.id}  ${status(r.status)}`);
  field(
    'agent',
    `${r.agentType}${r.agentHash ? `  (${r.agentFile ?? 'code'} sha256:${r.agentHash.slice(0, 12)})` : ''}`,
  );
  field(
    'model',
    [r.resolvedModel, ...(r.modelsUsed ?? []).map((m) => m.model).filter((m) => m !== r.resolvedModel)]
      .filter(Boolean)
      .join(' → '),
  );
  field('parent', r.parentId && `${r.parentId}${r.parentCallId ? ` (call ${r.parentCallId})` : ''}`);
  field('continues', r.continuesTaskId);
  field(
    'caller',
    (r.callerThreadId || r.callerCallId) &&
      [r.callerThreadId && `thread ${r.callerThreadId}`, r.callerCallId && `call ${r.callerCallId}`]
        .filter(Boolean)
        .join(', '),
  );
  field('trace', r.traceId);
  field('queued', new Date(r.queuedAt).toISOString());
  field(
    'time',
    `${duration(r.durationMs)}${r.timings ? ` (queued ${duration(r.timings.queuedMs)}, model ${duration(r.timings.modelMs)}, tools ${duration(r.timings.toolMs)})` : ''}`,
  );
  field(
    'usage',
    `${r.turns} turns, ${r.toolUses} tool calls, ${r.usage.inputTokens} in / ${r.usage.outputTokens} out tokens, ${cost(r.usage.costUsd)}${r.retries ? `, ${r.retries} retried calls` : ''}`,
  );
  field('about', r.description);
  const input = r.input as { prompt?: string } | undefined;
  if (input?.prompt) lines.push('', paint('bold', 'Prompt', out), indent(clip(input.prompt, 20), '  '));
  return lines.join('\n');
}

/** A turn's heading, with its tokens once the turn has ended (`said`, its `turn` step). */
export function formatTurnHeading(turn: number, said: StepRecord | undefined): string {
  const usage = said?.data.usage as { input: number; output: number } | undefined;
  return `\n${paint('bold', `Turn ${turn}${usage ? `  (${usage.input} in / ${usage.output} out)` : ''}`, out)}`;
}

/** What the model said in a turn, indented and clipped; '' when it said nothing. */
const saidText = (said: StepRecord | undefined) =>
  said && String(said.data.text).trim() ? indent(clip(String(said.data.text)), '  ') : '';

const toolLine = (s: StepRecord, outcome: string) =>
  `  → ${s.name} ${JSON.stringify(s.data.input)}  ${outcome}`;

/** A failed model call attempt, a failover or a denied tool call: the same line wherever it is shown. */
function eventLine(s: StepRecord): string | undefined {
  if (s.kind === 'tool_denied') return toolLine(s, `${paint('red', 'denied', out)}: ${s.data.reason}`);
  if (s.kind === 'model_call')
    return `  ! model ${s.data.model} attempt ${s.data.attempt}: ${s.data.outcome} (${s.data.reason ?? s.data.status ?? ''}) ${s.data.error ?? ''}`.trimEnd();
  if (s.kind === 'failover') return `  ! failover ${s.data.from} → ${s.data.to} (${s.data.reason})`;
  return undefined;
}

/** A tool's outcome (`ok 12ms`, `error 3ms`) and what it returned, clipped. */
function resultLines(result: StepRecord): { outcome: string; body: string[] } {
  const outcome = result.data.error !== undefined ? paint('red', 'error', out) : paint('green', 'ok', out);
  const body = result.data.error ?? result.data.output;
  return {
    outcome: `${outcome} ${duration(Number(result.data.durationMs))}`,
    body: body ? [indent(clip(String(body), 6), '      ')] : [],
  };
}

/**
 * One step as it is appended (`runs show --follow`, under its turn's heading): a tool call when it
 * starts, its result when it comes back, and what the model said once its turn has ended (which is
 * after the turn's tools have run). '' for a turn in which the model said nothing.
 */
export function formatStep(s: StepRecord): string {
  if (s.kind === 'turn') return saidText(s);
  if (s.kind === 'tool_call') return toolLine(s, paint('yellow', '…', out));
  if (s.kind === 'tool_result') {
    const { outcome, body } = resultLines(s);
    return [`  ← ${s.name}  ${outcome}`, ...body].join('\n');
  }
  return eventLine(s) ?? '';
}

/** After the steps: the subagents, then the result (or partial output) and the error with its fix. */
export function formatEnding(r: TaskRecord, children: TaskRecord[]): string {
  const lines: string[] = [];
  if (children.length) {
    lines.push('', paint('bold', 'Subagents', out));
    for (const c of children)
      lines.push(
        `  ${c.id}  ${status(c.status)}  ${c.agentType}  ${c.description}  ${duration(c.durationMs)}`,
      );
  }
  if (r.content) lines.push('', paint('bold', 'Result', out), indent(r.content, '  '));
  else if (r.partialContent)
    lines.push('', paint('bold', 'Partial output', out), indent(r.partialContent, '  '));
  const workspace = workspaceLines(r.id, r.workspace);
  if (workspace.length) lines.push('', paint('bold', 'Workspace', out), ...workspace.map((l) => `  ${l}`));
  if (r.error) {
    lines.push('', `${paint('red', 'error:', out)} ${r.error.type}: ${r.error.message}`);
    if (r.error.hint) lines.push(`  ${paint('bold', 'fix:', out)} ${r.error.hint}`);
  }
  return lines.join('\n');
}

/** A task and its transcript, turn by turn: what the model said, the tools it called, what came back. */
export function formatTranscript(r: TaskRecord, steps: StepRecord[], children: TaskRecord[]): string {
  const lines: string[] = [formatHeader(r)];
  const byTurn = new Map<number, StepRecord[]>();
  for (const s of steps) byTurn.set(s.turn, [...(byTurn.get(s.turn) ?? []), s]);
  for (const [turn, group] of [...byTurn].sort((a, b) => a[0] - b[0])) {
    const said = group.find((s) => s.kind === 'turn');
    lines.push(formatTurnHeading(turn, said));
    if (saidText(said)) lines.push(saidText(said));
    for (const s of group) {
      if (s.kind === 'tool_call') {
        const result = group.find((x) => x.kind === 'tool_result' && x.callId === s.callId);
        const shown = result && resultLines(result);
        lines.push(toolLine(s, shown?.outcome ?? paint('yellow', 'no result', out)), ...(shown?.body ?? []));
      } else {
        const line = eventLine(s);
        if (line) lines.push(line);
      }
    }
  }
  const ending = formatEnding(r, children);
  if (ending) lines.push(ending);
  return lines.join('\n');
}

/** A finished record as `run` describes its result: status, agent, model, run time, tokens, tools; the error and its fix. */
export function describeRecord(r: TaskRecord): string {
  return describeResult({
    status: r.status,
    agentType: r.agentType,
    resolvedModel: r.resolvedModel ?? null,
    usage: r.usage,
    totalToolUseCount: r.toolUses,
    toolStats: r.toolStats ?? {},
    error: r.error,
    totalDurationMs: r.durationMs ?? (r.finishedAt ?? r.queuedAt) - r.queuedAt,
    timings: r.timings ?? { queuedMs: 0, modelMs: 0, toolMs: 0 },
  });
}
