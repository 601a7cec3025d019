import { existsSync, mkdirSync, realpathSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { WorktreeUnavailableError } from '../errors/index.ts';
import { type WorktreeChanges, worktreeChanges } from './changes.ts';
import { GitError, git } from './git.ts';
import {
  BRANCH_PREFIX,
  deleteRecord,
  readRecords,
  type WorktreeRecord,
  worktreeName,
  writeRecord,
} from './records.ts';
import { type Repository, repositoryOf, TASK_HINT, unavailable, worktreesDir } from './repository.ts';

/** A worktree made for a task, and where in it the task works. */
export interface CreatedWorktree {
  record: WorktreeRecord;
  /** The repository's common git directory, where the record is kept. */
  commonDir: string;
  /** The task's directory inside the worktree: where it was in its checkout (the top when that is not in the worktree). */
  workdir: string;
}

/**
 * Makes a worktree for a task on a new branch `codex-task/<taskId>`, from the HEAD of the
 * repository `cwd` is in, at `<common git dir>/codex-task-worktrees/<taskId>`, and records it
 * there. Throws a WorktreeUnavailableError naming the directory and the fix.
 */
export async function createWorktree(p: {
  cwd: string;
  taskId: string;
  agentType?: string;
  description?: string;
  signal?: AbortSignal;
}): Promise<CreatedWorktree> {
  const repo = await repositoryOf(p.cwd, p.signal ? { signal: p.signal } : {});
  const at = { cwd: repo.toplevel, ...(p.signal ? { signal: p.signal } : {}) };
  let base: string;
  try {
    base = (await git(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], at)).trim();
  } catch (error) {
    if (error instanceof GitError && error.code === 1)
      throw new WorktreeUnavailableError(
        p.cwd,
        'its repository has no commit yet for the branch to start from',
        `Commit first (git commit --allow-empty -m "first commit"). ${TASK_HINT}`,
      );
    throw unavailable(p.cwd, error, TASK_HINT);
  }
  const name = worktreeName(p.taskId);
  const path = join(worktreesDir(repo.commonDir), name);
  const branch = `${BRANCH_PREFIX}${name}`;
  if (existsSync(path))
    throw new WorktreeUnavailableError(
      p.cwd,
      `${path} already exists`,
      'Remove it (codex-task worktrees remove), or give the task another id.',
    );
  mkdirSync(dirname(path), { recursive: true });
  try {
    await git(['worktree', 'add', '--quiet', '-b', branch, path, base], at);
  } catch (error) {
    // A cancel or a timeout can stop git half-way: take back whatever it made.
    await removeQuietly(repo, path, branch);
    if (!(error instanceof GitError)) throw error;
    throw new WorktreeUnavailableError(
      p.cwd,
      `git could not make the worktree: ${error.said}`,
      `Fix what git says, or leave out isolation. ${TASK_HINT}`,
    );
  }
  const record: WorktreeRecord = {
    taskId: p.taskId,
    path: realpathSync(path),
    branch,
    base,
    checkout: repo.toplevel,
    created: new Date().toISOString(),
    ...(p.agentType ? { agentType: p.agentType } : {}),
    ...(p.description ? { description: p.description } : {}),
  };
  writeRecord(repo.commonDir, record);
  const inside = relative(repo.toplevel, realpathSync(p.cwd));
  const workdir = inside && existsSync(join(record.path, inside)) ? join(record.path, inside) : record.path;
  return { record, commonDir: repo.commonDir, workdir };
}

/** The record of the worktree `dir` is in, when codex-task made it; else `undefined`. */
export async function worktreeAt(
  dir: string,
): Promise<{ record: WorktreeRecord; commonDir: string } | undefined> {
  let repo: Repository;
  try {
    repo = await repositoryOf(dir);
  } catch {
    return undefined;
  }
  const record = readRecords(repo.commonDir).find((r) => r.path === repo.toplevel);
  return record ? { record, commonDir: repo.commonDir } : undefined;
}

/** What `removeWorktree` did: removed it (and its branch), or refused, saying why and what to do. */
export type Removal = { removed: true } | { removed: false; reason: string; fix: string };

/**
 * Removes a task's worktree, its branch and its record. Without `force` it refuses a worktree with
 * uncommitted changes, or a branch with commits the checkout's HEAD does not have: removing those
 * would lose work.
 */
