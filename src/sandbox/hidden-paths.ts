import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { DEFAULT_SECRET_PATHS } from '../config/index.ts';
import { ToolDeniedError } from '../errors/index.ts';

export interface HiddenPath {
  /** Real path (symlinks resolved: the mount must cover what a link points to). */
  path: string;
  kind: 'directory' | 'file';
}

/** Compiled wildcards of the default list, by pattern: the list is looked up before every command. */
const matchers = new Map<string, (name: string) => boolean>();

/**
 * The home-directory entries of the default secret list (DEFAULT_SECRET_PATHS: `~/.ssh`, …) as
 * absolute paths: what the sandbox hides when no permission policy resolved the list for it. A
 * wildcard in the last name (`~/.*_history`, `~/.config/google-chrome*`) expands to the matching
 * entries of its directory, as the policy's own look-up does (tools/policy/secret-paths.ts).
 */
export function defaultSecretPaths(homeDir: string): string[] {
  return DEFAULT_SECRET_PATHS.flatMap((pattern) => {
    if (!pattern.startsWith('~/')) return [];
    const path = join(homeDir, pattern.slice(2));
    const last = basename(path);
    if (!/[*?[{]/.test(last)) return [path];
    const parent = dirname(path);
    const matches = matchers.get(last) ?? picomatch(last, { dot: true });
    matchers.set(last, matches);
    try {
      return readdirSync(parent)
        .filter((name) => matches(name))
        .map((name) => join(parent, name));
    } catch {
      return [];
    }
  });
}

/**
 * Only paths that exist can be covered (bwrap would otherwise create empty stand-ins in read-only
 * places and fail). Each is resolved to its real path and kind; a path inside another hidden
 * directory is dropped, as the directory already hides it.
 */
export function resolveHiddenPaths(paths: readonly string[]): HiddenPath[] {
  const found = new Map<string, HiddenPath['kind']>();
  for (const path of paths) {
    try {
      // Most of the list is missing on a given machine: an lstat says so without the exception.
      if (!lstatSync(path, { throwIfNoEntry: false })) continue;
      const real = realpathSync(path);
      found.set(real, statSync(real).isDirectory() ? 'directory' : 'file');
    } catch {
      // missing (or unreadable to us, so no less hidden from the command)
    }
  }
  const dirs = [...found].filter(([, kind]) => kind === 'directory').map(([path]) => path);
  return [...found]
    .filter(([path]) => !dirs.some((dir) => path.startsWith(dir + sep)))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([path, kind]) => ({ path, kind }));
}

/**
 * The directories between the workspace root and each hidden path inside it, to pin (bind over
 * themselves) for the command. A hidden file is a mount point, which cannot be renamed, and the
 * mount moves with its directory when that is renamed; but the next command's scan finds secrets
 * by name, so a directory renamed to where no pattern matches (a `config/creds.json` pattern) or the
 * scan does not look (`node_modules`) would take its secret out of sight. A pinned directory cannot
 * be renamed or removed at all (EBUSY).
 */
export function hiddenParents(workspaceRoot: string, hidden: readonly HiddenPath[]): string[] {
  const parents = new Set<string>();
  for (const { path } of hidden) {
    if (!path.startsWith(workspaceRoot + sep)) continue;
    for (let dir = dirname(path); dir.startsWith(workspaceRoot + sep); dir = dirname(dir)) parents.add(dir);
  }
  return [...parents].sort();
}

/**
 * Mounts a command's hidden paths may take: one per secret and per directory pinned above one.
 * bwrap re-reads the whole mount table for each mount it makes, so starting a sandbox costs about
 * 0.5 ms per mount at a hundred and grows with the square of their number (1.5 s at a thousand; it
 * refuses past 9,000 arguments). Over the limit, Bash refuses to run: leaving some secrets visible
 * (the cut the scan used to make) is what a planted pile of decoy `*.pem` files would exploit.
 */
export const MAX_HIDDEN_MOUNTS = 500;

export function refuseOverMountLimit(
  root: string,
  hidden: readonly HiddenPath[],
  parents: readonly string[],
): void {
  const mounts = hidden.length + parents.length;
  if (mounts <= MAX_HIDDEN_MOUNTS) return;
  const byDir = new Map<string, number>();
  for (const { path } of hidden) byDir.set(dirname(path), (byDir.get(dirname(path)) ?? 0) + 1);
  const [dir, most] = [...byDir].sort((a, b) => b[1] - a[1])[0] ?? [root, 0];
  const where = dir.startsWith(root + sep) ? relative(root, dir) : dir;
  const n = (count: number) => count.toLocaleString('en-US');
  throw new ToolDeniedError(
    `Bash cannot run in the sandbox: ${n(hidden.length)} secret files and directories are to be hidden from it (${n(most)} of them in ${where}), which takes ${n(mounts)} mounts with the directories holding them, over the limit of ${n(MAX_HIDDEN_MOUNTS)}. Hiding only some would leave the others readable, so nothing was run.`,
    `If they are not real secrets (test fixtures, sample keys), list them in permissions.secretExceptions in ~/.codex-task/config.json (e.g. "${where}/**"; the list replaces the default exceptions, so keep .env.example and the others), or move them out of the workspace. Real secrets belong outside it.`,
  );
}
