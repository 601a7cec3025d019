import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, resolve, sep } from 'node:path';
import { WorkspaceUnavailableError } from '../errors/index.ts';
import {
  BRANCH_PREFIX,
  GitError,
  git,
  removeWorktree,
  type WorktreeRecord,
  worktreeChanges,
  worktreeName,
  worktreesDir,
} from '../worktree/index.ts';
import type { GitWorkspaceOutcome, PreparedWorkspace, PrepareOptions, WorkspaceSpec } from './workspace.ts';

type GitSpec = Extract<WorkspaceSpec, { git: unknown }>['git'];

/** A patch over this size is left out of the result (it travels through Redis): push the branch. */
export const PATCH_MAX_BYTES = 8 * 1024 * 1024;

/** Who the task's last changes are committed as on a pushed branch. */
const COMMITTER = ['-c', 'user.name=codex-task', '-c', 'user.email=codex-task@localhost'];

const FIX_REMOTE =
  'Check the remote URL, that this worker can reach it, and its git credentials there (an SSH key, or a credential helper for https); `git ls-remote <remote>` on the worker shows what git says.';

/** A remote as messages show it: `https://user:token@host/…` → `https://***@host/…`. */
export function redactRemote(remote: string): string {
  return remote.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@');
}

/**
 * How long one fetch or push may take (a constant): the remote's cache is locked meanwhile, for
 * every task from that remote, and a remote that never answers must not hold it for ever.
 */
export const REMOTE_GIT_TIMEOUT_MS = 5 * 60_000;

/**
 * The transports a job's remote may use: https and ssh; a local path (git's `file`) only inside the
 * directories the worker allows for path workspaces (`--allow-path`), since a job names any path of
 * the worker's disk. Everything else (`ext::`, `fd::`, plain `git://`, `http://`, remote helpers) is
 * refused by git itself.
 */
function transport(remote: string, allowedRoots: readonly string[]): string[] {
  return [
    '-c',
    'protocol.allow=never',
    '-c',
    'protocol.https.allow=always',
    '-c',
    'protocol.ssh.allow=always',
    '-c',
    `protocol.file.allow=${localAllowed(remote, allowedRoots) ? 'always' : 'never'}`,
  ];
}

function localAllowed(remote: string, allowedRoots: readonly string[]): boolean {
  if (!isAbsolute(remote)) return false;
  let real: string;
  try {
    real = realpathSync(remote);
  } catch {
    // Gone (its commit may be cached already): a path that does not exist leads nowhere else.
    real = resolve(remote);
  }
  return allowedRoots.some((root) => real === root || real.startsWith(root + sep));
}

/** One git call at a time per cache in this process (fetches and worktree changes); other processes rely on git's locks. */
const locks = new Map<string, Promise<unknown>>();

function withLock<T>(key: string, run: () => Promise<T>): Promise<T> {
  const done = (locks.get(key) ?? Promise.resolve()).then(run, run);
  const settled = done.catch(() => {});
  locks.set(key, settled);
  void settled.then(() => {
    if (locks.get(key) === settled) locks.delete(key);
  });
  return done;
}

/**
 * The worker's bare cache of a remote, `<dataDir>/workspaces/remotes/<name>-<hash>.git`, made once
 * (in a temporary directory renamed into place, so two workers sharing a data dir cannot both
 * half-make it) and reused by every task from that remote.
 */
function cacheOf(remote: string, dataDir: string): string {
  const name =
    basename(remote.replace(/\.git\/?$/, '').replace(/[/:]+$/, '')).replace(/[^A-Za-z0-9_-]/g, '') || 'repo';
  const hash = createHash('sha256').update(remote).digest('hex').slice(0, 16);
  return join(dataDir, 'workspaces', 'remotes', `${name.slice(0, 40)}-${hash}.git`);
}

export async function ensureCache(cache: string, signal?: AbortSignal): Promise<void> {
  if (existsSync(join(cache, 'HEAD'))) return;
  const parent = join(cache, '..');
  mkdirSync(parent, { recursive: true });
  const temporary = `${cache}.${randomUUID().slice(0, 8)}.tmp`;
  await git(['init', '--quiet', '--bare', temporary], { cwd: parent, ...(signal ? { signal } : {}) });
  try {
    renameSync(temporary, cache);
  } catch {
    rmSync(temporary, { recursive: true, force: true });
  }
}

