import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { RecordStatus, TaskRecord } from './types.ts';

/** What the dashboard's task list asks for: filters, text search, and a page after `cursor`. */
export interface SearchFilter {
  status?: readonly RecordStatus[];
  agent?: string;
  /** `provider:model`, as the task resolved it. */
  model?: string;
  parentId?: string;
  /** Epoch ms: tasks queued at or after `since` and before `until`. */
  since?: number;
  until?: number;
  /** Matched (case-insensitive) against the id, description, input, result and error. */
  text?: string;
  /** From the previous page's `nextCursor`. */
  cursor?: string;
  limit: number;
}

export interface TaskPage {
  /** Newest first; without their long text fields (input, content, tool stats). */
  records: TaskRecord[];
  /** Present when there are more: pass it back for the next page. */
  nextCursor?: string;
}

/** One finished or live task, reduced to what the plots need. */
export interface TimelineRow {
  queuedAt: number;
  finishedAt?: number;
  status: RecordStatus;
  agentType: string;
  model?: string;
  durationMs?: number;
  tokens: number;
  costUsd: number | null;
}

// The columns a list row shows: the long text ones (input, content, tool output) stay on disk.
const LIST_COLUMNS = `id, parent_id, caller_thread_id, caller_call_id, continues_task_id, agent_type, description,
  spawn_depth, resolved_model, status, error, queued_at, started_at, finished_at, duration_ms, turns, tool_uses,
  input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_usd, retries`;

const like = (text: string) => `%${text.replaceAll(/[\\%_]/g, '\\$&')}%`;

/**
 * Keyset pagination over (queued_at, id), both descending: a page costs the same deep in the list
 * as at its top (OFFSET would scan every row before it), and new tasks arriving on top do not shift
 * the pages a client is reading.
 */
export function searchTasks(
  db: DatabaseSync,
  filter: SearchFilter,
  toRecord: (row: Record<string, SQLInputValue | null>) => TaskRecord,
): TaskPage {
  const where: string[] = [];
  const args: SQLInputValue[] = [];
  const add = (sql: string, ...values: SQLInputValue[]) => {
    where.push(sql);
    args.push(...values);
  };
  if (filter.status?.length) add(`status IN (${filter.status.map(() => '?').join(', ')})`, ...filter.status);
  if (filter.agent) add('agent_type = ? COLLATE NOCASE', filter.agent);
  if (filter.model) add('resolved_model = ?', filter.model);
  if (filter.parentId) add('parent_id = ?', filter.parentId);
  if (filter.since !== undefined) add('queued_at >= ?', filter.since);
  if (filter.until !== undefined) add('queued_at < ?', filter.until);
  if (filter.text) {
    const pattern = like(filter.text);
    const columns = ['id', 'description', 'input', 'content', 'error'];
    add(`(${columns.map((c) => `${c} LIKE ? ESCAPE '\\'`).join(' OR ')})`, ...columns.map(() => pattern));
  }
  const after = parseCursor(filter.cursor);
  if (after) add('(queued_at < ? OR (queued_at = ? AND id < ?))', after.queuedAt, after.queuedAt, after.id);
  const rows = db
    .prepare(
      `SELECT ${LIST_COLUMNS} FROM tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY queued_at DESC, id DESC LIMIT ?`,
    )
    .all(...args, filter.limit + 1) as Record<string, SQLInputValue | null>[];
  const records = rows.slice(0, filter.limit).map(toRecord);
  const last = records.at(-1);
  return rows.length > filter.limit && last
    ? { records, nextCursor: `${last.queuedAt}:${last.id}` }
    : { records };
}

function parseCursor(cursor: string | undefined): { queuedAt: number; id: string } | undefined {
  const match = cursor?.match(/^(\d+):(.+)$/);
  return match ? { queuedAt: Number(match[1]), id: match[2]! } : undefined;
}

/** The tasks queued since `since`, for the plots (a full scan of the range: no text columns read). */
export function timeline(db: DatabaseSync, since: number): TimelineRow[] {
  const rows = db
    .prepare(
      `SELECT queued_at, finished_at, status, agent_type, resolved_model, duration_ms,
         input_tokens + output_tokens AS tokens, cost_usd FROM tasks WHERE queued_at >= ? ORDER BY queued_at`,
    )
    .all(since) as Record<string, SQLInputValue | null>[];
  return rows.map((r) => {
    const row: TimelineRow = {
      queuedAt: Number(r.queued_at),
      status: String(r.status) as RecordStatus,
      agentType: String(r.agent_type),
      tokens: Number(r.tokens),
      costUsd: r.cost_usd === null ? null : Number(r.cost_usd),
    };
    if (r.finished_at !== null) row.finishedAt = Number(r.finished_at);
    if (r.resolved_model !== null) row.model = String(r.resolved_model);
    if (r.duration_ms !== null) row.durationMs = Number(r.duration_ms);
    return row;
  });
}

/** The agents and models that appear in the store (for the list's filters), most used first. */
export function facets(db: DatabaseSync, max = 100): { agents: string[]; models: string[] } {
  const column = (name: string) =>
    (
      db
        .prepare(
          `SELECT ${name} AS v FROM tasks WHERE ${name} IS NOT NULL GROUP BY ${name} ORDER BY COUNT(*) DESC LIMIT ?`,
        )
        .all(max) as { v: string }[]
    ).map((r) => r.v);
  return { agents: column('agent_type'), models: column('resolved_model') };
}
