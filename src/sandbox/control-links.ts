import {
  type Dirent,
  existsSync,
  lstatSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  type Stats,
  statSync,
} from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

/** Where a symlink among the control paths leads: protected as the control file it stands for. */
export interface LinkTarget {
  /** The target, resolved as far as it exists (a dangling link's target is what a write would create). */
  path: string;
  directory: boolean;
  /** `the symlink .claude/settings.json`, for messages. */
  via: string;
  /** Every symlink followed on the way there, this one first (see resolveLinks). */
  links: string[];
}

/** Where a path leads, and the symlinks followed to get there. */
export interface ResolvedPath {
  /** Absolute, every symlink followed, whether or not it exists (see followLink). */
  path: string;
  /** The symlinks met, in order, each where it lies (its directory resolved): replacing any of them
   * changes where the path leads. */
  links: string[];
}

/** Entries looked at, in all, before the walk gives up (see ControlWalkError). */
export const MAX_CONTROL_ENTRIES = 20_000;
/** Inside a git directory: object, ref, log and merge-resolution stores (and LFS's, git-annex's),
 * which grow large and are never code or config git runs. */
const GIT_STORES = new Set(['objects', 'refs', 'logs', 'rr-cache', 'lfs', 'annex']);
const MAX_HOPS = 40;

/**
 * The walk gave up (too many entries). Not a CodexTaskError: a signal to its callers, which refuse
 * the Bash command (ToolDeniedError) or treat every workspace file as a control file.
 */
export class ControlWalkError extends Error {
  override name = 'ControlWalkError';
}

/**
 * The targets of the symlinks among `roots` (the workspace's control paths) and inside them, at any
 * depth, followed through linked directories. A control file is what it resolves to: with
 * `.claude/settings.json` a link to `docs/s.json`, writing `docs/s.json` rewrites the settings, so
 * that file must be protected too, not only the name. Inside git directories the object, ref and log
 * stores are skipped (only `objects/info`, which names alternates, is looked at).
 * @throws ControlWalkError past MAX_CONTROL_ENTRIES entries: the caller cannot know what it missed
 */
export function controlLinkTargets(workspaceRoot: string, roots: readonly string[]): LinkTarget[] {
  const out: LinkTarget[] = [];
  const walked = new Set<string>();
  let budget = MAX_CONTROL_ENTRIES;
  const name = (path: string) => relative(workspaceRoot, path) || '.';

  const visit = (path: string, shown: string) => {
    let st: Stats | undefined;
    try {
      st = lstatSync(path, { throwIfNoEntry: false });
    } catch {
      return; // under a file (ENOTDIR), or unreadable: nothing there to lead anywhere
    }
    if (!st) return;
    if (st.isSymbolicLink()) {
      const { path: target, links } = resolveLinks(path, workspaceRoot);
      const directory = isDirectory(target);
      out.push({ path: target, directory, via: `the symlink ${shown}`, links });
      if (directory) walk(target, shown);
    } else if (st.isDirectory()) {
      walk(path, shown);
    }
  };
  const walk = (dir: string, shown: string) => {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch {
      return;
    }
    // The workspace itself (a link to `.`), or above it, is not walked: it is not a control file.
    if (walked.has(real) || real === workspaceRoot || workspaceRoot.startsWith(`${real}/`)) return;
    walked.add(real);
    let entries: Dirent[];
    try {
      entries = readdirSync(real, { withFileTypes: true });
    } catch {
      return;
    }
    const gitDir = existsSync(join(real, 'HEAD'));
    for (const entry of entries) {
      budget -= 1;
      if (budget < 0)
        throw new ControlWalkError(
          `the workspace's control paths hold more than ${MAX_CONTROL_ENTRIES.toLocaleString('en-US')} entries (under ${name(real)})`,
        );
      const path = join(real, entry.name);
      const child = `${shown}/${entry.name}`;
      if (gitDir && entry.name === 'objects' && entry.isDirectory())
        visit(join(path, 'info'), `${child}/info`);
      else if (gitDir && GIT_STORES.has(entry.name) && entry.isDirectory()) continue;
      else if (entry.isSymbolicLink() || entry.isDirectory()) visit(path, child);
    }
  };

  for (const root of roots) visit(root, name(root));
  return out;
}

/**
 * Where a path leads once every symlink in it is followed, as an absolute path, whether or not that
 * exists: a dangling link's target is what a write through it would create.
 */
export function followLink(path: string): string {
  return resolveLinks(path).path;
}

/**
 * Resolves an absolute path one name at a time, as the kernel does (`..` after a symlink goes up
 * from where the link led), noting each symlink it follows. A missing name ends the walk: the rest
 * is joined as written. A loop (more than MAX_HOPS links) or an unreadable directory also stops it,
 * with the path as written from there. `realBase`, a directory known to hold no symlink on its way
 * (the workspace's real path), is where the walk starts for paths under it: a few system calls less
 * for each of the ~50 control paths looked at before and after every command.
 */
export function resolveLinks(path: string, realBase?: string): ResolvedPath {
  const links: string[] = [];
  const fromBase = realBase !== undefined && path.startsWith(realBase + sep);
  let pending = (fromBase ? path.slice(realBase.length) : path).split(sep).filter((part) => part !== '');
  let current: string = fromBase ? realBase : sep;
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      current = join(current, '..');
      continue;
    }
    const next = join(current, part);
    let st: Stats | undefined;
    let target: string | undefined;
    try {
      st = lstatSync(next, { throwIfNoEntry: false });
      if (st?.isSymbolicLink() && hops < MAX_HOPS) target = readlinkSync(next);
    } catch {
      st = undefined; // under a file (ENOTDIR) or unreadable: nothing further to follow
    }
    if (!st || (st.isSymbolicLink() && target === undefined)) return { path: join(next, ...pending), links };
    if (target === undefined) {
      current = next;
      continue;
    }
    hops += 1;
    if (!links.includes(next)) links.push(next);
    pending = [...target.split(sep).filter((p) => p !== ''), ...pending];
    if (isAbsolute(target)) current = sep;
  }
  return { path: current, links };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false; // a loop or a file on the way: nothing to walk
  }
}
