import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { WorkspaceNotSharedError } from '../errors/index.ts';
import { GitError, git } from '../worktree/index.ts';
import type { WorkspaceSpec } from './workspace.ts';
import { redactRemote } from './workspace-git.ts';

/** What a client sends as a task's workspace, and what of its checkout it could not send. */
export interface SentWorkspace {
  spec: WorkspaceSpec;
  /** Uncommitted or untracked changes the worker will not see (TaskResult.workspace.notSent). */
  notSent?: string;
}

export interface GitWorkspaceSettings {
  /** The checkout's remote whose URL workers fetch from (`queue.gitRemote`). */
  remote: string;
  /** Workers also push the changes as `codex-task/<taskId>` (`queue.gitPush`). */
  push: boolean;
}

/** A `ls-remote` on the slow path must not hold an enqueue for git's two-minute bound. */
const LS_REMOTE_TIMEOUT_MS = 20_000;
/**
 * A batch enqueues many tasks from one directory at once: they share one check. Kept briefly, so a
 * long-lived client (serve, mcp) sees a new commit or a push within seconds.
 */
const CHECK_KEPT_MS = 2_000;

const checks = new Map<string, { at: number; check: Promise<SentWorkspace> }>();

const SWITCH_TO_PATH =
  'or run with queue.workspace: path (CODEX_TASK_QUEUE_WORKSPACE=path) if every worker sees this directory at the same path';

/**
 * The git workspace of the checkout `cwd` is in (`queue.workspace: git`): its remote's URL, its HEAD
 * commit, and where in it `cwd` is. Refuses with a WorkspaceNotSharedError (nothing is enqueued)
 * when `cwd` is in no git checkout, the checkout has no such remote, or HEAD is not on it: a worker
 * could only fail later, on another machine, with a less useful message.
 */
export function gitWorkspaceOf(cwd: string, settings: GitWorkspaceSettings): Promise<SentWorkspace> {
  const key = `${cwd}\0${settings.remote}\0${settings.push}`;
  const now = Date.now();
  const kept = checks.get(key);
  if (kept && now - kept.at < CHECK_KEPT_MS) return kept.check;
  const check = checkGitWorkspace(cwd, settings);
  checks.set(key, { at: now, check });
  // A refusal is not kept: the user fixes it (pushes) and runs again at once.
  check.catch(() => checks.delete(key));
  for (const [k, v] of checks) if (now - v.at >= CHECK_KEPT_MS) checks.delete(k);
  return check;
}

async function checkGitWorkspace(cwd: string, settings: GitWorkspaceSettings): Promise<SentWorkspace> {
  const { remote } = settings;
  const refuse = (problem: string, hint: string, cause?: unknown) =>
    new WorkspaceNotSharedError(cwd, problem, hint, cause);
  let toplevel: string;
  let commit: string;
  try {
    [toplevel = '', commit = ''] = (await git(['rev-parse', '--show-toplevel', 'HEAD'], { cwd })).split('\n');
  } catch (error) {
    const said = error instanceof GitError ? error.said : String(error);
    if (/not a git repository/i.test(said) || (error as GitError).code === 'ENOENT')
      throw refuse(
        (error as GitError).code === 'ENOENT' ? 'git is not installed' : 'it is not in a git checkout',
        `Run the task in a clone of a repository the workers can fetch, ${SWITCH_TO_PATH}.`,
        error,
      );
    throw refuse(
      `git cannot read its HEAD commit (${said})`,
      `Make a first commit and push it (git push ${remote} HEAD), ${SWITCH_TO_PATH}.`,
      error,
    );
  }
  let url: string;
  try {
    url = (await git(['remote', 'get-url', '--', remote], { cwd: toplevel })).trim();
  } catch (error) {
    throw refuse(
      `the checkout has no remote '${remote}'`,
      `Add it (git remote add ${remote} <url>), or name the checkout's remote the workers fetch from with queue.gitRemote (CODEX_TASK_QUEUE_GIT_REMOTE), ${SWITCH_TO_PATH}.`,
      error,
    );
  }
  const [ref, status] = await Promise.all([
    pushedRef(toplevel, remote, url, commit, refuse),
    git(['status', '--porcelain=v1', '-z', '--untracked-files=normal'], { cwd: toplevel }),
  ]);
  const subdir = relative(toplevel, realpathSync(cwd));
  const changed = status.split('\0').filter((entry) => entry.length > 3 && entry[2] === ' ').length;
  return {
    spec: {
      git: {
        remote: absoluteRemote(url, toplevel),
        commit,
        ...(ref ? { ref } : {}),
        ...(subdir ? { subdir } : {}),
        ...(settings.push ? { push: true } : {}),
      },
    },
    // Sent anyway (the task starts from the commit, as a clone would): refusing would stop every
    // task over a stray edit, and the patch that comes back still applies to this commit.
    ...(changed > 0
      ? {
          notSent: `${changed} uncommitted or untracked file(s) in ${toplevel} were not sent: the worker started from ${commit.slice(0, 12)}. Commit and push them to include them.`,
        }
      : {}),
  };
}

