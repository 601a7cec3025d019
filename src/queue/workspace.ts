import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, resolve, sep } from 'node:path';
import { z } from 'zod';
import type { TaskWorkspace } from '../engine/index.ts';
import { WorkspaceUnavailableError } from '../errors/index.ts';
import { prepareGitWorkspace, redactRemote } from './workspace-git.ts';

/**
 * Where a queued task's files are, said so that a worker on another machine can reach them:
 * `{ path }` a directory every worker sees at that path (a shared volume); `{ git }` a remote and a
 * commit the worker checks out into a fresh worktree of its own, returning the changes as a patch
 * (and, with `push`, as the branch `codex-task/<taskId>` pushed to the remote).
 */
export const WorkspaceSpecSchema = z.union([
  z.object({ path: z.string().min(1).refine(isAbsolute, 'an absolute path') }).strict(),
  z
    .object({
      git: z
        .object({
          /** A URL or path git can fetch from on the worker (`https://…`, `git@host:…`, `/srv/repo.git`). */
          remote: z
            .string()
            .min(1)
            .refine((r) => !r.startsWith('-'), 'a URL or path, not an option'),
          /** The full commit id the task starts from. */
          commit: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'a full commit id (40 or 64 hex digits)'),
          /** A ref to fetch when the remote will not serve a commit by id (`main`, `refs/pull/7/head`). */
          ref: z
            .string()
            .min(1)
            .refine((r) => !r.startsWith('-') && !r.includes(':'), 'a ref name')
            .optional(),
          /** Also push the result as the branch `codex-task/<taskId>` to the remote. */
          push: z.boolean().optional(),
          /** The directory inside the repository the task works in (default: its top). */
          subdir: z
            .string()
            .min(1)
            .refine(
              (d) => !isAbsolute(d) && !d.split(/[\\/]/).includes('..'),
              'a relative path inside the repository',
            )
            .optional(),
        })
        .strict(),
    })
    .strict(),
]);
export type WorkspaceSpec = z.infer<typeof WorkspaceSpecSchema>;

/** What a workspace gives back when its task ends: `TaskResult.workspace`. */
export type WorkspaceOutcome = TaskWorkspace;
export type GitWorkspaceOutcome = Extract<TaskWorkspace, { kind: 'git' }>;

export interface PreparedWorkspace {
  /** Where the task runs (its `cwd`). */
  cwd: string;
  /**
   * Collects the changes and removes the worktree and its local branch; call it once the task has
   * ended, whatever its outcome (a second call returns the first one's answer). Never leaves the
   * worktree behind, even when collecting fails.
   */
  finish(): Promise<WorkspaceOutcome>;
}

export interface PrepareOptions {
  taskId: string;
  /** The worker's data directory: remotes are cached (and reused) under `<dataDir>/workspaces/`. */
  dataDir: string;
  /**
   * Real paths of the directories a path workspace may be in (`--allow-path`, `queue.allowPaths`):
   * a job names any path, and whoever can write to the queue's Redis writes jobs.
   */
  allowedRoots: readonly string[];
  signal?: AbortSignal;
}

/**
 * Makes the workspace a task runs in on this worker. Throws a WorkspaceUnavailableError naming what
 * is missing (the path, the remote, the commit) and the fix.
 */
export async function prepareWorkspace(
  spec: WorkspaceSpec,
  options: PrepareOptions,
): Promise<PreparedWorkspace> {
  if ('git' in spec) return prepareGitWorkspace(spec.git, options);
  const path = resolve(spec.path);
  if (!statSync(path, { throwIfNoEntry: false })?.isDirectory())
    throw new WorkspaceUnavailableError(
      path,
      'no such directory on this worker',
      'A path workspace must be a directory every worker sees at the same path (a shared volume): mount it there, or give the task a git workspace ({ git: { remote, commit } }) instead.',
    );
  // Symlinks resolved: a link inside an allowed directory must not lead out of it.
  const real = realpathSync(path);
  if (!options.allowedRoots.some((root) => real === root || real.startsWith(root + sep)))
    throw new WorkspaceUnavailableError(
      path,
      options.allowedRoots.length === 0
        ? 'this worker allows no path workspaces'
        : `it is outside the directories this worker allows (${options.allowedRoots.join(', ')})`,
      'Start the worker with --allow-path <dir> (repeatable; or `queue.allowPaths` in its config) naming the shared directory tasks work in, or give the task a git workspace ({ git: { remote, commit } }).',
    );
  const outcome: WorkspaceOutcome = { kind: 'path', path };
  return { cwd: path, finish: () => Promise.resolve(outcome) };
}

/** How a spec is named in messages and records: the path, or the remote (no password) at the commit. */
export function describeWorkspace(spec: WorkspaceSpec): string {
  return 'git' in spec ? `${redactRemote(spec.git.remote)}@${spec.git.commit.slice(0, 12)}` : spec.path;
}
