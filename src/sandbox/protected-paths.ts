import { lstatSync, readdirSync, readlinkSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { controlLinkTargets, resolveLinks } from './control-links.ts';
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
  /**
   * Set on a symlink met on the way to a control path, not itself one (`conf` under `.claude ->
   * conf/claude`): replacing it would change what the control path holds, so the link is protected,
   * but not what lies behind its name (`conf/other.txt` is an ordinary file).
   */
  link?: {
    /** What resolves through it (`.claude`, `the git directory .git names`) and where each leads
     * (absolute), for messages and the fix they suggest. */
    controls: { name: string; leadsTo: string }[];
  };
}

/**
 * A control path resolves through a symlink in the workspace that a command could replace (one not
 * under a read-only protected directory). Such a link cannot be kept as it is while a command runs:
 * a mount point cannot be a symlink, and the directory holding it (the workspace itself, often)
 * cannot be made read-only. Restoring it afterwards would leave the host reading the command's
 * control files while it runs, so the sandbox refuses instead.
 * Not a CodexTaskError: the sandbox reports it as a ToolDeniedError (its message and `hint`), so
 * it never reaches a user as itself.
 */
export class ControlLinkError extends Error {
  override name = 'ControlLinkError';
  readonly workspaceRoot: string;
  readonly links: readonly ProtectedPath[];
  constructor(workspaceRoot: string, links: readonly ProtectedPath[]) {
    const rel = (path: string) => relative(workspaceRoot, path) || '.';
    const shown = links.map(({ path, link }) => {
      let to = '?';
      try {
        to = readlinkSync(path);
      } catch {
        // gone meanwhile: named without its target
      }
      const names = (link?.controls ?? []).map((c) => c.name);
      const verb = names.length === 1 ? 'resolves' : 'resolve';
      return `${names.join(' and ') || 'a control path'} ${verb} through the symlink ${rel(path)} (→ ${to})`;
    });
    super(shown.join('; '));
    this.workspaceRoot = workspaceRoot;
    this.links = links;
  }

  /** How to fix it: each control path made real, or a link straight to where it leads. */
  get hint(): string {
    const rel = (path: string) => relative(this.workspaceRoot, path) || '.';
    const direct = new Set(
      this.links
        .flatMap(({ link }) => link?.controls ?? [])
        .filter(({ name }) => !name.includes(' '))
        .map(
          ({ name, leadsTo }) =>
            `ln -sfn ${relative(dirname(join(this.workspaceRoot, name)), leadsTo)} ${name}`,
        ),
    );
    return (
      'Make each control path a real file or directory, or a direct link to where it leads' +
      (direct.size > 0 ? ` (${[...direct].join('; ')})` : '') +
      `, so that no other symlink in the workspace decides what it holds; or move ${this.links.map((l) => rel(l.path)).join(', ')} out of the workspace.`
    );
  }
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
  /** The control paths (not the links on their way), resolved again afterwards: see restoreProtected. */
  controls: readonly string[];
  /** The symlinks met resolving `controls` before the command. */
  chainLinks: ReadonlySet<string>;
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
 *   common directories a `.git` file names, config includes, `core.hooksPath`, submodules' `.git`,
 *   and with husky `node_modules/.bin`);
 * - the targets of symlinks among all these and inside them (controlLinkTargets): a control file is
 *   protected by what it resolves to, not only by its name;
 * - the symlinks in the workspace met on the way to any of these (`conf` under `.claude ->
 *   conf/claude`), marked `link`: re-pointing one changes the control file as surely as writing it.
 * Only paths inside the workspace (or leading into it): the rest of the disk is read-only to
 * commands already.
 * @throws ControlWalkError when the control directories are too large to search for symlinks
 */
