import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { Transcript } from '../engine/index.ts';
import { CodexTaskError, reviveErrorInfo } from '../errors/index.ts';
import {
  facets,
  type SearchFilter,
  searchTasks,
  type TaskPage,
  type TimelineRow,
  timeline,
} from './task-search.ts';
import type { ListFilter, RecordStatus, StepKind, StepRecord, TaskRecord } from './types.ts';

export type Row = Record<string, SQLInputValue | null | undefined>;

export class AmbiguousTaskIdError extends CodexTaskError<{
  prefix: string;
  total: number;
  /** The ids of `candidates`. */
  matches: string[];
}> {
  /** The newest matches (at most 10); `total` says how many there are in all. */
  readonly candidates: TaskRecord[];
  constructor(prefix: string, candidates: TaskRecord[], total: number) {
    super(
      'AmbiguousTaskId',
      `'${prefix}' matches ${total} tasks: give more of the id`,
      'Give more characters of the id.',
      {
        details: { prefix, total, matches: candidates.map((c) => c.id) },
      },
    );
    this.candidates = candidates;
  }

  get total(): number {
    return this.details.total;
  }
}

/** The read side of the store: lists, records and transcripts. */
export class RunQueries {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** Called before every read, so a read sees every write made before it. */
  protected beforeRead(): void {}