async function hasCommit(cache: string, commit: string): Promise<boolean> {
  return git(['cat-file', '-e', `${commit}^{commit}`], { cwd: cache }).then(
    () => true,
    () => false,
  );
}

/**
 * Fetches `commit` into the cache unless it is there already: by id (protocol v2 serves any
 * reachable commit), else `ref`, else every branch and tag under a namespace of this fetch's own
 * (deleted after), so concurrent fetches never fight over a ref.
 */
async function fetchCommit(
  cache: string,
  spec: GitSpec,
  signal: AbortSignal | undefined,
  allowedRoots: readonly string[],
): Promise<void> {
  if (await hasCommit(cache, spec.commit)) return;
  const at = { cwd: cache, ...(signal ? { signal } : {}) };
  const fetch = (refspecs: string[]) =>
    git(
      [
        ...transport(spec.remote, allowedRoots),
        'fetch',
        '--quiet',
        '--no-write-fetch-head',
        '--no-tags',
        '--',
        spec.remote,
        ...refspecs,
      ],
      { ...at, timeoutMs: REMOTE_GIT_TIMEOUT_MS },
    );
  let failure: unknown;
  try {
    await fetch([spec.commit]);
    return;
  } catch (error) {
    failure = error;
  }
  const namespace = `refs/codex-task-fetch/${randomUUID().slice(0, 8)}`;
  try {
    await fetch(
      spec.ref ? [spec.ref] : [`+refs/heads/*:${namespace}/heads/*`, `+refs/tags/*:${namespace}/tags/*`],
    );
  } catch (error) {
    const said = error instanceof GitError ? error.said : (failure as Error).message;
    throw new WorkspaceUnavailableError(
      redactRemote(spec.remote),
      `git could not fetch from it: ${said.replaceAll(spec.remote, redactRemote(spec.remote))}`,
      FIX_REMOTE,
      error,
    );
  } finally {
    const refs = await git(['for-each-ref', '--format=%(refname)', namespace], at).catch(() => '');
    for (const ref of refs.split('\n').filter(Boolean))
      await git(['update-ref', '-d', ref], at).catch(() => {});
  }
  if (!(await hasCommit(cache, spec.commit)))
    throw new WorkspaceUnavailableError(
      redactRemote(spec.remote),
      `it has no commit ${spec.commit}${spec.ref ? ` (fetched ${spec.ref})` : ''}`,
      'Push the commit to the remote before enqueuing the task, or name the branch or ref that has it (`ref`).',
    );
}

/**
 * A git workspace on this worker: the remote fetched into the worker's cache of it, a fresh
 * worktree on the branch `codex-task/<taskId>` at the commit (a worktree left by an earlier
 * attempt of the same task is replaced), and `finish` to collect the changes and remove it.
 */
