// The failures a TaskResult can carry: a task refused, stopped, or failed on its way.
import { closest, distance } from 'fastest-levenshtein';
import { CodexTaskError } from './codex-task-error.ts';

/** An agent file that would have defined the name looked up, but did not load. */
export interface SkippedAgentFileInfo {
  /** As a person here reads it (relative to the working directory where possible). */
  file: string;
  /** Its first error, e.g. "`description` is missing (line 1)". */
  reason: string;
}

export class AgentNotFoundError extends CodexTaskError<{
  /** The name asked for, as given. */
  agent: string;
  available: readonly string[];
  skipped: readonly SkippedAgentFileInfo[];
  /** The available name nearest to `agent`, when one is close. */
  suggestion: string | undefined;
}> {
  constructor(name: string, available: readonly string[], skipped: readonly SkippedAgentFileInfo[] = []) {
    const nearest =
      available.length > 0
        ? closest(
            name.toLowerCase(),
            available.map((a) => a.toLowerCase()),
          )
        : '';
    const suggestion = nearest && distance(name.toLowerCase(), nearest) <= Math.max(2, name.length / 3);
    const match = suggestion ? available.find((a) => a.toLowerCase() === nearest) : undefined;
    // A file of that name that failed to load is the likeliest reason: say so, not "add the file".
    const fix =
      skipped.length > 0
        ? `Fix ${skipped.map((s) => s.file).join(', ')} (\`codex-task agents validate\` shows every problem and its fix).`
        : `Use one of the listed names, or add .claude/agents/${name}.md (check it with \`codex-task agents validate\`).`;
    super(
      'AgentNotFound',
      // The first line is Claude Code's exact wording (docs/compatibility.md); models and scripts match on it,
      // so what we add goes on lines of its own.
      `Agent type '${name}' not found. Available agents: ${available.join(', ')}${skipped
        .map((s) => `\n${s.file} exists but was skipped: ${s.reason}`)
        .join('')}`,
      `${match ? `Did you mean '${match}'? ` : ''}${fix}`,
      { details: { agent: name, available, skipped, suggestion: match } },
    );
  }
}

/** An agent definition that cannot be used (a file, an agent given in code, a name for a new one). */
export class AgentConfigError extends CodexTaskError<{ file?: string; field?: string; line?: number }> {
  constructor(
    message: string,
    hint?: string,
    details: { file?: string; field?: string; line?: number } = {},
  ) {
    super('AgentConfig', message, hint, { details });
  }
}

export class InvalidTaskInputError extends CodexTaskError<{ fields: readonly string[] }> {
  /** `fields`: the offending parameters (`prompt`, `model`…), when known. */
  constructor(message: string, options: { fields?: readonly string[]; hint?: string } = {}) {
    super(
      'InvalidTaskInput',
      message,
      options.hint ??
        'Task takes { description: string, prompt: string, subagent_type?: string, model?: string }.',
      { details: { fields: options.fields ?? [] } },
    );
  }
}

/** A tool call the runtime refused (not offered to this agent, or outside the workspace). */
export class ToolDeniedError extends CodexTaskError<{
  tool?: string;
  /** The permission rule that refused it, as written, and where it is written. */
  rule?: string;
  source?: string;
}> {
  constructor(
    message: string,
    hint?: string,
    details: { tool?: string; rule?: string; source?: string } = {},
  ) {
    super('ToolDenied', message, hint, { details });
  }
}

/**
 * A tool that ran and failed in a way the model can act on (no match for Edit, missing file…). It
 * reaches the model as text (message and hint), which names the path or pattern concerned.
 */
export class ToolExecutionError extends CodexTaskError {
  constructor(message: string, hint?: string) {
    super('ToolExecution', message, hint);
  }
}

/** A model that cannot be resolved to a configured provider (or a bad alias, tier or failover chain). */
export class ModelConfigError extends CodexTaskError<{ model?: string; provider?: string }> {
  constructor(message: string, hint?: string, details: { model?: string; provider?: string } = {}) {
    super('ModelConfig', message, hint, { details });
  }
}

/** A provider's refusal that retrying will not fix (a rejected key, a bad request, an unknown model). */
export class ProviderError extends CodexTaskError<{
  provider: string | undefined;
  model: string | undefined;
  status: number | undefined;
}> {
  constructor(
    message: string,
    status: number | undefined,
    hint?: string,
    options: { cause?: unknown; provider?: string; model?: string } = {},
  ) {
    super('Provider', message, hint, {
      cause: options.cause,
      details: { provider: options.provider, model: options.model, status },
    });
  }

  get status(): number | undefined {
    return this.details.status;
  }
}

/**
 * A provider that could not serve a model turn within the retry budget (retries, failover and open
 * circuits included): carries the last real status and message.
 */
