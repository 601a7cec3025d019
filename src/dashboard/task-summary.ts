import type { TaskErrorInfo } from '../errors/index.ts';
import type { RecordStatus, TaskRecord } from '../store/index.ts';

/** One row of the task list and one node of a tree: what the page shows of a task, live or recorded. */
export interface TaskSummary {
  id: string;
  parentId?: string;
  /** The client conversation (Codex's thread) that asked for it. */
  callerThreadId?: string;
  continuesTaskId?: string;
  agentType: string;
  description: string;
  status: RecordStatus;
  model?: string;
  spawnDepth: number;
  /** Epoch ms. */
  queuedAt: number;
  startedAt?: number;
  finishedAt?: number;
  durationMs?: number;
  turns: number;
  toolUses: number;
  lastTool?: string;
  inputTokens: number;
  outputTokens: number;
  /** USD; null while unknown (no priced call yet, or the model's price is unknown). */
  costUsd: number | null;
  retries: number;
  error?: Pick<TaskErrorInfo, 'type' | 'message' | 'hint'>;
  /** This server can cancel it (it started the task, and it is still running). */
  cancellable?: boolean;
}

export const errorSummary = (e: TaskErrorInfo): NonNullable<TaskSummary['error']> => ({
  type: e.type,
  message: e.message,
  ...(e.hint ? { hint: e.hint } : {}),
});

/** A recorded task as a summary (records are redacted when written). */
export function summaryOfRecord(r: TaskRecord): TaskSummary {
  const summary: TaskSummary = {
    id: r.id,
    agentType: r.agentType,
    description: r.description,
    status: r.status,
    spawnDepth: r.spawnDepth,
    queuedAt: r.queuedAt,
    turns: r.turns,
    toolUses: r.toolUses,
    inputTokens: r.usage.inputTokens,
    outputTokens: r.usage.outputTokens,
    costUsd: r.usage.costUsd,
    retries: r.retries,
  };
  const optional: Partial<TaskSummary> = {
    parentId: r.parentId,
    callerThreadId: r.callerThreadId,
    continuesTaskId: r.continuesTaskId,
    model: r.resolvedModel,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    durationMs: r.durationMs === undefined ? undefined : Math.round(r.durationMs),
    error: r.error && errorSummary(r.error),
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) (summary as unknown as Record<string, unknown>)[key] = value;
  }
  return summary;
}