export async function prepareGitWorkspace(
  spec: GitSpec,
  options: PrepareOptions,
): Promise<PreparedWorkspace> {
  const { signal } = options;
  if (isAbsolute(spec.remote) && !localAllowed(spec.remote, options.allowedRoots))
    throw new WorkspaceUnavailableError(
      spec.remote,
      'a local repository outside the directories this worker allows',
      'Start the worker with --allow-path <dir> (or `queue.allowPaths`) naming the directory the repository is in, or name an https:// or ssh remote.',
    );
  const cache = cacheOf(spec.remote, options.dataDir);
  const name = worktreeName(options.taskId);
  const record: WorktreeRecord = {
    taskId: options.taskId,
    path: join(worktreesDir(cache), name),
    branch: `${BRANCH_PREFIX}${name}`,
    base: spec.commit,
    checkout: cache,
    created: new Date().toISOString(),
  };
  await withLock(cache, async () => {
    try {
      await ensureCache(cache, signal);
    } catch (error) {
      throw new WorkspaceUnavailableError(
        redactRemote(spec.remote),
        `cannot make its cache at ${cache}: ${(error as Error).message}`,
        'Check that the worker can write to its data directory, and that git is installed.',
        error,
      );
    }
    await fetchCommit(cache, spec, signal, options.allowedRoots);
    // An earlier attempt of this task (its worker killed) may have left one: this attempt starts afresh.
    if (existsSync(record.path)) await removeWorktree(cache, record, { force: true });
    try {
      // --force: also when git still has a worktree registered there whose directory is gone.
      await git(['worktree', 'add', '--quiet', '--force', '-B', record.branch, record.path, spec.commit], {
        cwd: cache,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      await removeWorktree(cache, record, { force: true });
      throw new WorkspaceUnavailableError(
        redactRemote(spec.remote),
        `git could not make a worktree at ${spec.commit}: ${error instanceof GitError ? error.said : (error as Error).message}`,
        'Check the worker’s disk space and its data directory.',
        error,
      );
    }
  });
  const cwd = spec.subdir ? join(record.path, spec.subdir) : record.path;
  if (!statSync(cwd, { throwIfNoEntry: false })?.isDirectory()) {
    await removeWorktree(cache, record, { force: true });
    throw new WorkspaceUnavailableError(
      redactRemote(spec.remote),
      `commit ${spec.commit} has no directory ${spec.subdir}`,
      'Give a `subdir` that exists at that commit, or leave it out.',
    );
  }
  let finished: Promise<GitWorkspaceOutcome> | undefined;
  return {
    cwd,
    finish: () => {
      finished ??= collect(spec, record, options).finally(() =>
        withLock(cache, () => removeWorktree(cache, record, { force: true })),
      );
      return finished;
    },
  };
}

/** The task's changes against its base: summary, patch, and (asked for) the pushed branch. */
async function collect(
  spec: GitSpec,
  record: WorktreeRecord,
  { dataDir, allowedRoots }: PrepareOptions,
): Promise<GitWorkspaceOutcome> {
  const at = { cwd: record.path };
  const changes = await worktreeChanges(record.path, spec.commit);
  const outcome: GitWorkspaceOutcome = {
    kind: 'git',
    remote: redactRemote(spec.remote),
    base: spec.commit,
    changed: changes.changed,
    summary: changes.summary,
  };
  if (!changes.changed) return outcome;
  // Staged, new files are in the diff too; ignored ones stay out, as they would from a commit.
  await git(['add', '--all'], at);
  const file = join(dataDir, 'workspaces', `${basename(record.path)}.patch`);
  try {
    await git(
      [
        'diff',
        '--cached',
        '--binary',
        '--full-index',
        '--no-textconv',
        '--no-ext-diff',
        '--no-color',
        `--output=${file}`,
        spec.commit,
      ],
      at,
    );
    const bytes = readFileSync(file);
    if (bytes.length > PATCH_MAX_BYTES)
      outcome.patchOmitted = `the patch is ${bytes.length} bytes, over the ${PATCH_MAX_BYTES}-byte limit of a result: push the branch instead (push: true)`;
    else outcome.patch = encodePatch(bytes);
  } finally {
    rmSync(file, { force: true });
  }
  if (spec.push) await push(spec, record, outcome, allowedRoots);
  return outcome;
}

async function push(
  spec: GitSpec,
  record: WorktreeRecord,
  outcome: GitWorkspaceOutcome,
  allowedRoots: readonly string[],
): Promise<void> {
  const at = { cwd: record.path };
  try {
    const staged = await git(['diff', '--cached', '--quiet'], at).then(
      () => false,
      () => true,
    );
    if (staged)
      await git(
        [
          ...COMMITTER,
          'commit',
          '--quiet',
          '--no-verify',
          '-m',
          `codex-task ${record.taskId}: the task's changes`,
        ],
        at,
      );
    const commit = (await git(['rev-parse', 'HEAD'], at)).trim();
    await git(
      [
        ...transport(spec.remote, allowedRoots),
        'push',
        '--quiet',
        '--force',
        '--',
        spec.remote,
        `HEAD:refs/heads/${record.branch}`,
      ],
      { ...at, timeoutMs: REMOTE_GIT_TIMEOUT_MS },
    );
    outcome.pushed = { branch: record.branch, commit };
  } catch (error) {
    const said = error instanceof GitError ? error.said : (error as Error).message;
    outcome.pushFailed = said.replaceAll(spec.remote, redactRemote(spec.remote));
  }
}

function encodePatch(bytes: Buffer): NonNullable<GitWorkspaceOutcome['patch']> {
  try {
    return {
      encoding: 'utf8',
      data: new TextDecoder('utf-8', { fatal: true }).decode(bytes),
      bytes: bytes.length,
    };
  } catch {
    return { encoding: 'base64', data: bytes.toString('base64'), bytes: bytes.length };
  }
}

/** A patch as bytes again, whichever way it was carried (for `git apply`). */
export function patchBytes(patch: NonNullable<GitWorkspaceOutcome['patch']>): Buffer {
  return Buffer.from(patch.data, patch.encoding);
}
