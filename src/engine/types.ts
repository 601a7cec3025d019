import type { EventEmitter } from 'node:events';
import type { ModelMessage } from 'ai';
import type { AgentDefinition } from '../agents/index.ts';
import type { TaskErrorInfo } from '../errors/index.ts';
import type { AttemptReport, ModelRouting } from '../models/index.ts';
import type { PermissionMode, PolicyDecision } from '../tools/policy/index.ts';
import type { BudgetLedger } from './budgets.ts';
import type { OutputGuardReport } from './output-guard.ts';

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
  /** Claude Code's: the caller gets the agentId at once and the result later (a notification, TaskOutput). */
  run_in_background?: boolean;
  /** Claude Code's: `worktree` runs the subagent in a temporary git worktree on its own branch. */
  isolation?: 'worktree';
}

export interface TaskOptions {
  signal?: AbortSignal;
  /** Working directory / workspace root of the subagent; the engine's `cwd` when omitted. */
  cwd?: string;
  /** The parent's model, used by agents with `model: inherit` (or none). */
  callerModel?: string;
  /**
   * Who asked for this task from outside the engine: a client's conversation (Codex's thread id)
   * and the tool call that carries it. Kept with the task (events, run records); never a task id.
   */
  caller?: TaskCaller;
  /** The task's id, when its caller must know it before starting it (a detached process); unique. Default: a new one. */
  taskId?: string;
  /** The engine task that started this one (nested Task calls; set by the engine itself). */
  parentTaskId?: string;
  /** The parent's `Task` tool call that started this one (nested Task calls; set by the engine itself). */
  parentCallId?: string;
  /**
   * Continue this earlier task: the new task runs the same agent, model and directory with its whole
   * conversation, the input's prompt as the next user message (`engine.sendMessage` sets it).
   */
  continueFrom?: string;
  /** Nesting level: 0 for a Task started by a user or client, n+1 for a Task started by a subagent. */
  spawnDepth?: number;
  /**
   * Admission priority: a whole number from -100 to 100, higher starts sooner, 0 by default; time
   * spent waiting raises it (`task-priority.ts`). Nested tasks inherit their parent's. Out of range,
   * the task fails with an InvalidTaskInput error naming `priority`.
   */
  priority?: number;
  /**
   * What a subagent inherits from the one that started it, so delegation never loosens: it runs in
   * no looser a permission mode, and without the tools its ancestors' `disallowedTools` removed.
   */
  inherited?: InheritedLimits;
  /**
   * The budget (`maxTasks`, `maxCostUsd`) this task and its nested tasks count against: the
   * engine's own by default; a queue worker passes the enqueuing run's shared one.
   */
  budget?: BudgetLedger;
}

/** A client's conversation and tool call that started a task (e.g. Codex's thread id and call_id). */
export interface TaskCaller {
  threadId?: string;
  callId?: string;
}

/** What a task was started with: the input as given (before validation), who asked, what it continues. */
export interface TaskOrigin {
  input: unknown;
  caller?: TaskCaller;
  /** The task whose conversation this one continues (SendMessage). */
  continuesTaskId?: string;
}

/** A subagent's conversation, kept so it can be continued later (SendMessage, `runs resume`). */
export interface Transcript {
  taskId: string;
  agentType: string;
  description: string;
  /** The working directory it ran in (a worktree's, for an isolated task). */
  cwd: string;
  /** `provider:model` it ran on: a follow-up runs on the same one. */
  model: string;
  /** User, assistant and tool messages (no system prompt), as the AI SDK holds them. */
  messages: ModelMessage[];
}

/** Where an engine keeps transcripts: in memory by default, in the run store under a runtime. */
export interface TranscriptStore {
  save(transcript: Transcript): void;
  load(taskId: string): Transcript | undefined;
}

/**
 * A task in flight, returned by `engine.start()` at once: its id before anything runs, its result
 * when it ends (never rejects: every outcome is a TaskResult), cancellation, and its own events.
 */
