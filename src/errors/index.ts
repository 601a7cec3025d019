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

/** An agent file that would have defined the name looked up, but did not load. */
export interface SkippedAgentFileInfo {
  /** As a person here reads it (relative to the working directory where possible). */
  file: string;
  /** Its first error, e.g. "`description` is missing (line 1)". */
  reason: string;
}

export class AgentNotFoundError extends CodexTaskError {
  constructor(name: string, available: string[], skipped: readonly SkippedAgentFileInfo[] = []) {
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

/** A server could not listen: the port is taken. Names the port, what holds it when known, and how to pick another. */
export class PortInUseError extends CodexTaskError {
  readonly port: number;
  constructor(details: {
    port: number;
    host: string;
    /** What answers there (`a codex-task proxy`), when a quick probe could tell. */
    holder: string | undefined;
    /** Where this command's port comes from: the flag, then any env var or config key. */
    setBy: readonly string[];
  }) {
    const { port, host, holder, setBy } = details;
    const ways = setBy.length > 1 ? `${setBy.slice(0, -1).join(', ')} or ${setBy.at(-1)}` : setBy[0];
    super(
      'PortInUse',
      `port ${port} on ${host} is already in use: ${holder ? `${holder} already answers there` : 'another program holds it'}`,
      `Choose another port with ${ways} (0 picks any free port), or stop what holds it (\`lsof -i :${port}\` shows it).`,
    );
    this.port = port;
  }
}

/** A directory option (`-C`) that names no readable directory. */
export class WorkingDirectoryError extends CodexTaskError {
  constructor(flag: string, path: string, problem: string) {
    super(
      'WorkingDirectory',
      `${flag} ${path}: ${problem}`,
      `Give ${flag} an existing directory (relative paths are taken from the current one), or leave it out to use the current directory.`,
    );
  }
}

/** An input file (a batch file…) that cannot be read. */
export class InputFileError extends CodexTaskError {
  constructor(what: string, path: string, problem: string, hint: string) {
    super('InputFile', `Cannot read ${what} ${path}: ${problem}`, hint);
  }
}

/** A provider name no built-in or configured provider has (`codex-task login anthropc`). */
export class UnknownProviderError extends CodexTaskError {
  constructor(name: string, known: readonly string[], suggestion: string | undefined) {
    super(
      'UnknownProvider',
      `Unknown provider '${name}'${suggestion ? `: ${suggestion}` : ''}`,
      `Known providers: ${known.join(', ')}. Declare others under \`providers\` in .codex-task/config.json.`,
    );
  }
}

/** Normalises anything thrown into the plain-data error of a TaskResult. */
export function toErrorInfo(error: unknown): TaskErrorInfo {
  if (error instanceof CodexTaskError) return error.toJSON();
  if (error instanceof Error) return { type: error.name || 'Error', message: error.message };
  return { type: 'Error', message: String(error) };
}
