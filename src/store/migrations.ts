import type { DatabaseSync } from 'node:sqlite';
import { CodexTaskError } from '../errors/index.ts';

/**
 * The schema, as a list of steps applied in order; `PRAGMA user_version` records how many ran.
 * Never edit a released step: add one. A store written by a newer codex-task is refused, not
 * "repaired" into losing what the newer version wrote.
 */
export const MIGRATIONS: readonly { version: number; description: string; sql: string }[] = [
  {
    version: 1,
    description: 'tasks, their transcripts (steps), and the processes that run them',
    sql: `
      CREATE TABLE tasks (
        id TEXT PRIMARY KEY,
        parent_id TEXT,
        parent_call_id TEXT,
        trace_id TEXT,
        agent_type TEXT NOT NULL,
        description TEXT NOT NULL,
        spawn_depth INTEGER NOT NULL DEFAULT 0,
        input TEXT,
        agent_file TEXT,
        agent_hash TEXT,
        resolved_model TEXT,
        status TEXT NOT NULL,
        content TEXT,
        partial_content TEXT,
        error TEXT,
        queued_at INTEGER NOT NULL,
        started_at INTEGER,
        finished_at INTEGER,
        duration_ms REAL,
        queued_ms REAL,
        model_ms REAL,
        tool_ms REAL,
        turns INTEGER NOT NULL DEFAULT 0,
        tool_uses INTEGER NOT NULL DEFAULT 0,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        cache_read_tokens INTEGER NOT NULL DEFAULT 0,
        cache_write_tokens INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL,
        tool_stats TEXT,
        instance_id TEXT
      ) STRICT;
      -- Few indexes on purpose: each one is rewritten on every status change (queued → running →
      -- done), and filtering by status or agent over a retention-bounded table is a cheap scan.
      CREATE INDEX tasks_by_queued_at ON tasks (queued_at);
      CREATE INDEX tasks_by_parent ON tasks (parent_id);
      CREATE TABLE steps (
        task_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        turn INTEGER NOT NULL,
        call_id TEXT,
        name TEXT,
        data TEXT NOT NULL,
        PRIMARY KEY (task_id, seq)
      ) STRICT; -- a rowid table: step rows hold tool output up to the field limit, too big for WITHOUT ROWID
      CREATE TABLE instances (
        id TEXT PRIMARY KEY,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        started_at INTEGER NOT NULL,
        heartbeat_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    description: 'the models that served a task (failover), its failovers and retried attempts',
    sql: `
      ALTER TABLE tasks ADD COLUMN models_used TEXT;
      ALTER TABLE tasks ADD COLUMN failovers TEXT;
      ALTER TABLE tasks ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 3,
    description: 'the Task calls the proxy saw stream from its upstream (only those may run)',
    sql: `
      -- The arguments are kept as a hash only: the prompt is in the task's own record once it runs.
      CREATE TABLE upstream_task_calls (
        call_id TEXT NOT NULL,
        arguments_hash TEXT NOT NULL,
        seen_at INTEGER NOT NULL,
        PRIMARY KEY (call_id, arguments_hash)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    description:
      'who asked for a task from outside (a client thread and tool call), apart from its parent task',
    sql: `
      ALTER TABLE tasks ADD COLUMN caller_thread_id TEXT;
      ALTER TABLE tasks ADD COLUMN caller_call_id TEXT;
      -- Until now a task started by a client kept the client's thread id as its parent and the
      -- client's call id as its parent call. Those are the caller's, not a parent task's: move them.
      UPDATE tasks SET caller_thread_id = parent_id, caller_call_id = parent_call_id,
        parent_id = NULL, parent_call_id = NULL
      WHERE spawn_depth <= 1;
      CREATE INDEX tasks_by_caller_call ON tasks (caller_call_id) WHERE caller_call_id IS NOT NULL;
    `,
  },
  {
    version: 5,
    description: 'conversations kept for follow-ups (SendMessage), and the task a follow-up continues',
    sql: `
      ALTER TABLE tasks ADD COLUMN continues_task_id TEXT;
      -- The whole conversation of a finished subagent (redacted like the rest of the store), so a
      -- follow-up continues it after a restart. Pruned with its task.
      CREATE TABLE transcripts (
        task_id TEXT PRIMARY KEY,
        agent_type TEXT NOT NULL,
        description TEXT NOT NULL,
        cwd TEXT NOT NULL,
        model TEXT NOT NULL,
        messages TEXT NOT NULL,
        saved_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 6,
    description: 'tasks run by queue workers: how many runs it took, and the worker of each',
    sql: `
      ALTER TABLE tasks ADD COLUMN attempts INTEGER;
      ALTER TABLE tasks ADD COLUMN worker_id TEXT;
      -- JSON array: the worker of each run, in order (a re-run after a worker died adds one).
      ALTER TABLE tasks ADD COLUMN workers TEXT;
    `,
  },
  {
    version: 7,
    description: "what the output guard changed in a task's result (the dashboard's transcript shows it)",
    sql: `
      -- JSON: TaskResult.outputGuard, redacted like the rest of the record.
      ALTER TABLE tasks ADD COLUMN output_guard TEXT;
    `,
  },
  {
    version: 8,
    description: "what came of a queued task's workspace: its git changes as a patch, a pushed branch",
    sql: `
      -- JSON: TaskResult.workspace (the patch redacted like the rest of the record).
      ALTER TABLE tasks ADD COLUMN workspace TEXT;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

export class StoreVersionError extends CodexTaskError<{ path: string; found: number; supported: number }> {
  constructor(path: string, found: number) {
    super(
      'StoreVersion',
      `The run store ${path} has schema version ${found}, newer than this codex-task knows (${SCHEMA_VERSION}).`,
      'Upgrade codex-task, or point it at another file with --db / CODEX_TASK_RUNS_DB.',
      { details: { path, found, supported: SCHEMA_VERSION } },
    );
  }
}

/** Brings the schema up to date in one transaction (so two processes opening a new file don't race). */
export function migrate(db: DatabaseSync, path: string): { from: number; to: number } {
  const version = () =>
    Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
  const from = version();
  if (from > SCHEMA_VERSION) throw new StoreVersionError(path, from);
  if (from === SCHEMA_VERSION) return { from, to: from };
  db.exec('BEGIN IMMEDIATE');
  try {
    const current = version(); // another process may have migrated while we waited for the lock
    for (const step of MIGRATIONS) {
      if (step.version <= current) continue;
      db.exec(step.sql);
      db.exec(`PRAGMA user_version = ${step.version}`);
    }
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
  return { from, to: version() };
}
