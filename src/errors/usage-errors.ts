// What a command refuses before any task runs, fixed by changing a flag, a path or the setup.
import { CodexTaskError } from './codex-task-error.ts';

/** A server could not listen: the port is taken. Names the port, what holds it when known, and how to pick another. */
export class PortInUseError extends CodexTaskError<{
  port: number;
  host: string;
  /** What answers there (`a codex-task proxy`), when a quick probe could tell. */
  holder: string | undefined;
  /** Where this command's port comes from: the flag, then any env var or config key. */
  setBy: readonly string[];
}> {
  constructor(details: { port: number; host: string; holder: string | undefined; setBy: readonly string[] }) {
    const { port, host, holder, setBy } = details;
    const ways = setBy.length > 1 ? `${setBy.slice(0, -1).join(', ')} or ${setBy.at(-1)}` : setBy[0];
    super(
      'PortInUse',
      `port ${port} on ${host} is already in use: ${holder ? `${holder} already answers there` : 'another program holds it'}`,
      `Choose another port with ${ways} (0 picks any free port), or stop what holds it (\`lsof -i :${port}\` shows it).`,
      { details: { port, host, holder, setBy } },
    );
  }

  get port(): number {
    return this.details.port;
  }
}

/** A directory option (`-C`) that names no readable directory. */
export class WorkingDirectoryError extends CodexTaskError<{ flag: string; path: string; problem: string }> {
  constructor(flag: string, path: string, problem: string) {
    super(
      'WorkingDirectory',
      `${flag} ${path}: ${problem}`,
      `Give ${flag} an existing directory (relative paths are taken from the current one), or leave it out to use the current directory.`,
      { details: { flag, path, problem } },
    );
  }
}

/** An input file (a batch file…) that cannot be read. */
export class InputFileError extends CodexTaskError<{ what: string; path: string; problem: string }> {
  constructor(what: string, path: string, problem: string, hint: string) {
    super('InputFile', `Cannot read ${what} ${path}: ${problem}`, hint, { details: { what, path, problem } });
  }
}

/** A provider name no built-in or configured provider has (`codex-task login anthropc`). */
export class UnknownProviderError extends CodexTaskError<{ provider: string; known: readonly string[] }> {
  constructor(name: string, known: readonly string[], suggestion: string | undefined) {
    super(
      'UnknownProvider',
      `Unknown provider '${name}'${suggestion ? `: ${suggestion}` : ''}`,
      `Known providers: ${known.join(', ')}. Declare others under \`providers\` in .codex-task/config.json.`,
      { details: { provider: name, known } },
    );
  }
}