/**
 * The branch of `remote` that has `commit`, checked cheaply first: the remote-tracking branches
 * (local, as of the last fetch or push). Only when none has it, the remote itself (`ls-remote`, one
 * network round trip): a commit a branch tip is, or a tip this checkout knows descends from. A
 * tracking branch may be stale (the remote branch force-pushed since): the worker then fails the
 * task with WorkspaceUnavailable naming the missing commit.
 */
async function pushedRef(
  toplevel: string,
  remote: string,
  url: string,
  commit: string,
  refuse: (problem: string, hint: string, cause?: unknown) => WorkspaceNotSharedError,
): Promise<string | undefined> {
  const at = { cwd: toplevel };
  const tracking = await git(
    ['for-each-ref', '--contains', commit, '--format=%(refname)', `refs/remotes/${remote}/`],
    at,
  );
  const prefix = `refs/remotes/${remote}/`;
  const found = tracking
    .split('\n')
    .find((r) => r.startsWith(prefix) && r !== `${prefix}HEAD`)
    ?.slice(prefix.length);
  if (found) return found;
  let advertised: string;
  try {
    advertised = await git(['ls-remote', '--heads', '--tags', '--', remote], {
      ...at,
      timeoutMs: LS_REMOTE_TIMEOUT_MS,
    });
  } catch (error) {
    const said = error instanceof GitError ? error.said : String(error);
    throw refuse(
      `no remote-tracking branch of '${remote}' has HEAD ${commit.slice(0, 12)}, and git could not ask ${redactRemote(url)}: ${said.replaceAll(url, redactRemote(url))}`,
      `Check that this machine reaches the remote, push HEAD (git push ${remote} HEAD), ${SWITCH_TO_PATH}.`,
      error,
    );
  }
  for (const line of advertised.split('\n')) {
    const [tip, name] = line.split('\t');
    if (!tip || !name) continue;
    const contains =
      tip === commit ||
      (await git(['merge-base', '--is-ancestor', commit, tip], at).then(
        () => true,
        () => false,
      ));
    if (contains) return name.replace(/^refs\/heads\//, '');
  }
  throw refuse(
    `HEAD ${commit.slice(0, 12)} is not on the remote '${remote}' (${redactRemote(url)}): no branch there has it, so no worker can fetch it`,
    `Push it first (git push ${remote} HEAD, or push your branch) and run again, ${SWITCH_TO_PATH}.`,
  );
}

/**
 * A remote as a worker can use it: a URL (without credentials) or `host:path` as it is; a relative local path (`../x.git`,
 * which git reads from the checkout's top) made absolute, for workers on this machine or a shared disk.
 */
function absoluteRemote(url: string, toplevel: string): string {
  // Credentials in a remote URL (`https://user:token@…`) stay here: jobs carry no secrets, and
  // workers fetch with their own (an SSH key, a credential helper). An ssh user is a login, kept.
  const withUser = /^([a-z][a-z0-9+.-]*):\/\/([^/@]*)@/i.exec(url);
  if (withUser) {
    const user = withUser[1]!.toLowerCase() === 'ssh' ? `${withUser[2]!.split(':')[0]}@` : '';
    return `${withUser[1]}://${user}${url.slice(withUser[0].length)}`;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || isAbsolute(url)) return url;
  const colon = url.indexOf(':');
  const slash = url.indexOf('/');
  if (colon > 0 && (slash === -1 || colon < slash)) return url;
  return resolve(toplevel, url);
}