export interface TaskHandle {
  readonly id: string;
  readonly caller: TaskCaller | undefined;
  readonly parentTaskId: string | undefined;
  readonly result: Promise<TaskResult>;
  /** Cancels the task (queued or running); its result then has status `cancelled`, with this reason in its error. */
  cancel(reason?: string | Error): void;
  /** This task's events only (not its nested tasks'), from `task.queued` to `task.finished`. */
  readonly events: Pick<EventEmitter<TaskEvents>, 'on' | 'off' | 'once'>;
}

export interface InheritedLimits {
  mode: PermissionMode;
  disallowedTools: readonly string[];
  /**
   * The checkouts that worktree-isolated ancestors were made from: their secrets stay hidden from
   * this subagent's sandbox too (it works in, or beside, their worktrees).
   */
  checkouts?: readonly string[];
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

/** Tokens and cost of the calls one model served. */
export interface ModelUsage extends TaskUsage {
  /** `provider:model` */
  model: string;
  calls: number;
}

/** A switch to another candidate of the model's failover chain (logged as a `task.failover` event). */
export interface FailoverRecord {
  /** The model turn (1-based) being served when it happened. */
  turn: number;
  from: string;
  to: string;
  /** `circuit-open` (moved before trying), or what the last attempt got: `503`, `429`, `connection`, `timeout`… */
  reason: string;
  status?: number;
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
  /** The task this one continued (a SendMessage follow-up): a new run record linked to the first. */
  continuesTaskId?: string;
  /** Started with `run_in_background`: its caller got the agentId at once. */
  background?: boolean;
  status: TaskStatus;
  agentType: string;
  description: string;
  /** The subagent's final text (empty unless `status` is `completed`). */
  content: string;
  /** What the subagent had produced before it failed, timed out or was cancelled. */
  partialContent?: string;
  /**
   * `provider:model` the task resolved to (env > call > agent > caller); null if it failed before a
   * model was chosen. What actually served each turn is in `modelsUsed`: more than one model only
   * after a failover, which is also listed in `failovers`.
   */
  resolvedModel: string | null;
  /**
   * Present when the model was `auto` (docs/model-routing.md): the tier that ran, the rule that
   * picked it, and, when the first run failed and the task re-ran on the next tier, the tier it
   * escalated from and why. `resolvedModel` is then the stronger tier's model.
   */
  routing?: ModelRouting;
  /** Every model that served a turn, in order of first use, with its calls, tokens and cost. */
  modelsUsed: ModelUsage[];
  failovers: FailoverRecord[];
  /** Model call attempts that failed on availability and were retried (here or on another candidate). */
  retries: number;
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
  /**
   * Present when the output guard changed `content` (or `partialContent`): instruction-shaped text
   * neutralised, or the text cut to size. The original is at `originalPath`.
   */
  outputGuard?: OutputGuardReport;
  /** Present when the task ran in a git worktree of its own (`isolation: "worktree"`). */
  worktree?: TaskWorktree;
  /** Present when a queue worker ran it (`codex-task worker`): its runs and where they were. */
  queue?: TaskQueueRun;
  /** Present when a queued task named its workspace (a shared path, or a git remote and commit): what came of it. */
  workspace?: TaskWorkspace;
}

/**
 * A queued task's workspace as it ended (queue/workspace.ts): a shared `path` as it is, or, for a
 * git workspace, the task's changes against the commit it started from, as a patch and, when asked
 * for, as the branch `codex-task/<taskId>` pushed to the remote.
 */
export type TaskWorkspace =
  | { kind: 'path'; path: string }
  | {
      kind: 'git';
      /** The remote, without any password in it. */
      remote: string;
      /** The commit the task started from. */
      base: string;
      changed: boolean;
      /** `3 files changed (1 new), 10 insertions(+), 2 deletions(-); 1 commit`, or `no changes`. */
      summary: string;
      /**
       * `git diff --binary <base>` of everything the task changed (its commits and its files, new
       * ones included, ignored ones not): `git apply` it on `base`. `utf8` when the diff is valid
       * UTF-8 (then `data` is the diff itself), else `base64`. Absent when nothing changed.
       */
      patch?: { encoding: 'utf8' | 'base64'; data: string; bytes: number };
      /** Why the patch was left out (over the size limit: push the branch instead). */
      patchOmitted?: string;
      /** The branch pushed to the remote (`push: true`, when something changed) and its commit. */
      pushed?: { branch: string; commit: string };
      /** What git said when the push failed (the patch is still here). */
      pushFailed?: string;
      /**
       * Changes in the client's checkout that were not sent (uncommitted or untracked files): the
       * worker started from `base`, without them.
       */
      notSent?: string;
    };

/** How a queued task was run: a re-run after a worker died (or handed it back) counts as one more attempt. */
export interface TaskQueueRun {
  attempts: number;
  /** The worker whose run gave this result (`host:pid:…`). */
  workerId: string;
  /** The worker of each run, in order. */
  workers: string[];
}

/**
 * The git worktree an isolated task worked in (`isolation: "worktree"`), as the task left it: an
 * unchanged one has been removed with its branch; a changed one is kept until the user merges or
 * removes it (`codex-task worktrees list|remove`).
 */
export interface TaskWorktree {
  path: string;
  /** `codex-task/<taskId>`: gone too when the worktree was removed. */
  branch: string;
  /** The commit it started from. */
  base: string;
  /** Anything left to look at: files changed or added (ignored ones aside), or commits made. */
  changed: boolean;
  /** Still there (changed, or not removable); `false` once removed. */
  kept: boolean;
  /** `3 files changed (1 new), 10 insertions(+), 2 deletions(-)`, `no changes`, or why it could not be read. */
  summary: string;
}

export interface TaskEventBase {
  taskId: string;
  parentTaskId?: string;
  /** The parent's `Task` tool call that started this task (nested tasks only). */
  parentCallId?: string;
  agentType: string;
  spawnDepth: number;
  description: string;
}

export interface TaskEvents {
  /** The task's first event, emitted synchronously by `start()`: the input as given and who asked. */
  'task.queued': [TaskEventBase & TaskOrigin & { queueDepth: number }];
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
      /** The permission policy's decision: which rule (and file) allowed or denied the call. */
      policy?: PolicyDecision;
    },
  ];
  /**
   * Once per task, when its permission policy is in force: the mode it runs in and what was said
   * about it (a downgraded bypassPermissions, rules ignored in a settings file).
   */
  'task.permissions': [
    TaskEventBase & { mode: string; warnings: string[]; sources: { file: string; rules: number }[] },
  ];
  /**
   * One HTTP attempt of a model call (for metrics and logs). Payload: `turn` (1-based) and `attempt`
   * (1-based within the turn); `provider` id and `model` (`provider:model`) it went to; `outcome`:
   * `ok`, `retry` (failed, retried after `waitMs`), `failover` (failed, next candidate) or `failed`
   * (gave up, or a request error such as 401); `latencyMs` of the attempt and `queuedMs` spent in the
   * provider's rate limits before it; on failure `status` (HTTP), `reason` (`429`, `503`,
   * `connection`, `timeout`, `cut`, `malformed`, `circuit-open`…) and `error` (message); on success `usage`
   * and `costUsd` (null when the price is unknown).
   */
  'task.model_call': [
    TaskEventBase &
      AttemptReport & {
        turn: number;
        usage?: { input: number; output: number; cacheRead: number; cacheWrite: number };
        costUsd?: number | null;
      },
  ];
  /** The task moved to another candidate of its failover chain (also in `TaskResult.failovers`). */
  'task.failover': [TaskEventBase & FailoverRecord];
  /** The last event. A task refused before it was queued (bad input, budget) has only this one, so it carries the input and caller too. */
  'task.finished': [TaskEventBase & TaskOrigin & { result: TaskResult }];
}

/** A tool from a `toolProvider`: JSON Schema in, text out, cancellable (an MCP server's tool). */
export interface ProvidedToolSpec {
  description: string;
  inputSchema: Record<string, unknown>;
  execute(input: unknown, options: { signal: AbortSignal }): Promise<string>;
}

/** Where a subagent's extra tools come from (MCP servers: `McpClientPool` in mcp/). */
export interface SubagentToolProvider {
  /** The tools this run may be offered, by model-facing name; `release` when the run ends. */
  toolsFor(
    agent: AgentDefinition,
    cwd: string,
    signal?: AbortSignal,
  ): Promise<{ tools: Record<string, ProvidedToolSpec>; release(): Promise<void> }>;
  close(): Promise<void>;
}