export function protectedPaths(workspaceRoot: string, specifiers: readonly string[]): ProtectedPath[] {
  const root = realPath(workspaceRoot) ?? workspaceRoot;
  const name = (path: string) => relative(root, path) || '.';
  const found = new Map<string, ProtectedPath>();
  // By the path as named: the first name found for it is the one messages use.
  const chains = new Map<string, { control: string; leadsTo: string; links: readonly string[] }>();
  // Where the link walk does not go (GitControlPath.linksAreCode), unless a control path too.
  const unwalked = new Set<string>();
  /** `named`: the path as written where it was found, when `path` is already resolved. Returns the
   * path protected, when it is new. */
  const add = (entry: ProtectedPath, named: string = entry.path, links?: readonly string[]) => {
    const resolved = resolveLinks(named, root);
    const control = entry.via ?? name(entry.path);
    if (!chains.has(named))
      chains.set(named, { control, leadsTo: resolved.path, links: links ?? resolved.links });
    // A path named outside the workspace that leads into it is protected where it leads.
    const path = inside(root, entry.path)
      ? entry.path
      : inside(root, resolved.path)
        ? resolved.path
        : undefined;
    if (path === undefined || found.has(path)) return undefined;
    found.set(path, {
      path,
      directory: entry.directory,
      ...(entry.via === undefined ? {} : { via: entry.via }),
    });
    return path;
  };
  for (const spec of specifiers) {
    const rel = spec.replace(/^(\.\/|\*\*\/)/, '').replace(/\/\*\*$/, '');
    if (rel === '' || rel.includes('*') || isAbsolute(rel)) continue;
    const path = join(root, rel);
    add({ path, directory: DIRECTORY_NAMES.has(basename(path)) });
  }
  for (const { named, linksAreCode, ...entry } of gitControlPaths(root)) {
    const path = add(entry, named);
    if (linksAreCode && path !== undefined) unwalked.add(path);
  }
  const walked = [...found.keys()].filter((path) => !unwalked.has(path));
  for (const { links, ...entry } of controlLinkTargets(root, walked)) add(entry, entry.path, links);
  const links = new Map<string, { name: string; leadsTo: string }[]>();
  // A link inside a protected directory is protected with it (the walk found most of these).
  const covered = (link: string) =>
    found.has(link) || [...found.keys()].some((p) => link.startsWith(p + sep));
  for (const { control, leadsTo, links: chain } of chains.values()) {
    for (const link of chain) {
      if (!inside(root, link) || covered(link)) continue;
      const controls = links.get(link) ?? [];
      links.set(link, controls);
      if (!controls.some((c) => c.name === control)) controls.push({ name: control, leadsTo });
    }
  }
  const linkEntries = [...links].map(([path, all]): ProtectedPath => {
    // `the symlink .claude` (what the walk calls the target of `.claude`) says nothing `.claude` does not.
    const controls = all.filter((c) => !all.some((o) => c.name === `the symlink ${o.name}`));
    return {
      path,
      directory: false,
      via: `the symlink ${name(path)}, which ${controls.map((c) => c.name).join(' and ')} ${controls.length === 1 ? 'resolves' : 'resolve'} through`,
      link: { controls },
    };
  });
  return [...found.values(), ...linkEntries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Takes the snapshot and decides the mounts, at once, right before the command starts.
 * @throws ControlLinkError when a control path resolves through a symlink the command could replace
 */
export function protectPaths(
  workspaceRoot: string,
  paths: readonly ProtectedPath[],
): { mounts: ProtectedMounts; snapshot: ProtectedSnapshot } {
  const before = new Map(paths.map(({ path }) => [path, fingerprint(path)]));
  const readOnly = new Set<string>();
  const placeholders: string[] = [];
  for (const { path, directory, link } of paths) {
    // A symlink cannot be a mount point: what keeps it is its directory being read-only (below).
    if (link) continue;
    // Most are missing (the hook managers' names): not looked up in vain, which throws, and is slow.
    const real = before.get(path) ? realPath(path) : undefined;
    if (real) {
      // Outside the workspace everything is read-only already (or in the command's private /tmp).
      if (inside(workspaceRoot, real)) readOnly.add(real);
      continue;
    }
    // A dangling symlink is left to the check after the command.
    if (!directory || before.get(path)) continue;
    const parent = realPath(dirname(path));
    if (parent && (parent === workspaceRoot || inside(workspaceRoot, parent)))
      placeholders.push(join(parent, basename(path)));
  }
  const covered = (path: string) => [...readOnly].some((dir) => path.startsWith(dir + sep));
  const replaceable = paths.filter(({ path, link }) => link && !covered(path));
  if (replaceable.length > 0) throw new ControlLinkError(workspaceRoot, replaceable);
  const ro = [...readOnly].filter((path) => !covered(path)).sort();
  const stands = placeholders.filter((path) => !covered(path));
  const pinned = new Set<string>();
  for (const path of [...ro, ...stands]) {
    for (let dir = dirname(path); inside(workspaceRoot, dir); dir = dirname(dir)) pinned.add(dir);
  }
  const created = paths.filter(({ path }) => !before.get(path) || beingCreated.has(path)).map((p) => p.path);
  for (const path of created) beingCreated.set(path, (beingCreated.get(path) ?? 0) + 1);
  const controls = paths.filter(({ link }) => !link).map(({ path }) => path);
  return {
    mounts: {
      pinned: [...pinned].sort((a, b) => a.split(sep).length - b.split(sep).length),
      readOnly: ro,
      placeholders: stands,
    },
    snapshot: {
      workspaceRoot,
      before,
      created,
      controls,
      chainLinks: new Set(controls.flatMap((path) => resolveLinks(path, workspaceRoot).links)),
    },
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
  // The chains again: a symlink made where a control path had a missing name (`config -> evil`
  // under a dangling `.mcp.json -> config/mcp.json`) would lead it elsewhere from now on.
  for (const control of snapshot.controls) {
    for (const link of resolveLinks(control, workspaceRoot).links) {
      if (snapshot.chainLinks.has(link) || before.has(link) || !inside(workspaceRoot, link)) continue;
      const parent = realPath(dirname(link));
      if (!parent || !(parent === workspaceRoot || inside(workspaceRoot, parent))) continue;
      if (fingerprint(link)?.kind !== 'symlink') continue;
      rmSync(link);
      notes.push(
        `${relative(workspaceRoot, link)} was made by the command as a symlink on the way to ${relative(workspaceRoot, control) || '.'} and has been removed: it would change a protected path (the host trusts it).`,
      );
    }
  }
  return notes;
}

function fingerprint(path: string): Fingerprint | undefined {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined; // under a file (`.config` a file, for `.config/lefthook.yml`): nothing there
  }
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
