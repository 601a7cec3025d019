import { realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { WorktreeUnavailableError } from '../errors/index.ts';
import { GitError, git } from './git.ts';

/** Where a directory's repository keeps what codex-task needs. */
export interface Repository {
  /** The top of the work tree the directory is in: the main checkout, or a linked worktree (real path). */
  toplevel: string;
  /** The repository's common git directory, the main checkout's `.git` (real path). */
  commonDir: string;
}

/** What a task with `isolation: "worktree"` is told when its directory is not in a repository. */
export const TASK_HINT =
  'isolation: "worktree" runs the subagent in a new git worktree of the repository its directory is in. Run the task in a git repository (git init, then a first commit), or leave out isolation (`isolation` in the Task input, `isolation: worktree` in the agent file).';

/**
 * The repository `dir` is in. Throws a WorktreeUnavailableError saying why there is none (not a
 * repository, a bare one, no git), with `hint` as its fix.
 */
export async function repositoryOf(
  dir: string,
  options: { hint?: string; signal?: AbortSignal } = {},
): Promise<Repository> {
  const hint = options.hint ?? TASK_HINT;
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory())
    throw new WorktreeUnavailableError(dir, 'no such directory', hint);
  let out: string;
  try {
    out = await git(['rev-parse', '--show-toplevel', '--git-common-dir'], {
      cwd: dir,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    throw unavailable(dir, error, hint);
  }
  const [toplevel, common] = out.split('\n');
  if (!toplevel || !common) throw new WorktreeUnavailableError(dir, 'git named no work tree for it', hint);
  // `--git-common-dir` is relative to `dir` when git finds it by walking up (`.git`, `../.git`).
  return { toplevel: realpathSync(toplevel), commonDir: realpathSync(resolve(dir, common)) };
}

/** The error for a git call that found no repository (or no git) at `dir`; anything else as it is. */
export function unavailable(dir: string, error: unknown, hint: string): unknown {
  if (!(error instanceof GitError)) return error;
  if (error.code === 'ENOENT')
    return new WorktreeUnavailableError(dir, 'git is not installed (or not on PATH)', `Install git. ${hint}`);
  if (/not a git repository/i.test(error.stderr))
    return new WorktreeUnavailableError(dir, 'it is not inside a git repository', hint);
  if (/must be run in a work tree/i.test(error.stderr))
    return new WorktreeUnavailableError(dir, 'it is inside a bare repository (no work tree)', hint);
  return new WorktreeUnavailableError(dir, `git said: ${error.said}`, hint);
}

/** The folder of the repository's common git directory where codex-task keeps its worktrees. */
export const WORKTREES_FOLDER = 'codex-task-worktrees';

export function worktreesDir(commonDir: string): string {
  return join(commonDir, WORKTREES_FOLDER);
}
