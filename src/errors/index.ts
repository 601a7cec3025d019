import { closest, distance } from 'fastest-levenshtein';

/**
 * Errors are values with a type and a remedy: each class is a failure a user must be able to tell
 * apart, and each carries the hint a person needs to fix it.
 */
export class CodexTaskError extends Error {
  readonly type: string;
  readonly hint: string | undefined;

  constructor(type: string, message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = type;
    this.type = type;
    this.hint = hint;
  }

  toJSON(): TaskErrorInfo {
    return { type: this.type, message: this.message, ...(this.hint ? { hint: this.hint } : {}) };
  }
}

/** The plain-data form of an error, as it appears in a TaskResult. */
export interface TaskErrorInfo {
  type: string;
  message: string;
  hint?: string;
}

export class AgentNotFoundError extends CodexTaskError {
  constructor(name: string, available: string[]) {
    const nearest =
      available.length > 0
        ? closest(
            name.toLowerCase(),
            available.map((a) => a.toLowerCase()),
          )
        : '';
    const suggestion = nearest && distance(name.toLowerCase(), nearest) <= Math.max(2, name.length / 3);
    const match = suggestion ? available.find((a) => a.toLowerCase() === nearest) : undefined;
    super(
      'AgentNotFound',
      // The first sentence is Claude Code's exact wording (COMPAT.md); models and scripts match on it.
      `Agent type '${name}' not found. Available agents: ${available.join(', ')}`,
      `${match ? `Did you mean '${match}'? ` : ''}Use one of the listed names, or add .claude/agents/${name}.md (check it with \`codex-task agents validate\`).`,
    );
  }
}

export class AgentConfigError extends CodexTaskError {
  constructor(message: string, hint?: string) {
    super('AgentConfig', message, hint);
  }
}

export class InvalidTaskInputError extends CodexTaskError {
  constructor(message: string) {
    super(
      'InvalidInput',
      message,
      'Task takes { description: string, prompt: string, subagent_type?: string, model?: string }.',
    );
  }
}

/** A tool call the runtime refused (not offered to this agent, or outside the workspace). */
export class ToolDeniedError extends CodexTaskError {
  constructor(message: string, hint?: string) {
    super('ToolDenied', message, hint);
  }
}

/** A tool that ran and failed in a way the model can act on (no match for Edit, missing file…). */
export class ToolExecutionError extends CodexTaskError {
  constructor(message: string, hint?: string) {
    super('ToolError', message, hint);
  }
}

export class ModelConfigError extends CodexTaskError {
  constructor(message: string, hint?: string) {
    super('ModelConfig', message, hint);
  }
}

export class ProviderError extends CodexTaskError {
  readonly status: number | undefined;
  constructor(message: string, status: number | undefined, hint?: string, options?: { cause?: unknown }) {
    super('ProviderError', message, hint, options);
    this.status = status;
  }
}

/**
 * A provider that could not serve a model turn within the retry budget (retries, failover and open
 * circuits included): carries the last real status and message.
 */
export class ProviderUnavailableError extends CodexTaskError {
  readonly status: number | undefined;
  readonly attempts: number;
  constructor(
    message: string,
    details: { status: number | undefined; attempts: number; hint?: string },
    options?: { cause?: unknown },
  ) {
    super('ProviderUnavailable', message, details.hint, options);
    this.status = details.status;
    this.attempts = details.attempts;
  }
}

/** A Task refused (or stopped at its next model call) because the engine's budget is spent. */
export class BudgetExceededError extends CodexTaskError {
  constructor(message: string, hint: string) {
    super('BudgetExceeded', message, hint);
  }
}

export class TaskTimeoutError extends CodexTaskError {
  constructor(timeoutMs: number) {
    super(
      'Timeout',
      `Task timed out after ${timeoutMs} ms`,
      'Raise `timeout` in the agent file (ms) or the engine default, or split the task.',
    );
  }
}

export class TaskCancelledError extends CodexTaskError {
  constructor(reason = 'Task was cancelled') {
    super('Cancelled', reason);
  }
}

export class MaxTurnsExceededError extends CodexTaskError {
  constructor(maxTurns: number) {
    super(
      'MaxTurnsExceeded',
      `The subagent used all ${maxTurns} turns without a final answer`,
      'Raise `maxTurns` in the agent file or narrow the prompt.',
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

export class SpawnDepthError extends CodexTaskError {
  constructor(maxDepth: number) {
    super(
      'SpawnDepthExceeded',
      `Subagents may nest at most ${maxDepth} levels deep`,
      'Do the work in this subagent instead of delegating further, or raise maxSpawnDepth.',
    );
  }
}

/** Normalises anything thrown into the plain-data error of a TaskResult. */
export function toErrorInfo(error: unknown): TaskErrorInfo {
  if (error instanceof CodexTaskError) return error.toJSON();
  if (error instanceof Error) return { type: error.name || 'Error', message: error.message };
  return { type: 'Error', message: String(error) };
}
