import { lstatSync, readdirSync, readlinkSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { controlLinkTargets } from './control-links.ts';
import { gitControlPaths } from './git-control.ts';

/**
 * The workspace's control files (DEFAULT_PROTECTED_PATHS): what the host runs or trusts later —
 * `.mcp.json` servers, git hooks and config, `.claude/` settings and agents, our and Codex's project
 * config. A sandboxed command may write the rest of the workspace, never these, or a later step
 * would run its code outside the sandbox.
 */
export interface ProtectedPath {
  /** Absolute, as named (not resolved: a symlink here is itself protected). */
  path: string;
  /** A directory when it exists: a missing one gets an empty read-only stand-in. */
  directory: boolean;
  /** Why it is protected when not by its own name: what leads there (`the symlink .mcp.json`). */
  via?: string;
}

/** The mounts that keep the protected paths as they are inside the sandbox. */
export interface ProtectedMounts {
  /** Directories bound writable over themselves, shallowest first: a mount point cannot be renamed
   * or removed, so a command cannot move `.git` aside and build a new one with its own hooks (nor,
   * with the hidden paths' parents added, move a secret where the next scan does not find it). */
  pinned: string[];
  /** Existing protected paths (real paths inside the workspace), bound read-only over themselves. */
  readOnly: string[];
  /** Missing protected directories whose parent exists: an empty read-only tmpfs stands in for them
   * while the command runs (its empty mount point on the host is removed after). */
  placeholders: string[];
}

/** How the protected paths were before the command, for restoreProtected. */
export interface ProtectedSnapshot {
  workspaceRoot: string;
  before: ReadonlyMap<string, Fingerprint | undefined>;
  /** Paths this command treats as made by a sandbox: whatever stands there afterwards is removed. */
  created: readonly string[];
}

interface Fingerprint {
  kind: 'directory' | 'file' | 'symlink';
  dev: number;
  ino: number;
  /** With the inode: a removed directory's inode can be reused at once by the next one made. */
  birth: number;
  link?: string;
}

/**
 * Protected paths missing when a still-running command started (count of such commands). Process
 * wide because mounts are: when one command's clean-up removes what it made, the read-only mount
 * another running command put over that same thing is detached, so the second command must clean
 * that path up too, even though it existed when it started.
 */
const beingCreated = new Map<string, number>();

/**
 * Which protected names are directories when missing (the specifiers do not say): those get an
 * empty read-only stand-in, so nothing can be created in them while a command runs. A missing file
 * (`.mcp.json`) gets none — an empty stand-in would be invalid JSON to the host's readers — and is
 * removed after the command instead. A missing `.git` stands in empty too: git takes an empty one
 * for no repository and looks further up, as it would have.
 */
const DIRECTORY_NAMES = new Set(['.claude', '.codex', '.codex-task', '.git']);

/**
 * The protected entries of `workspaceRoot`, from the specifiers of DEFAULT_PROTECTED_PATHS, and
 * what they lead to:
 * - each specifier at the top of the workspace (`.claude`; `x/**` as `x`). Mount points are single
 *   paths: deeper copies (`pkg/.claude`) are left to the permission policy, and specifiers with
 *   other wildcards too;
 * - what git reads for the workspace's repository besides `.git` (gitControlPaths: the git and
 *   common directories a `.git` file names, config includes, `core.hooksPath`, submodules' `.git`);
 * - the targets of symlinks among all these and inside them (controlLinkTargets): a control file is
 *   protected by what it resolves to, not only by its name.
 * Only paths inside the workspace: the rest of the disk is read-only to commands already.
 * @throws ControlWalkError when the control directories are too large to search for symlinks
 */
export function protectedPaths(workspaceRoot: string, specifiers: readonly string[]): ProtectedPath[] {
  const root = realPath(workspaceRoot) ?? workspaceRoot;
  const found = new Map<string, ProtectedPath>();
  const add = (entry: ProtectedPath) => {
    if (inside(root, entry.path) && !found.has(entry.path)) found.set(entry.path, entry);
  };
  for (const spec of specifiers) {
    const rel = spec.replace(/^(\.\/|\*\*\/)/, '').replace(/\/\*\*$/, '');
    if (rel === '' || rel.includes('*') || isAbsolute(rel)) continue;
    const path = join(root, rel);
    add({ path, directory: DIRECTORY_NAMES.has(basename(path)) });
  }
  for (const entry of gitControlPaths(root)) add(entry);
  for (const entry of controlLinkTargets(root, [...found.keys()])) add(entry);
  return [...found.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Takes the snapshot and decides the mounts, at once, right before the command starts. */
export function protectPaths(
  workspaceRoot: string,
  paths: readonly ProtectedPath[],
): { mounts: ProtectedMounts; snapshot: ProtectedSnapshot } {
  const before = new Map(paths.map(({ path }) => [path, fingerprint(path)]));
  const created = paths.filter(({ path }) => !before.get(path) || beingCreated.has(path)).map((p) => p.path);
  for (const path of created) beingCreated.set(path, (beingCreated.get(path) ?? 0) + 1);
  const readOnly = new Set<string>();
  const placeholders: string[] = [];
  for (const { path, directory } of paths) {
    const real = realPath(path);
    if (real) {
      // Outside the workspace everything is read-only already (or in the command's private /tmp).
      if (inside(workspaceRoot, real)) readOnly.add(real);
      continue;
    }
    const parent = realPath(dirname(path));
    // A dangling symlink is left to the check after the command.
    if (
      directory &&
      parent &&
      !before.get(path) &&
      (parent === workspaceRoot || inside(workspaceRoot, parent))
    )
      placeholders.push(join(parent, basename(path)));
  }
  const covered = (path: string) => [...readOnly].some((dir) => path.startsWith(dir + sep));
  const ro = [...readOnly].filter((path) => !covered(path)).sort();
  const stands = placeholders.filter((path) => !covered(path));
  const pinned = new Set<string>();
  for (const path of [...ro, ...stands]) {
    for (let dir = dirname(path); inside(workspaceRoot, dir); dir = dirname(dir)) pinned.add(dir);
  }
  return {
    mounts: {
      pinned: [...pinned].sort((a, b) => a.split(sep).length - b.split(sep).length),
      readOnly: ro,
      placeholders: stands,
    },
    snapshot: { workspaceRoot, before, created },
  };
}

/**
 * After the command: what now stands at a protected path that was missing (or being made by
 * another command) is removed, and a symlink the command replaced is put back. An existing file or
 * directory cannot have changed (it was a read-only mount point), so a change there is the host's
 * own and is left alone. Returns one line per removal, for the command's output; the empty
 * stand-ins of missing directories go silently.
 */
export function restoreProtected(snapshot: ProtectedSnapshot): string[] {
  const { workspaceRoot, before, created } = snapshot;
  const notes: string[] = [];
  for (const path of created) {
    const left = (beingCreated.get(path) ?? 1) - 1;
    if (left > 0) beingCreated.set(path, left);
    else beingCreated.delete(path);
  }
  for (const [path, was] of before) {
    const now = fingerprint(path);
    const made = created.includes(path);
    if (!now || (!made && (was?.kind !== 'symlink' || same(was, now)))) continue;
    const parent = realPath(dirname(path));
    // Never follow a link out of the workspace to remove something.
    if (!parent || !(parent === workspaceRoot || inside(workspaceRoot, parent))) continue;
    const standIn = made && now.kind === 'directory' && isEmptyDirectory(path);
    rmSync(path, { recursive: true, force: true });
    if (was?.kind === 'symlink' && was.link !== undefined && !made) symlinkSync(was.link, path);
    if (standIn) continue;
    const rel = relative(workspaceRoot, path);
    notes.push(
      made
        ? `${rel} was created by the command and has been removed: it is protected (the host trusts it), change it outside the sandbox.`
        : `${rel} was replaced by the command and has been restored: it is protected (the host trusts it).`,
    );
  }
  return notes;
}

function fingerprint(path: string): Fingerprint | undefined {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (!st) return undefined;
  const kind = st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'directory' : 'file';
  return {
    kind,
    dev: st.dev,
    ino: st.ino,
    birth: st.birthtimeMs,
    ...(kind === 'symlink' ? { link: readlinkSync(path) } : {}),
  };
}

function same(a: Fingerprint | undefined, b: Fingerprint): boolean {
  return (
    a !== undefined &&
    a.kind === b.kind &&
    a.dev === b.dev &&
    a.ino === b.ino &&
    a.birth === b.birth &&
    a.link === b.link
  );
}

function isEmptyDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory() && readdirSync(path).length === 0;
  } catch {
    return false;
  }
}

function realPath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function inside(root: string, path: string): boolean {
  return path.startsWith(root + sep);
}
