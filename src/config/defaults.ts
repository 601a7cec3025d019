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
