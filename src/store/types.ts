import type { TaskResult, TaskStatus, TaskUsage, ToolStat } from '../engine/index.ts';
import type { TaskErrorInfo } from '../errors/index.ts';

/** A task's status in the store: the two live ones, the engine's final ones, and `interrupted`. */
export const RECORD_STATUSES = [
  'queued',
  'running',
  'completed',
  'failed',
  'timed_out',
  'cancelled',
  'interrupted',
] as const satisfies readonly ('queued' | 'running' | TaskStatus | 'interrupted')[];
export type RecordStatus = (typeof RECORD_STATUSES)[number];

export const LIVE_STATUSES: readonly RecordStatus[] = ['queued', 'running'];

export interface TaskRecord {
  id: string;
  parentId?: string;
  /** The parent's `Task` tool call that started this task. */
  parentCallId?: string;
  /** The client conversation (e.g. Codex's thread id) and tool call that asked for it, for a task a client started. */
  callerThreadId?: string;
  callerCallId?: string;
  /** The task whose conversation this one continued (SendMessage, `runs resume`). */
  continuesTaskId?: string;
  traceId?: string;
  agentType: string;
  description: string;
  spawnDepth: number;
  /** The Task input as given (redacted); absent when the engine did not reveal it. */
  input?: unknown;
  agentFile?: string;
  agentHash?: string;
  resolvedModel?: string;
  status: RecordStatus;
  content?: string;
  partialContent?: string;
  error?: TaskErrorInfo;
  /** Epoch ms. */
  queuedAt: number;
  startedAt?: number;
  finishedAt?: number;
  durationMs?: number;
  timings?: { queuedMs: number; modelMs: number; toolMs: number };
  turns: number;
  toolUses: number;
  usage: TaskUsage;
  toolStats?: Record<string, ToolStat>;
  /** Every model that served a turn, with its calls, tokens and cost (more than one after a failover). */
  modelsUsed?: TaskResult['modelsUsed'];
  failovers?: TaskResult['failovers'];
  /** Model call attempts that failed and were retried. */
  retries: number;
  /** The process that ran it (`host:pid:…`). */
  instanceId?: string;
  /** Runs a queue worker made of it (1, or more after a worker died or handed it back); absent when run in process. */
  attempts?: number;
  /** The queue worker whose run gave the result. */
  workerId?: string;
  /** The worker of each run, in order. */
  workers?: string[];
  /** What the output guard changed in the result (TaskResult.outputGuard), redacted. */
  outputGuard?: TaskResult['outputGuard'];
  /**
   * What came of a queued task's workspace (TaskResult.workspace): a git task's patch is here
   * (`codex-task runs show <id> --patch`), redacted; `patchRedacted` when that changed it.
   */
  workspace?: RecordedWorkspace;
}

export type RecordedWorkspace = NonNullable<TaskResult['workspace']> & { patchRedacted?: boolean };

/** `model_call`: an attempt that failed (retried, failed over or given up); successful calls are turns. */
export type StepKind = 'turn' | 'tool_call' | 'tool_result' | 'tool_denied' | 'model_call' | 'failover';

/** One step of a transcript; `data` is redacted and its long strings cut to the store's limit. */
export interface StepRecord {
  taskId: string;
  seq: number;
  /** Epoch ms. */
  at: number;
  kind: StepKind;
  turn: number;
  callId?: string;
  name?: string;
  data: Record<string, unknown>;
}

export interface ListFilter {
  status?: RecordStatus | readonly RecordStatus[];
  agent?: string;
  /** Epoch ms: tasks queued at or after. */
  since?: number;
  parentId?: string;
  /** Tasks started by this client tool call (the proxy's Task calls, by Codex's call_id). */
  callerCallId?: string;
  /** Tasks started from this client conversation (Codex's thread id). */
  callerThreadId?: string;
  /** Only tasks started by a user or client (no parent). */
  rootsOnly?: boolean;
  limit?: number;
}

export interface RetentionPolicy {
  maxAgeMs?: number;
  maxTasks?: number;
}

/** The row written when a task is first seen. */
export interface QueuedTask {
  id: string;
  parentId?: string | undefined;
  parentCallId?: string | undefined;
  callerThreadId?: string | undefined;
  callerCallId?: string | undefined;
  continuesTaskId?: string | undefined;
  traceId?: string | undefined;
  agentType: string;
  description: string;
  spawnDepth: number;
  input?: unknown;
  queuedAt: number;
  instanceId?: string | undefined;
}
