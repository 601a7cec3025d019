/**
 * The engine's tunables. Those the engine takes as options are settings (config/settings.ts gives
 * each its config key, variable and schema): flag or code option > environment > project config >
 * user config > the value here.
 */
export const ENGINE_DEFAULTS = {
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
  /**
   * A subagent's output handed to its caller (the parent model reads it) is cut to this many
   * characters; the original is saved under `~/.codex-task/outputs/<taskId>.txt` (0600), its path in
   * the text, and kept as long as run records (`store.retentionDays`).
   */
  outputMaxChars: 50_000,
  /**
   * Engine-wide budgets per session/run (one engine). Unbounded by default so a long-lived library
   * user is never refused by surprise; surfaces that serve a model (MCP, proxy, CLI) should set them.
   * A Task over budget is refused with BudgetExceeded; `maxCostUsd` also stops running tasks at their
   * next model call. Calls to models without a known price cost nothing against `maxCostUsd`.
   */
  maxTasks: Number.POSITIVE_INFINITY,
  maxCostUsd: Number.POSITIVE_INFINITY,
  /**
   * Background tasks (`run_in_background`): how many may run at once, and how many finished ones
   * may wait for their caller to read them. Past either, a new background task is refused with a
   * clear error; a result is never dropped unread.
   */
  maxBackgroundTasks: 10,
  maxBackgroundUnread: 100,
} as const;

/** Environment variables that override the model of every subagent (ours first, Claude Code's honoured too). */
export const SUBAGENT_MODEL_ENV = ['CODEX_TASK_SUBAGENT_MODEL', 'CLAUDE_CODE_SUBAGENT_MODEL'] as const;