  list(filter: ListFilter = {}): TaskRecord[] {
    this.beforeRead();
    const where: string[] = [];
    const args: SQLInputValue[] = [];
    if (filter.status !== undefined) {
      const statuses = typeof filter.status === 'string' ? [filter.status] : [...filter.status];
      where.push(`status IN (${statuses.map(() => '?').join(', ')})`);
      args.push(...statuses);
    }
    if (filter.agent !== undefined) {
      where.push('agent_type = ? COLLATE NOCASE');
      args.push(filter.agent);
    }
    if (filter.since !== undefined) {
      where.push('queued_at >= ?');
      args.push(filter.since);
    }
    if (filter.parentId !== undefined) {
      where.push('parent_id = ?');
      args.push(filter.parentId);
    }
    if (filter.callerCallId !== undefined) {
      where.push('caller_call_id = ?');
      args.push(filter.callerCallId);
    }
    if (filter.callerThreadId !== undefined) {
      where.push('caller_thread_id = ?');
      args.push(filter.callerThreadId);
    }
    if (filter.rootsOnly) where.push('parent_id IS NULL');
    const sql = `SELECT * FROM tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY queued_at DESC, rowid DESC LIMIT ?`;
    args.push(filter.limit ?? 50);
    return (this.#db.prepare(sql).all(...args) as Row[]).map(toRecord);
  }

  get(id: string): TaskRecord | undefined {
    this.beforeRead();
    const row = this.#db.prepare('SELECT * FROM tasks WHERE id = ?').get(id) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** By full id or a unique prefix of any length (ids are long; people type the first few characters). */
  find(idOrPrefix: string): TaskRecord | undefined {
    const exact = this.get(idOrPrefix);
    if (exact || idOrPrefix === '') return exact;
    const like = `${idOrPrefix.replaceAll(/[\\%_]/g, '\\$&')}%`;
    const rows = this.#db
      .prepare("SELECT * FROM tasks WHERE id LIKE ? ESCAPE '\\' ORDER BY queued_at DESC, rowid DESC LIMIT 10")
      .all(like) as Row[];
    if (rows.length <= 1) return rows[0] ? toRecord(rows[0]) : undefined;
    const total = this.#db
      .prepare("SELECT COUNT(*) AS n FROM tasks WHERE id LIKE ? ESCAPE '\\'")
      .get(like) as Row;
    throw new AmbiguousTaskIdError(idOrPrefix, rows.map(toRecord), Number(total.n));
  }

  steps(taskId: string): StepRecord[] {
    this.beforeRead();
    const rows = this.#db.prepare('SELECT * FROM steps WHERE task_id = ? ORDER BY seq').all(taskId) as Row[];
    return rows.map((r) => ({
      taskId: String(r.task_id),
      seq: Number(r.seq),
      at: Number(r.at),
      kind: String(r.kind) as StepKind,
      turn: Number(r.turn),
      ...(r.call_id ? { callId: String(r.call_id) } : {}),
      ...(r.name ? { name: String(r.name) } : {}),
      data: JSON.parse(String(r.data)) as Record<string, unknown>,
    }));
  }

  /** The tasks a task started (its subagents), oldest first. */
  children(taskId: string): TaskRecord[] {
    this.beforeRead();
    const rows = this.#db
      .prepare('SELECT * FROM tasks WHERE parent_id = ? ORDER BY queued_at, rowid')
      .all(taskId) as Row[];
    return rows.map(toRecord);
  }

  /** Whether the proxy saw this Task call (id and arguments' hash) stream from its upstream. */
  /** A finished subagent's conversation (SendMessage continues it), or undefined. */
  loadTranscript(taskId: string): Transcript | undefined {
    this.beforeRead();
    const row = this.#db
      .prepare('SELECT agent_type, description, cwd, model, messages FROM transcripts WHERE task_id = ?')
      .get(taskId) as Record<string, string> | undefined;
    if (!row) return undefined;
    return {
      taskId,
      agentType: row.agent_type!,
      description: row.description!,
      cwd: row.cwd!,
      model: row.model!,
      messages: JSON.parse(row.messages!),
    };
  }

  upstreamCallSeen(callId: string, argumentsHash: string): boolean {
    this.beforeRead();
    return (
      this.#db
        .prepare('SELECT 1 FROM upstream_task_calls WHERE call_id = ? AND arguments_hash = ?')
        .get(callId, argumentsHash) !== undefined
    );
  }

  /** A page of the task list, filtered and searched (the dashboard's). */
  search(filter: SearchFilter): TaskPage {
    this.beforeRead();
    return searchTasks(this.#db, filter, toRecord);
  }

  /** The tasks queued since `since` (epoch ms), reduced to what plots need, oldest first. */
  timeline(since: number): TimelineRow[] {
    this.beforeRead();
    return timeline(this.#db, since);
  }

  /** The agents and models that appear in the records, most used first. */
  facets(): { agents: string[]; models: string[] } {
    this.beforeRead();
    return facets(this.#db);
  }

  count(): number {
    this.beforeRead();
    return Number((this.#db.prepare('SELECT COUNT(*) AS n FROM tasks').get() as Row).n);
  }
}

const str = (v: unknown) => (v === null || v === undefined ? undefined : String(v));
const num = (v: unknown) => (v === null || v === undefined ? undefined : Number(v));
const parsed = (v: unknown) => (v === null || v === undefined ? undefined : JSON.parse(String(v)));

function toRecord(r: Row): TaskRecord {
  const optional = {
    parentId: str(r.parent_id),
    parentCallId: str(r.parent_call_id),
    callerThreadId: str(r.caller_thread_id),
    callerCallId: str(r.caller_call_id),
    continuesTaskId: str(r.continues_task_id),
    traceId: str(r.trace_id),
    input: parsed(r.input),
    agentFile: str(r.agent_file),
    agentHash: str(r.agent_hash),
    resolvedModel: str(r.resolved_model),
    content: str(r.content),
    partialContent: str(r.partial_content),
    // Written by this version or an earlier one, whose type names may since have changed.
    error: reviveErrorInfo(parsed(r.error)),
    startedAt: num(r.started_at),
    finishedAt: num(r.finished_at),
    durationMs: num(r.duration_ms),
    toolStats: parsed(r.tool_stats),
    modelsUsed: parsed(r.models_used),
    failovers: parsed(r.failovers),
    instanceId: str(r.instance_id),
    attempts: num(r.attempts),
    workerId: str(r.worker_id),
    workers: parsed(r.workers),
    outputGuard: parsed(r.output_guard),
    workspace: parsed(r.workspace),
  };
  const record: TaskRecord = {
    id: String(r.id),
    agentType: String(r.agent_type),
    description: String(r.description),
    spawnDepth: Number(r.spawn_depth),
    status: String(r.status) as RecordStatus,
    queuedAt: Number(r.queued_at),
    turns: Number(r.turns),
    toolUses: Number(r.tool_uses),
    retries: Number(r.retries ?? 0),
    usage: {
      inputTokens: Number(r.input_tokens),
      outputTokens: Number(r.output_tokens),
      cacheReadTokens: Number(r.cache_read_tokens),
      cacheWriteTokens: Number(r.cache_write_tokens),
      totalTokens: Number(r.input_tokens) + Number(r.output_tokens),
      costUsd: num(r.cost_usd) ?? null,
    },
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) (record as unknown as Record<string, unknown>)[key] = value;
  }
  if (r.queued_ms !== null && r.queued_ms !== undefined) {
    record.timings = {
      queuedMs: Number(r.queued_ms),
      modelMs: Number(r.model_ms),
      toolMs: Number(r.tool_ms),
    };
  }
  return record;
}
