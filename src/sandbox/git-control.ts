import { readdirSync, readFileSync, realpathSync, type Stats, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { gitlinks } from './git-index.ts';

/** A path git reads as code or config for the workspace's repository, and why. */
export interface GitControlPath {
  path: string;
  /** A directory when it exists (a missing one gets an empty read-only stand-in). */
  directory: boolean;
  /** What makes git read it, for messages (`the git directory .git names`). */
  via: string;
  /** The path as git names it, when `path` is that resolved: the symlinks on its way count too. */
  named?: string;
  /**
   * Protect the directory itself, not what its symlinks lead to: `node_modules/.bin`, whose links
   * into packages are the project's own code (which hooks run anyway, as they run `npm test`).
   */
  linksAreCode?: true;
}

/** Submodules (and linked worktrees) inside submodules are followed this deep. */
const MAX_NESTING = 4;
/** Config includes inside includes are followed this deep (git's own limit is 10). */
const MAX_INCLUDE_DEPTH = 10;

/**
 * What the host's next git call in the workspace reads, beyond the `.git` entry itself: each is a
 * way for a write in the workspace to become a command git runs (`core.fsmonitor`, hooks, …).
 * - the git directory a `.git` *file* names (`gitdir: …`: worktrees, submodules, --separate-git-dir)
 *   and the common directory its `commondir` names;
 * - files its config includes (`include.path`, `includeIf.*.path`), and the `core.hooksPath` dir
 *   (set there or in the user's and system's config: a relative one is per worktree);
 * - the `.git` file of each linked worktree (`worktrees/*\/gitdir` names it);
 * - each submodule's `.git` (from the gitlinks of the index, which `git status` enters and runs git
 *   in, `.gitmodules` or not), and the same again for each submodule's own repository;
 * - with husky, the worktree's `node_modules/.bin`, which its hooks put first on PATH.
 * The repository is the workspace's, or the one it lies in (a package of a monorepo). Paths as
 * git would resolve them; the caller keeps those inside the workspace (the rest of the disk is
 * read-only to commands already).
 */
export function gitControlPaths(workspaceRoot: string, home: string = homedir()): GitControlPath[] {
  const out: GitControlPath[] = [];
  for (let dir = workspaceRoot; ; dir = dirname(dir)) {
    if (stat(join(dir, '.git'))) {
      repository(
        { root: workspaceRoot, home, globals: userConfigs(home), visited: new Set([dir]), out },
        dir,
        0,
      );
      break;
    }
    if (dirname(dir) === dir) break;
  }
  return out;
}

/**
 * The git directory and common directory of the repository the workspace is in, where they lie
 * outside it: a linked worktree's (`.git` is a file naming `<repo>/.git/worktrees/<name>`), or the
 * `.git` of a repository the workspace is a subdirectory of. A command's git needs them to read
 * the repository, and under the sandbox's private /tmp they would be missing: the sandbox shows
 * them read-only (real paths).
 */
export function gitDirsOutside(workspaceRoot: string): string[] {
  for (let dir = workspaceRoot; ; dir = dirname(dir)) {
    const dotGit = join(dir, '.git');
    const entry = stat(dotGit);
    if (entry) {
      let gitDir = realOrSelf(dotGit);
      if (entry.isFile()) {
        const named = /^gitdir:\s*(.+?)\s*$/m.exec(readText(dotGit) ?? '')?.[1];
        if (!named) return [];
        gitDir = realOrSelf(unnormalized(dir, named));
      }
      const common = readText(join(gitDir, 'commondir'))?.trim();
      const dirs = new Set([gitDir, common ? realOrSelf(unnormalized(gitDir, common)) : gitDir]);
      const root = realOrSelf(workspaceRoot);
      // One holding the workspace stays: the workspace is bound writable after it (a task's worktree
      // lies inside its repository's .git). Only git directories: a `.git` file naming anything
      // else shows nothing more.
      return [...dirs].filter(
        (d) => d !== root && !d.startsWith(root + sep) && stat(join(d, 'HEAD'))?.isFile(),
      );
    }
    if (dirname(dir) === dir) return [];
  }
}

interface Walk {
  root: string;
  home: string;
  /** The system's and the user's git config files, read before each repository's own. */
  globals: string[];
  /** Worktrees already looked at (a linked worktree names the repository that lists it). */
  visited: Set<string>;
  out: GitControlPath[];
}

function repository(walk: Walk, worktree: string, depth: number): void {
  const { root, out } = walk;
  const name = (path: string) => relative(root, path) || '.';
  const dotGit = join(worktree, '.git');
  // Followed: a `.git` symlink leads to the directory or file git itself would read.
  const entry = stat(dotGit);
  if (!entry) return;
  if (worktree === root) out.push({ path: dotGit, directory: true, via: "the workspace's .git" });
  let gitDir: string | undefined;
  if (entry.isFile()) {
    const named = /^gitdir:\s*(.+?)\s*$/m.exec(readText(dotGit) ?? '')?.[1];
    if (named) {
      gitDir = realOrSelf(unnormalized(worktree, named));
      out.push({
        path: gitDir,
        directory: true,
        via: `the git directory ${name(dotGit)} names`,
        named: unnormalized(worktree, named),
      });
    }
  } else {
    gitDir = realOrSelf(dotGit);
  }
  if (!gitDir) return;
  const common = readText(join(gitDir, 'commondir'))?.trim();
  const commonDir = common ? realOrSelf(unnormalized(gitDir, common)) : gitDir;
  if (common && commonDir !== gitDir)
    out.push({
      path: commonDir,
      directory: true,
      via: `the common git directory ${name(gitDir)}/commondir names`,
      named: unnormalized(gitDir, common),
    });

  let hooksPath: { value: string; file: string } | undefined;
  let sha256 = false;
  const seen = new Set<string>();
  const readConfig = (file: string, includeDepth: number, own: boolean) => {
    if (seen.has(file) || includeDepth > MAX_INCLUDE_DEPTH) return;
    seen.add(file);
    const text = readText(file);
    if (text === undefined) return;
    for (const { section, key, value } of gitConfigEntries(text)) {
      if (section === 'core' && key === 'hookspath') hooksPath = { value, file };
      if (own && section === 'extensions' && key === 'objectformat')
        sha256 = value.toLowerCase() === 'sha256';
      if ((section === 'include' || section === 'includeif') && key === 'path' && value) {
        const included = expandHome(value, walk.home, dirname(file));
        if (!included) continue;
        out.push({ path: included, directory: false, via: `included by ${name(file)}` });
        readConfig(included, includeDepth + 1, own);
      }
    }
  };
  // In the order git reads them, so the last core.hooksPath wins as it does for git.
  for (const file of walk.globals) readConfig(file, 0, false);
  for (const file of new Set([join(commonDir, 'config'), join(gitDir, 'config.worktree')]))
    readConfig(file, 0, true);
  const hooks = hooksPath && expandHome(hooksPath.value, walk.home, worktree);
  if (hooks) {
    const via = `core.hooksPath in ${name(hooksPath!.file)}`;
    out.push({ path: hooks, directory: true, via });
    // husky (v9) sets core.hooksPath to `<dir>/_`, whose hooks are wrappers running the scripts one
    // level up (`<dir>/pre-commit`): those are the hooks, wherever `<dir>` is (`husky .config/husky`).
    if (basename(hooks) === '_')
      out.push({ path: dirname(hooks), directory: true, via: `the hooks husky's ${via} runs` });
  }
  // husky's wrapper (v9.1: `.husky/_/h`) runs each hook with `node_modules/.bin` (relative: the
  // worktree's, where git runs hooks) first on PATH: a `sh`, `git` or `node` planted there runs on
  // the user's next commit even when the hook names no project command. Any husky layout counts
  // (`.husky` present with no core.hooksPath yet: `npm install` on the host sets it up).
  if ((hooks && basename(hooks) === '_') || stat(join(worktree, '.husky'))?.isDirectory())
    out.push({
      path: join(worktree, 'node_modules', '.bin'),
      directory: true,
      via: "the commands husky's hooks find first on PATH",
      linksAreCode: true,
    });

  if (depth >= MAX_NESTING) return;
  const worktrees = join(commonDir, 'worktrees');
  for (const id of listDir(worktrees)) {
    const linked = readText(join(worktrees, id, 'gitdir'))?.trim();
    if (!linked || walk.visited.has(dirname(linked))) continue;
    out.push({
      path: linked,
      directory: false,
      via: `the .git of a linked worktree (${name(worktrees)}/${id}/gitdir)`,
    });
    walk.visited.add(dirname(linked));
    repository(walk, dirname(linked), depth + 1);
  }

  for (const link of gitlinks(join(gitDir, 'index'), sha256 ? 32 : 20)) {
    const sub = join(worktree, link);
    if (walk.visited.has(sub)) continue;
    walk.visited.add(sub);
    out.push({ path: join(sub, '.git'), directory: true, via: `the .git of the submodule ${name(sub)}` });
    repository(walk, sub, depth + 1);
  }
}

/** git's own config files outside any repository, in the order it reads them (system, XDG, home). */
function userConfigs(home: string): string[] {
  const env = process.env;
  const system = env.GIT_CONFIG_SYSTEM || '/etc/gitconfig';
  const global = env.GIT_CONFIG_GLOBAL
    ? [env.GIT_CONFIG_GLOBAL]
    : [join(env.XDG_CONFIG_HOME || join(home, '.config'), 'git', 'config'), join(home, '.gitconfig')];
  return env.GIT_CONFIG_NOSYSTEM ? global : [system, ...global];
}

/** A config path value as git resolves it: `~/` under the home, relative to `base`; `~user` unknown. */
function expandHome(value: string, home: string, base: string): string | undefined {
  if (value === '~' || value.startsWith('~/')) return join(home, value.slice(1));
  if (value.startsWith('~')) return undefined;
  return resolve(base, value);
}

/**
 * The entries of a git config file: `[section]`, `[section "sub"]` and `[section.sub]` headers (the
 * section lower-cased, the subsection dropped), `key = value` with quotes, escapes and `#`/`;`
 * comments as git reads them. A key without `=` is boolean true.
 */
export function gitConfigEntries(text: string): { section: string; key: string; value: string }[] {
  const out: { section: string; key: string; value: string }[] = [];
  let section = '';
  for (const raw of text.split('\n')) {
    let line = raw.trim();
    const header = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"(?:[^"\\]|\\.)*")?\s*\]/.exec(line);
    if (header) {
      section = (header[1] ?? '').split('.')[0]!.toLowerCase();
      line = line.slice(header[0].length).trim();
      if (line === '') continue;
    }
    const entry = /^([A-Za-z][A-Za-z0-9-]*)\s*(=\s*(.*))?$/.exec(line);
    if (!entry || !section) continue;
    out.push({
      section,
      key: (entry[1] ?? '').toLowerCase(),
      value: entry[2] === undefined ? 'true' : configValue(entry[3] ?? ''),
    });
  }
  return out;
}

function configValue(text: string): string {
  let value = '';
  let quoted = false;
  let pending = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      const next = text[++i]!;
      value += pending + ({ n: '\n', t: '\t', b: '\b' }[next] ?? next);
      pending = '';
    } else if (c === '"') {
      value += pending;
      pending = '';
      quoted = !quoted;
    } else if (!quoted && (c === '#' || c === ';')) {
      break;
    } else if (!quoted && (c === ' ' || c === '\t')) {
      // Whitespace between words is kept; trailing whitespace is not.
      if (value !== '') pending += c;
    } else {
      value += pending + c;
      pending = '';
    }
  }
  return value;
}

function stat(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined; // under a file (ENOTDIR), a loop, or unreadable: git finds nothing there either
  }
}

function listDir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * `base/rel` without folding `..` first: git leaves that to the kernel, which goes up from where a
 * symlink before it led (`link/../x`), not from the link's own directory.
 */
function unnormalized(base: string, rel: string): string {
  return isAbsolute(rel) ? rel : `${base}${sep}${rel}`;
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path); // missing: as written, `..` folded
  }
}
