import type { OutputGuardReport } from '../engine/index.ts';
import type { TaskErrorInfo } from '../errors/index.ts';
import type { HubEvent } from '../http/index.ts';
import type { RunStore, StepRecord, TaskRecord } from '../store/index.ts';
import type { Redactor } from '../telemetry/index.ts';
import type { LiveTasks } from './live-tasks.ts';
import type { DashboardHub } from './routes.ts';
import type { TaskSummary } from './task-summary.ts';

/** One line of a transcript. Tool calls carry their result once it came (`pending` until then). */
export type TranscriptEntry =
  | {
      kind: 'turn';
      at: number;
      turn: number;
      text: string;
      toolCalls: { callId: string; name: string }[];
      usage?: { input: number; output: number };
      finishReason?: string;
    }
  | {
      kind: 'tool';
      at: number;
      turn: number;
      callId: string;
      name: string;
      input: unknown;
      output?: string;
      error?: string;
      denied?: boolean;
      durationMs?: number;
      pending: boolean;
    }
  | { kind: 'retry'; at: number; turn: number; [field: string]: unknown }
  | { kind: 'failover'; at: number; turn: number; from: string; to: string; reason: string; status?: number };

export interface Transcript {
  task: TaskSummary;
  /** The Task input (redacted), the final text or what there was of it, the error with its hint. */
  input?: unknown;
  content?: string;
  partialContent?: string;
  error?: TaskErrorInfo;
  failovers?: TaskRecord['failovers'];
  modelsUsed?: TaskRecord['modelsUsed'];
  outputGuard?: OutputGuardReport;
  entries: TranscriptEntry[];
}

interface Sources {
  store: RunStore | undefined;
  hub: DashboardHub;
  live: LiveTasks;
  redactor: Redactor;
}

/**
 * A task's transcript, as recorded in the run store (redacted when written) or, without a store,
 * from the server's in-memory events (redacted there too).
 */
export function transcriptOf(sources: Sources, task: TaskSummary): Transcript {
  const { store, hub, live, redactor } = sources;
  const record = store?.get(task.id);
  const extras = live.extras(task.id);
  const transcript: Transcript = { task, entries: [] };
  const outputGuard = record?.outputGuard ?? extras?.outputGuard;
  if (outputGuard) transcript.outputGuard = redactor.value(outputGuard);
  if (record) {
    transcript.entries = entriesOfSteps(store!.steps(task.id));
    const fields = {
      input: record.input,
      content: record.content,
      partialContent: record.partialContent,
      error: record.error,
      failovers: record.failovers?.length ? record.failovers : undefined,
      modelsUsed: record.modelsUsed,
    };
    for (const [key, value] of Object.entries(fields)) {
      if (value !== undefined) (transcript as unknown as Record<string, unknown>)[key] = value;
    }
    return transcript;
  }
  if (extras?.input !== undefined) transcript.input = redactor.value(extras.input);
  const view = hub.get(task.id)?.view;
  if (view?.content) transcript.content = view.content;
  if (view?.partialContent) transcript.partialContent = view.partialContent;
  if (view?.error) transcript.error = view.error;
  const events: HubEvent[] = [];
  hub.follow(task.id, 0, (event) => events.push(event))?.unsubscribe();
  transcript.entries = entriesOfEvents(events);
  return transcript;
}

export function entriesOfSteps(steps: StepRecord[]): TranscriptEntry[] {
  const out = new Entries();
  for (const s of steps) {
    const d = s.data;
    const base = { at: s.at, turn: s.turn };
    if (s.kind === 'turn') out.turn(base, d);
    else if (s.kind === 'tool_call') out.toolStarted(base, s.callId ?? '', s.name ?? '', d.input);
    else if (s.kind === 'tool_denied') {
      out.toolStarted(base, s.callId ?? '', s.name ?? '', d.input);
      out.toolFinished(s.callId ?? '', { error: d.reason, denied: true });
    } else if (s.kind === 'tool_result') out.toolFinished(s.callId ?? '', d);
    else if (s.kind === 'failover') out.push({ kind: 'failover', ...base, ...(d as FailoverData) });
    else out.push({ kind: 'retry', ...base, ...d });
  }
  return out.entries;
}

export function entriesOfEvents(events: HubEvent[]): TranscriptEntry[] {
  const out = new Entries();
  for (const event of events) {
    const d = JSON.parse(event.data) as Record<string, unknown>;
    const base = { at: Number(d.at), turn: Number(d.turn ?? 0) };
    if (event.event === 'task.turn') out.turn(base, d);
    else if (event.event === 'task.tool' && d.phase === 'started')
      out.toolStarted(base, String(d.callId), String(d.name), d.input);
    else if (event.event === 'task.tool') {
      if (d.denied) out.toolStarted(base, String(d.callId), String(d.name), d.input);
      out.toolFinished(String(d.callId), d);
    } else if (event.event === 'task.failover')
      out.push({ kind: 'failover', ...base, ...(d as FailoverData) });
    else if (event.event === 'task.model_call' && d.outcome !== 'ok') {
      const { taskId: _t, parentTaskId: _p, agentType: _a, traceId: _r, ...call } = d;
      out.push({ kind: 'retry', ...call, ...base });
    }
  }
  return out.entries;
}

type FailoverData = { from: string; to: string; reason: string; status?: number };

// Within a turn: its failed attempts, then what the model said, then the tools it called. A turn's
// step is recorded when it ends, after its tools ran; read in that order the calls would come first.
const RANK: Record<TranscriptEntry['kind'], number> = { retry: 0, failover: 0, turn: 1, tool: 2 };

/** Builds entries in reading order, a tool's result joined to its call. */
class Entries {
  readonly #entries: TranscriptEntry[] = [];
  readonly #calls = new Map<string, Extract<TranscriptEntry, { kind: 'tool' }>>();

  get entries(): TranscriptEntry[] {
    return this.#entries
      .map((entry, i) => ({ entry, i }))
      .sort((a, b) => a.entry.turn - b.entry.turn || RANK[a.entry.kind] - RANK[b.entry.kind] || a.i - b.i)
      .map(({ entry }) => entry);
  }

  push(entry: TranscriptEntry): void {
    this.#entries.push(entry);
  }

  turn(base: { at: number; turn: number }, d: Record<string, unknown>): void {
    this.push({
      kind: 'turn',
      ...base,
      text: String(d.text ?? ''),
      toolCalls: (d.toolCalls as { callId: string; name: string }[] | undefined) ?? [],
      ...(d.usage ? { usage: d.usage as { input: number; output: number } } : {}),
      ...(d.finishReason ? { finishReason: String(d.finishReason) } : {}),
    });
  }

  toolStarted(base: { at: number; turn: number }, callId: string, name: string, input: unknown): void {
    const entry = { kind: 'tool' as const, ...base, callId, name, input, pending: true };
    this.#calls.set(callId, entry);
    this.push(entry);
  }

  toolFinished(callId: string, d: Record<string, unknown>): void {
    const entry = this.#calls.get(callId);
    if (!entry) return;
    entry.pending = false;
    if (typeof d.output === 'string') entry.output = d.output;
    if (typeof d.error === 'string') entry.error = d.error;
    if (d.denied) entry.denied = true;
    if (typeof d.durationMs === 'number') entry.durationMs = d.durationMs;
  }
}
