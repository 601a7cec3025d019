import { readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { DEFAULT_SECRET_PATHS } from '../config/index.ts';

export interface HiddenPath {
  /** Real path (symlinks resolved: the mount must cover what a link points to). */
  path: string;
  kind: 'directory' | 'file';
}

/**
 * The home-directory entries of the default secret list (DEFAULT_SECRET_PATHS: `~/.ssh`, …) as
 * absolute paths: what the sandbox hides when no permission policy resolved the list for it. A
 * final `*` expands to the entries of the parent directory that start with the rest.
 */
export function defaultSecretPaths(homeDir: string): string[] {
  return DEFAULT_SECRET_PATHS.flatMap((pattern) => {
    if (!pattern.startsWith('~/')) return [];
    const path = join(homeDir, pattern.slice(2));
    if (!path.endsWith('*')) return [path];
    const prefix = basename(path.slice(0, -1));
    const parent = dirname(path);
    try {
      return readdirSync(parent)
        .filter((name) => name.startsWith(prefix))
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
