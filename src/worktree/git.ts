import { execFile } from 'node:child_process';

/**
 * Bound on one git call. `worktree add` checks out every tracked file, which takes a few seconds in
 * a large repository; a git waiting on a lock or a credential prompt must not hold a task forever.
 */
export const GIT_TIMEOUT_MS = 120_000;

/** Variables that point git at another repository, index or work tree than the directory's own. */
const REDIRECTING = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_COMMON_DIR',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
];

/** git failed: its exit code (`undefined` when it did not start, or was stopped) and what it said. */
export class GitError extends Error {
  override name = 'GitError';
  readonly code: number | string | undefined;
  readonly stderr: string;
  constructor(args: readonly string[], code: number | string | undefined, stderr: string, cause?: unknown) {
    const said = stderr.trim().split('\n').find(Boolean);
    super(
      `git ${args.join(' ')} failed${said ? `: ${said}` : code === 'ENOENT' ? ': git is not installed' : ''}`,
      {
        cause,
      },
    );
    this.code = code;
    this.stderr = stderr;
  }

  /** git's own first line (`fatal: not a git repository …`), without the `fatal:`. */
  get said(): string {
    return (this.stderr.trim().split('\n').find(Boolean) ?? this.message).replace(/^(fatal|error): /, '');
  }
}

export interface GitOptions {
  cwd: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * Runs git (execFile: no shell) and resolves with its stdout. codex-task's own git calls run no
 * hooks (`core.hooksPath=/dev/null`): making or removing a worktree must not run the project's
 * `post-checkout` or `reference-transaction` code on the host. A call in a repository of the
 * caller's environment (GIT_DIR set by a hook that started us) is kept to the directory given.
 */
export function git(args: readonly string[], options: GitOptions): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
  for (const name of REDIRECTING) delete env[name];
  const argv = ['-c', 'core.hooksPath=/dev/null', ...args];
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      argv,
      {
        cwd: options.cwd,
        env,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        timeout: options.timeoutMs ?? GIT_TIMEOUT_MS,
        killSignal: 'SIGKILL',
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const code = (error as NodeJS.ErrnoException & { code?: number | string }).code;
        reject(new GitError(args, code, stderr, error));
      },
    );
    // Nothing to read: a transport or helper that waits on stdin (`fd::0`) sees its end at once.
    child.stdin?.end();
  });
}
