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
    /** A dashboard login link (`codex-task ui`, `serve`'s start) works once, within this. */
    loginLinkTtlMs: 60_000,
    /** A dashboard session, from login; a restart of the server ends every session too. */
    sessionTtlMs: 12 * 60 * 60_000,
    /**
     * Outstanding login codes and live sessions together, at most: past it new links are refused
     * (503) until some expire or log out; nobody's live session is pushed out.
     */
    sessionsKept: 1_000,
    /** Dashboard event streams one session may hold open (a tab holds one); 429 past it. */
    dashboardStreamsPerSession: 8,
    /** Dashboard event streams open on the server in all; 429 past it. */
    dashboardStreams: 64,
  },
} as const;
