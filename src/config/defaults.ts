/**
 * Every default of codex-task in one place. Each is overridable, in this order of precedence:
 * flag/code option > environment > config file > this table.
 */
export const DEFAULTS = {
  /** Subagents running at once per engine (Claude Code has no cap; unbounded fan-out is what users complain of). */
  concurrency: 10,
  /** Wall-clock bound of one Task, from start (not queueing) to result. */
  taskTimeoutMs: 10 * 60_000,
  /** Model turns one subagent may take before it is stopped with MaxTurnsExceeded. */
  maxTurns: 50,
  /** Nesting depth of Task inside subagents; 3 as in Claude Code, 1 disables nesting. */
  maxSpawnDepth: 3,
  /** Model used for `inherit` / no `model` when the caller has none (the library and CLI have no parent model). */
  callerModel: 'sonnet',
  /** Project instructions (AGENTS.md / CLAUDE.md) passed to a subagent are capped at this many characters. */
  projectInstructionsMaxChars: 20_000,
  tools: {
    bashDefaultTimeoutMs: 120_000,
    bashMaxTimeoutMs: 600_000,
    bashOutputLimitBytes: 30_000,
    readDefaultLines: 2_000,
    resultLimitChars: 50_000,
  },
} as const;

/** Environment variables that override the model of every subagent (ours first, Claude Code's honoured too). */
export const SUBAGENT_MODEL_ENV = ['CODEX_TASK_SUBAGENT_MODEL', 'CLAUDE_CODE_SUBAGENT_MODEL'] as const;

// ── Observability: run records, logs, audit, HTTP API (issue 6) ───────────────────────────────────
/** Defaults of the store, telemetry and HTTP API; paths under `~` are resolved by their users. */
export const OBSERVABILITY_DEFAULTS = {
  /** Run records (SQLite); `CODEX_TASK_RUNS_DB` or `--db` override, `:memory:` for tests. */
  runsDb: '~/.codex-task/runs.db',
  /** Audit log (JSONL, append-only); `CODEX_TASK_AUDIT_LOG` overrides. */
  auditLog: '~/.codex-task/audit.jsonl',
  store: {
    /** Tool arguments, tool results and turn texts are cut to this many characters in the store. */
    maxFieldChars: 10_000,
    /** Finished tasks older than this are deleted (with their transcripts). */
    retentionDays: 30,
    /** At most this many finished tasks are kept (the oldest go first). */
    retentionMaxTasks: 10_000,
    /** How often a running process marks itself alive; another process's tasks are presumed dead after 5 missed beats. */
    heartbeatMs: 30_000,
    /** Retention runs when the store opens and then this often. */
    pruneIntervalMs: 60 * 60_000,
  },
  logs: {
    level: 'info',
    /** Tool arguments and errors on a log line (and in the audit log) are cut to this many characters. */
    maxFieldChars: 500,
  },
  http: {
    host: '127.0.0.1',
    port: 8790,
    /** Request bodies above this are refused with 413. */
    bodyLimitBytes: 1024 * 1024,
    /** Tasks one POST /v1/tasks may start. */
    maxTasksPerRequest: 100,
    /** An SSE comment this often keeps idle proxies from closing the stream. */
    sseKeepAliveMs: 15_000,
    /** Events kept per task for SSE replay; the oldest progress events are dropped past it. */
    eventsPerTask: 2_000,
    /** Finished tasks whose events stay in memory for replay (older ones replay from the store). */
    finishedTasksKept: 500,
  },
} as const;
// ── end observability ──────────────────────────────────────────────────────────────────────────────
