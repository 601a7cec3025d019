import type { TaskResult, TaskUsage } from '../engine/index.ts';
import type { TaskErrorInfo } from '../errors/index.ts';
import type { RecordStatus, TaskRecord } from '../store/index.ts';
import type { Redactor } from '../telemetry/index.ts';

/** A task as the API shows it, live or finished, from memory or from the store. */
export interface TaskView {
  id: string;
  parentId?: string;
  /** The task whose conversation this one continued (POST /v1/tasks/:id/messages, SendMessage). */
  continuesTaskId?: string;
  traceId?: string;
  agentType: string;
  description: string;
  status: RecordStatus;
  resolvedModel?: string | null;
  queuedAt: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  turns: number;
  toolUses: number;
  lastTool?: string;
  usage: Pick<TaskUsage, 'inputTokens' | 'outputTokens'> & Partial<TaskUsage>;
  content?: string;
  partialContent?: string;
  error?: TaskErrorInfo;
  links: { self: string; events: string; messages: string };
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function links(id: string): TaskView['links'] {
  return { self: `/v1/tasks/${id}`, events: `/v1/tasks/${id}/events`, messages: `/v1/tasks/${id}/messages` };
}

/** Applies a finished result to a live view. */
export function finishView(view: TaskView, r: TaskResult, redactor: Redactor): void {
  const redact = (s: string) => redactor.text(s);
  view.status = r.status;
  view.agentType = r.agentType;
  view.resolvedModel = r.resolvedModel;
  view.finishedAt = new Date().toISOString();
  view.durationMs = Math.round(r.totalDurationMs);
  view.turns = r.turns;
  view.toolUses = r.totalToolUseCount;
  view.usage = { ...r.usage };
  view.content = redact(r.content);
  if (r.partialContent) view.partialContent = redact(r.partialContent);
  // The whole error (hint, details), as the run recorder stores it: a hint can quote an input.
  if (r.error) view.error = redactor.value(r.error);
}

export function viewOfRecord(r: TaskRecord): TaskView {
  const optional = {
    parentId: r.parentId,
    continuesTaskId: r.continuesTaskId,
    traceId: r.traceId,
    resolvedModel: r.resolvedModel,
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
    durationMs: r.durationMs === undefined ? undefined : Math.round(r.durationMs),
    content: r.content,
    partialContent: r.partialContent,
    error: r.error,
  };
  const view: TaskView = {
    id: r.id,
    agentType: r.agentType,
    description: r.description,
    status: r.status,
    queuedAt: new Date(r.queuedAt).toISOString(),
    turns: r.turns,
    toolUses: r.toolUses,
    usage: r.usage,
    links: links(r.id),
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) (view as unknown as Record<string, unknown>)[key] = value;
  }
  return view;
}