export async function removeWorktree(
  commonDir: string,
  record: WorktreeRecord,
  options: { force?: boolean; signal?: AbortSignal } = {},
): Promise<Removal> {
  const repo: Repository = {
    commonDir,
    toplevel: existsSync(record.checkout) ? record.checkout : dirname(commonDir),
  };
  const present = existsSync(join(record.path, '.git'));
  if (!options.force) {
    if (present) {
      const changes = await worktreeChanges(record.path, record.base, options.signal);
      if (changes.uncommitted)
        return {
          removed: false,
          reason: `${record.branch} has uncommitted changes (${changes.summary}) in ${record.path}`,
          fix: `Commit them there and merge the branch (git -C ${record.path} add -A && git -C ${record.path} commit -m "…", then git merge ${record.branch}), or remove it anyway with --force.`,
        };
    }
    const unmerged = await commitsNotIn(repo, record.branch, options.signal);
    if (unmerged > 0)
      return {
        removed: false,
        reason: `${record.branch} has ${unmerged} commit${unmerged === 1 ? '' : 's'} that the HEAD of ${repo.toplevel} does not have`,
        fix: `Merge it (git merge ${record.branch}), or remove it anyway with --force.`,
      };
  }
  await removeQuietly(repo, record.path, record.branch, options.signal);
  if (existsSync(record.path) || (await branchExists(repo, record.branch)))
    return {
      removed: false,
      reason: `git could not remove ${existsSync(record.path) ? record.path : `the branch ${record.branch}`}`,
      fix: `Try again, or by hand: git worktree remove --force ${record.path}; git branch -D ${record.branch}.`,
    };
  deleteRecord(commonDir, record);
  return { removed: true };
}

/** Commits on `branch` that the checkout's HEAD lacks; 0 when the branch is gone. */
async function commitsNotIn(repo: Repository, branch: string, signal?: AbortSignal): Promise<number> {
  try {
    const out = await git(['rev-list', '--count', `HEAD..refs/heads/${branch}`], {
      cwd: repo.toplevel,
      ...(signal ? { signal } : {}),
    });
    return Number(out.trim()) || 0;
  } catch {
    return 0;
  }
}

async function branchExists(repo: Repository, branch: string): Promise<boolean> {
  return git(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], { cwd: repo.toplevel }).then(
    () => true,
    () => false,
  );
}

/** The worktree (forced), its git metadata and its branch, each as far as it exists. */
async function removeQuietly(repo: Repository, path: string, branch: string, signal?: AbortSignal) {
  const at = { cwd: repo.toplevel, ...(signal ? { signal } : {}) };
  await git(['worktree', 'remove', '--force', '--force', path], at).catch(() => {});
  // Under our own folder only (`..` folded first): never a directory git did not make for us.
  if (resolve(path).startsWith(resolve(worktreesDir(repo.commonDir)) + sep))
    rmSync(path, { recursive: true, force: true });
  await git(['worktree', 'prune'], at).catch(() => {});
  await git(['branch', '-D', branch], at).catch(() => {});
}

/** A task's worktree as `codex-task worktrees list` shows it. */
export interface ListedWorktree extends WorktreeRecord {
  /** The directory is gone (removed by hand): `remove` drops the record and the branch. */
  missing: boolean;
  /** Its changes, when the directory is there and git could read it. */
  changes?: WorktreeChanges;
}

/** The worktrees codex-task made in the repository `cwd` is in, oldest first, with their changes. */
export async function listWorktrees(
  cwd: string,
  options: { hint?: string; signal?: AbortSignal } = {},
): Promise<{ repository: Repository; worktrees: ListedWorktree[] }> {
  const repository = await repositoryOf(cwd, options);
  const worktrees: ListedWorktree[] = [];
  for (const record of readRecords(repository.commonDir)) {
    const missing = !existsSync(join(record.path, '.git'));
    let changes: WorktreeChanges | undefined;
    if (!missing)
      changes = await worktreeChanges(record.path, record.base, options.signal).catch(() => undefined);
    worktrees.push({ ...record, missing, ...(changes ? { changes } : {}) });
  }
  return { repository, worktrees };
}

/**
 * The records `key` names: a task id, a unique prefix of one, or a branch (`codex-task/<id>`).
 * More than one means the prefix is ambiguous.
 */
export function findWorktrees<R extends WorktreeRecord>(records: readonly R[], key: string): R[] {
  const exact = records.filter((r) => r.taskId === key || r.branch === key || r.path === key);
  if (exact.length > 0) return exact;
  return records.filter((r) => r.taskId.startsWith(key) || r.branch.startsWith(key));
}
