import type { TaskErrorInfo } from '../errors/index.ts';

/** The Task tool's input, exactly Claude Code's field names. */
export interface TaskInput {
  /** A short (3–5 word) label for the task. */
  description: string;
  /** The whole task: the only context the subagent gets. */
  prompt: string;
  /** Which agent runs it; `general-purpose` when omitted. */
  subagent_type?: string;
  /** Per-call model override (alias or id). */
  model?: string;
}

export interface TaskOptions {
  signal?: AbortSignal;
  /** Working directory / workspace root of the subagent; the engine's `cwd` when omitted. */
  cwd?: string;
  /** The parent's model, used by agents with `model: inherit` (or none). */
  callerModel?: string;
  /** Correlation with the caller (e.g. a Codex thread or call id). */
  parentTaskId?: string;
  /** Nesting level: 0 for a Task started by a user or client, n+1 for a Task started by a subagent. */
  spawnDepth?: number;
}

export type TaskStatus = 'completed' | 'failed' | 'timed_out' | 'cancelled';

export interface TaskUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  totalTokens: number;
  /** Cost in USD; `null` when the model's price is unknown (never a made-up number). */
  costUsd: number | null;
}

export interface ToolStat {
  calls: number;
  errors: number;
  /** Calls refused by the runtime (tool not granted to this agent). */
  denied: number;
  durationMs: number;
}

export interface TaskTimings {
  /** From Task() to the start of the subagent (waiting for a slot). */
  queuedMs: number;
  /** Time inside model calls (summed over turns). */
  modelMs: number;
  /** Time inside tool calls (summed; concurrent calls overlap). */
  toolMs: number;
}

export interface TaskResult {
  /** Engine id of this task; the same value as `agentId`. */
  taskId: string;
  agentId: string;
  parentTaskId?: string;
  status: TaskStatus;
  agentType: string;
  description: string;
  /** The subagent's final text (empty unless `status` is `completed`). */
  content: string;
  /** What the subagent had produced before it failed, timed out or was cancelled. */
  partialContent?: string;
  /** `provider:model` that served the task; null if it failed before a model was chosen. */
  resolvedModel: string | null;
  totalDurationMs: number;
  totalToolUseCount: number;
  turns: number;
  usage: TaskUsage;
  toolStats: Record<string, ToolStat>;
  timings: TaskTimings;
  error?: TaskErrorInfo;
  /** The agent file that defined the run and its sha256 (absent for built-ins). */
  agentFile?: string;
  agentHash?: string;
}

export interface TaskEventBase {
  taskId: string;
  parentTaskId?: string;
  agentType: string;
  spawnDepth: number;
  description: string;
}

export interface TaskEvents {
  'task.queued': [TaskEventBase & { queueDepth: number }];
  'task.started': [TaskEventBase & { resolvedModel: string }];
  'task.progress': [
    TaskEventBase & {
      turn: number;
      lastTool?: string;
      toolUses: number;
      tokens: { input: number; output: number };
    },
  ];
  /** A model turn ended: what the model said and which tools it called (the transcript's steps). */
  'task.turn': [
    TaskEventBase & {
      turn: number;
      text: string;
      toolCalls: { callId: string; name: string; input: unknown }[];
      usage: { input: number; output: number };
      finishReason: string;
    },
  ];
  /** A tool call started or finished; `denied` when the runtime refused it (tool not granted). */
  'task.tool': [
    TaskEventBase & {
      phase: 'started' | 'finished';
      turn: number;
      callId: string;
      name: string;
      input: unknown;
      output?: string;
      error?: string;
      denied?: boolean;
      durationMs?: number;
    },
  ];
  'task.finished': [TaskEventBase & { result: TaskResult }];
}