export class ProviderUnavailableError extends CodexTaskError<{
  provider: string | undefined;
  model: string | undefined;
  status: number | undefined;
  attempts: number;
}> {
  constructor(
    message: string,
    details: {
      status: number | undefined;
      attempts: number;
      hint?: string;
      provider?: string;
      model?: string;
    },
    options?: { cause?: unknown },
  ) {
    const { status, attempts, provider, model } = details;
    super('ProviderUnavailable', message, details.hint, {
      cause: options?.cause,
      details: { provider, model, status, attempts },
    });
  }

  get status(): number | undefined {
    return this.details.status;
  }

  get attempts(): number {
    return this.details.attempts;
  }
}

/** A Task refused (or stopped at its next model call) because the engine's budget is spent. */
export class BudgetExceededError extends CodexTaskError<{
  budget: 'maxTasks' | 'maxCostUsd';
  limit: number;
  /** Tasks started, or USD spent, when it was refused. */
  spent: number;
}> {
  constructor(
    message: string,
    hint: string,
    details: { budget: 'maxTasks' | 'maxCostUsd'; limit: number; spent: number },
  ) {
    super('BudgetExceeded', message, hint, { details });
  }
}

export class TaskTimeoutError extends CodexTaskError<{ timeoutMs: number }> {
  constructor(timeoutMs: number) {
    super(
      'TaskTimeout',
      `Task timed out after ${timeoutMs} ms`,
      'Raise `timeout` in the agent file (ms) or the engine default, or split the task.',
      { details: { timeoutMs } },
    );
  }
}

/** Stopped by its caller (an abort signal, Ctrl-C, the HTTP API, a server shutting down): the message says which. */
export class TaskCancelledError extends CodexTaskError {
  constructor(reason = 'Task was cancelled') {
    super('TaskCancelled', reason);
  }
}

/** A task whose process ended before it finished, as the run store records it afterwards. */
export class TaskInterruptedError extends CodexTaskError {
  constructor(reason = 'The process running this task ended before the task finished') {
    super(
      'TaskInterrupted',
      reason,
      'Its transcript up to the last recorded step is kept (`codex-task runs show <id>`); run it again to finish it.',
    );
  }
}

export class MaxTurnsExceededError extends CodexTaskError<{ maxTurns: number }> {
  constructor(maxTurns: number) {
    super(
      'MaxTurnsExceeded',
      `The subagent used all ${maxTurns} turns without a final answer`,
      'Raise `maxTurns` in the agent file or narrow the prompt.',
      { details: { maxTurns } },
    );
  }
}

export class EmptyResultError extends CodexTaskError {
  constructor() {
    super(
      'EmptyResult',
      'The subagent finished without any text in its final answer',
      'The model returned an empty message; retry, or tell the agent in its prompt to end with a summary.',
    );
  }
}

export class SpawnDepthExceededError extends CodexTaskError<{ maxDepth: number }> {
  constructor(maxDepth: number) {
    super(
      'SpawnDepthExceeded',
      `Subagents may nest at most ${maxDepth} levels deep`,
      'Do the work in this subagent instead of delegating further, or raise maxSpawnDepth.',
      { details: { maxDepth } },
    );
  }
}

/** @deprecated The former name of SpawnDepthExceededError (its type was already `SpawnDepthExceeded`). */
export const SpawnDepthError = SpawnDepthExceededError;
/** @deprecated Use SpawnDepthExceededError. */
export type SpawnDepthError = SpawnDepthExceededError;

/** A follow-up (SendMessage, `runs resume`) names a task whose conversation is not here. */
export class TaskNotFoundError extends CodexTaskError<{ taskId: string }> {
  constructor(taskId: string, hint: string) {
    super('TaskNotFound', `No task '${taskId}' to continue: its conversation is not kept here`, hint, {
      details: { taskId },
    });
  }
}

/** A background task refused: too many running, or too many finished ones not read yet. */
export class BackgroundLimitError extends CodexTaskError<{
  limit: 'maxRunning' | 'maxUnread';
  value: number;
}> {
  constructor(message: string, hint: string, details: { limit: 'maxRunning' | 'maxUnread'; value: number }) {
    super('BackgroundLimit', message, hint, { details });
  }
}

/**
 * A task that asked for `isolation: "worktree"` where no worktree can be made: its directory is in
 * no git repository, or the repository has no commit to branch from, or git is missing or failed.
 */
export class WorktreeUnavailableError extends CodexTaskError<{ directory: string; problem: string }> {
  constructor(directory: string, problem: string, hint: string) {
    super('WorktreeUnavailable', `No git worktree for ${directory}: ${problem}`, hint, {
      details: { directory, problem },
    });
  }
}
