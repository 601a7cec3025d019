import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { OBSERVABILITY_DEFAULTS } from '../config/defaults/index.ts';
import type { TaskResult, Transcript } from '../engine/index.ts';
import { TaskInterruptedError } from '../errors/index.ts';
import { type LiveTaskRow, orphanedTasks } from './liveness.ts';
import { migrate } from './migrations.ts';
import { RunQueries } from './run-queries.ts';
import type { QueuedTask, RetentionPolicy, StepRecord } from './types.ts';

export interface RunStoreOptions {
  /** A file path, or `:memory:`. Default: `CODEX_TASK_RUNS_DB` or `~/.codex-task/runs.db`. */
  path?: string;
  env?: Record<string, string | undefined>;
}

export function defaultRunsDbPath(env: Record<string, string | undefined> = process.env): string {
  const configured = env.CODEX_TASK_RUNS_DB?.trim();
  if (configured) return configured;
  return join(homedir(), OBSERVABILITY_DEFAULTS.runsDb.replace(/^~\//, ''));
}

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

/**
 * Run records in SQLite (`node:sqlite`, nothing to install), WAL with `synchronous=NORMAL`.
 * Writes made in one macrotask are committed together at its end (`setImmediate`): a commit
 * rewrites whole pages, so one commit per event cost ~10× what the events themselves do. A killed
 * process therefore loses at most the writes of the macrotask it died in — the step in flight; only
 * a power loss can drop more. Reads flush first, so they see every earlier write.
 */
export class RunStore extends RunQueries {
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #s: Record<string, StatementSync>;
  /** Instances registered through this object: alive by definition, never marked by liveness. */
  readonly #own = new Set<string>();
  #pending: (() => void)[] = [];
  #flushScheduled = false;
  /** Where a failed batched write is reported (it happens after the caller has returned). */
  onWriteError: (error: unknown) => void = (error) => process.emitWarning(`run store: ${String(error)}`);

  constructor(options: RunStoreOptions = {}) {
    const path = options.path ?? defaultRunsDbPath(options.env);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const db = new DatabaseSync(path, { timeout: 5_000 });
    // 1 KiB pages: a commit rewrites every page it touches, and ours touch a few small rows (measured
    // against 4 KiB: about half the commit cost; applies to new files). The automatic checkpoint, which
    // fsyncs, is kept at SQLite's default 4 MiB of WAL rather than 1,000 of these smaller pages.
    db.exec(
      'PRAGMA page_size = 1024; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 4000;',
    );
    migrate(db, path);
    super(db);
    this.path = path;
    this.#db = db;
    const s = (sql: string) => db.prepare(sql);
    this.#s = {
      queued: s(`INSERT INTO tasks (id, parent_id, parent_call_id, caller_thread_id, caller_call_id,
          continues_task_id, trace_id, agent_type, description, spawn_depth, input, status, queued_at, instance_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?) ON CONFLICT (id) DO NOTHING`),
      transcript:
        s(`INSERT INTO transcripts (task_id, agent_type, description, cwd, model, messages, saved_at)
        VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (task_id) DO UPDATE SET messages = excluded.messages,
        saved_at = excluded.saved_at`),
      started: s(`UPDATE tasks SET status = 'running', started_at = ?, resolved_model = ?, agent_type = ?
        WHERE id = ? AND status = 'queued'`),
      step: s(`INSERT INTO steps (task_id, seq, at, kind, turn, call_id, name, data)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      turnTotals:
        s(`UPDATE tasks SET turns = ?, input_tokens = input_tokens + ?, output_tokens = output_tokens + ?
        WHERE id = ?`),
      toolUse: s('UPDATE tasks SET tool_uses = tool_uses + 1 WHERE id = ?'),
      finished:
        s(`UPDATE tasks SET status = ?, agent_type = ?, resolved_model = ?, content = ?, partial_content = ?,
          error = ?, finished_at = ?, duration_ms = ?, queued_ms = ?, model_ms = ?, tool_ms = ?, turns = ?,
          tool_uses = ?, input_tokens = ?, output_tokens = ?, cache_read_tokens = ?, cache_write_tokens = ?,
          cost_usd = ?, tool_stats = ?, agent_file = ?, agent_hash = ?, models_used = ?, failovers = ?,
          retries = ?, attempts = ?, worker_id = ?, workers = ?, output_guard = ?, workspace = ?
        WHERE id = ?`),
      instance: s(`INSERT INTO instances (id, host, pid, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at`),
      dropInstance: s('DELETE FROM instances WHERE id = ?'),
      upstreamCall: s(`INSERT INTO upstream_task_calls (call_id, arguments_hash, seen_at) VALUES (?, ?, ?)
        ON CONFLICT DO NOTHING`),
    };
  }

  /** Registers this process as a writer; its live tasks are marked interrupted if it dies. */
  registerInstance(): string {
    const id = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.#own.add(id);
    this.heartbeat(id);
    return id;
  }

  heartbeat(instanceId: string): void {
    this.flush();
    const [host = '', pid = '0'] = instanceId.split(':');
    const now = Date.now();
    this.#s.instance!.run(instanceId, host, Number(pid), now, now);
  }

  /** A clean shutdown: tasks this process still had live are interrupted, and it is forgotten. */
  releaseInstance(instanceId: string, reason = 'The process shut down before the task finished'): void {
    this.transaction(() => {
      this.markInterrupted({ instanceId, reason });
      this.#s.dropInstance!.run(instanceId);
    });
    this.#own.delete(instanceId);
  }

  taskQueued(t: QueuedTask): void {
    this.#write(() =>
      this.#s.queued!.run(
        t.id,
        t.parentId ?? null,
        t.parentCallId ?? null,
        t.callerThreadId ?? null,
        t.callerCallId ?? null,
        t.continuesTaskId ?? null,
        t.traceId ?? null,
        t.agentType,
        t.description,
        t.spawnDepth,
        json(t.input),
        t.queuedAt,
        t.instanceId ?? null,
      ),
    );
  }

  taskStarted(id: string, at: number, resolvedModel: string, agentType: string): void {
    this.#write(() => this.#s.started!.run(at, resolvedModel, agentType, id));
  }

  appendStep(step: StepRecord, totals?: { turns: number; inputTokens: number; outputTokens: number }): void {
    const insert = () => {
      this.#s.step!.run(
        step.taskId,
        step.seq,
        step.at,
        step.kind,
        step.turn,
        step.callId ?? null,
        step.name ?? null,
        JSON.stringify(step.data),
      );
      if (totals) this.#s.turnTotals!.run(totals.turns, totals.inputTokens, totals.outputTokens, step.taskId);
      if (step.kind === 'tool_call' || step.kind === 'tool_denied') this.#s.toolUse!.run(step.taskId);
    };
    this.#write(insert);
  }

  /** The final record; `r` is the engine's result with its long strings already redacted. */
  taskFinished(r: TaskResult, finishedAt: number): void {
    this.#write(() =>
      this.#s.finished!.run(
        r.status,
        r.agentType,
        r.resolvedModel,
        r.content,
        r.partialContent ?? null,
        json(r.error),
        finishedAt,
        r.totalDurationMs,
        r.timings.queuedMs,
        r.timings.modelMs,
        r.timings.toolMs,
        r.turns,
        r.totalToolUseCount,
        r.usage.inputTokens,
        r.usage.outputTokens,
        r.usage.cacheReadTokens,
        r.usage.cacheWriteTokens,
        r.usage.costUsd,
        json(r.toolStats),
        r.agentFile ?? null,
        r.agentHash ?? null,
        json(r.modelsUsed),
        json(r.failovers),
        r.retries ?? 0,
        r.queue?.attempts ?? null,
        r.queue?.workerId ?? null,
        json(r.queue?.workers),
        json(r.outputGuard),
        json(r.workspace),
        r.taskId,
      ),
    );
  }

  /**
   * A Task call the proxy saw stream from its upstream: only such calls may run when a client's
   * request answers them (`upstreamCallSeen`), before a restart as after.
   */
  recordUpstreamCall(callId: string, argumentsHash: string, at = Date.now()): void {
    this.#write(() => this.#s.upstreamCall!.run(callId, argumentsHash, at));
  }

  /** Keeps a finished subagent's conversation, for a follow-up after a restart too. */
  saveTranscript(t: Transcript): void {
    this.#write(() =>
      this.#s.transcript!.run(
        t.taskId,
        t.agentType,
        t.description,
        t.cwd,
        t.model,
        JSON.stringify(t.messages),
        Date.now(),
      ),
    );
  }

  /** Commits the writes waiting for the end of the macrotask now. */
  flush(): void {
    if (this.#pending.length === 0 || !this.#db.isOpen) return;
    const writes = this.#pending;
    this.#pending = [];
    this.transaction(() => {
      for (const write of writes) write();
    });
  }

  protected override beforeRead(): void {
    this.flush();
  }

  #write(fn: () => void): void {
    this.#pending.push(fn);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      try {
        this.flush();
      } catch (error) {
        this.onWriteError(error);
      }
    });
  }

  /**
   * Marks live tasks `interrupted`: those of one instance, or (by default) those of every instance
   * that is gone — a process on this host that no longer exists, or any process whose heartbeat is
   * older than `staleMs`. Safe to call from any process at any time: it never touches a live writer's
   * tasks. Returns the ids marked.
   */
  markInterrupted(options: { instanceId?: string; staleMs?: number; reason?: string } = {}): string[] {
    this.flush();
    const staleMs = options.staleMs ?? OBSERVABILITY_DEFAULTS.store.heartbeatMs * 5;
    const live = this.#db
      .prepare(
        `SELECT t.id, t.instance_id AS instanceId, i.host, i.pid, i.heartbeat_at AS heartbeatAt FROM tasks t
         LEFT JOIN instances i ON i.id = t.instance_id WHERE t.status IN ('queued', 'running')`,
      )
      .all() as unknown as LiveTaskRow[];
    const ids = options.instanceId
      ? live.filter((r) => r.instanceId === options.instanceId).map((r) => r.id)
      : orphanedTasks(live, staleMs, this.#own);
    if (ids.length === 0) return ids;
    const mark = this.#db.prepare(
      `UPDATE tasks SET status = 'interrupted', error = ?,
         finished_at = COALESCE((SELECT MAX(at) FROM steps WHERE task_id = tasks.id), started_at, queued_at)
       WHERE id = ? AND status IN ('queued', 'running')`,
    );
    const error = json(new TaskInterruptedError(options.reason).toJSON());
    this.transaction(() => {
      for (const id of ids) mark.run(error, id);
    });
    return ids;
  }

  /** Deletes finished tasks (and their steps) beyond the policy; returns how many went. */
  prune(policy: RetentionPolicy = {}): number {
    this.flush();
    const { retentionDays, retentionMaxTasks } = OBSERVABILITY_DEFAULTS.store;
    const maxAgeMs = policy.maxAgeMs ?? retentionDays * 86_400_000;
    const maxTasks = policy.maxTasks ?? retentionMaxTasks;
    const finished = "status NOT IN ('queued', 'running')";
    let deleted = 0;
    this.transaction(() => {
      const doomed = `SELECT id FROM tasks WHERE ${finished} AND (queued_at < ? OR id IN (
          SELECT id FROM tasks WHERE ${finished} ORDER BY queued_at DESC LIMIT -1 OFFSET ?))`;
      const cutoff = Date.now() - maxAgeMs;
      this.#db.prepare(`DELETE FROM steps WHERE task_id IN (${doomed})`).run(cutoff, maxTasks);
      this.#db.prepare(`DELETE FROM transcripts WHERE task_id IN (${doomed})`).run(cutoff, maxTasks);
      deleted = Number(
        this.#db.prepare(`DELETE FROM tasks WHERE id IN (${doomed})`).run(cutoff, maxTasks).changes,
      );
      this.#db.prepare('DELETE FROM instances WHERE heartbeat_at < ?').run(cutoff);
      this.#db.prepare('DELETE FROM upstream_task_calls WHERE seen_at < ?').run(cutoff);
    });
    return deleted;
  }

  /** True when a write goes through (for `/ready`): takes the write lock and lets it go. */
  writable(): boolean {
    try {
      this.#db.exec('BEGIN IMMEDIATE; ROLLBACK;');
      return true;
    } catch {
      return false;
    }
  }

  transaction(fn: () => void): void {
    if (this.#db.isTransaction) {
      fn();
      return;
    }
    this.#db.exec('BEGIN');
    try {
      fn();
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  close(): void {
    this.flush();
    if (this.#db.isOpen) this.#db.close();
  }
}
