import { type Dirent, existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import type { AgentDefinition, AgentProblem } from './types.ts';

/** One directory of agent files, and the precedence level it belongs to. */
export interface AgentDirectory {
  scope: 'project' | 'user';
  dir: string;
}

/**
 * The directories whose `.claude/` (and similar) folders a session started in `cwd` sees: `cwd`
 * itself, then each parent up to the repository root (the nearest directory holding `.git`, or the
 * filesystem root when there is none), nearest first.
 */
export function projectDirectories(cwd: string): string[] {
  const out: string[] = [];
  let dir = resolve(cwd);
  for (;;) {
    out.push(dir);
    if (existsSync(join(dir, '.git'))) break;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return out;
}

/**
 * The agent directories `cwd` sees, highest precedence first: every `.claude/agents/` from `cwd`
 * up to the repository root, nearest first (see `projectDirectories`); then the user's
 * `~/.claude/agents/`. Only existing ones.
 */
export function agentDirectories(opts: { cwd: string; homeDir?: string }): AgentDirectory[] {
  const userDir = join(resolve(opts.homeDir ?? homedir()), '.claude', 'agents');
  const out: AgentDirectory[] = [];
  for (const dir of projectDirectories(opts.cwd)) {
    const candidate = join(dir, '.claude', 'agents');
    // Outside a repository the walk reaches the home directory: its agents stay user agents.
    if (candidate !== userDir && isDirectory(candidate)) out.push({ scope: 'project', dir: candidate });
  }
  if (isDirectory(userDir)) out.push({ scope: 'user', dir: userDir });
  return out;
}

/**
 * Every `*.md` file under `dir`, recursively, in sorted path order (which decides which of two
 * same-named agents wins). Symlinks are followed, since people link agent collections in; hidden
 * directories (`.git` of a cloned collection) are skipped. A missing directory yields nothing.
 */
export function listAgentFiles(dir: string): string[] {
  const out: string[] = [];
  walk(dir, out, new Set());
  return out.sort();
}

function walk(dir: string, out: string[], visited: Set<string>): void {
  let entries: Dirent[];
  try {
    // A directory reached twice through symlinks would otherwise loop or list agents twice.
    const real = realpathSync(dir);
    if (visited.has(real)) return;
    visited.add(real);
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    // Plain concatenation: `join` normalises, which costs more than the rest of this loop.
    const path = dir.endsWith(sep) ? dir + entry.name : dir + sep + entry.name;
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      try {
        const target = statSync(path);
        isDir = target.isDirectory();
        isFile = target.isFile();
      } catch {
        continue; // a dangling link is not an agent
      }
    }
    if (isDir && !entry.name.startsWith('.')) walk(path, out, visited);
    else if (isFile && /\.md$/i.test(entry.name)) out.push(path);
  }
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** How a definition is named in problems: its file, or the label of a code/built-in agent. */
export function agentOrigin(def: AgentDefinition): string {
  return def.file ?? `<${def.scope}:${def.name}>`;
}

/** One agent hidden by another of the same name (case-insensitive): which one is used, which is not. */
export interface ShadowedAgent {
  name: string;
  /** Origins (see `agentOrigin`): the file (or `<scope:name>`) that is used, and the one it hides. */
  used: string;
  shadowed: string;
  /** Both in one precedence level (one directory tree): almost always a mistake, so warned about. */
  sameLevel: boolean;
}

/**
 * Merges precedence levels (highest first; each level's definitions in sorted path order) into
 * one case-insensitive name → definition map. Across levels the higher one silently wins, as in
 * Claude Code (a project agent overriding a user one is intended); within one level the first
 * wins and the other is reported, since two files claiming one name is almost always a mistake.
 * Every shadowed definition is listed either way, so `agents list` can say which file is used.
 */
export function mergeAgents(levels: readonly (readonly AgentDefinition[])[]): {
  agents: Map<string, AgentDefinition>;
  problems: AgentProblem[];
  shadowed: ShadowedAgent[];
} {
  const agents = new Map<string, AgentDefinition>();
  const problems: AgentProblem[] = [];
  const shadowed: ShadowedAgent[] = [];
  for (const level of levels) {
    const inLevel = new Map<string, AgentDefinition>();
    for (const def of level) {
      const key = def.name.toLowerCase();
      const first = inLevel.get(key);
      // The definition in use: from a higher level, or the first of this one.
      const used = agents.get(key);
      if (used)
        shadowed.push({
          name: used.name,
          used: agentOrigin(used),
          shadowed: agentOrigin(def),
          sameLevel: used === first,
        });
      if (first) {
        problems.push({
          severity: 'warning',
          file: agentOrigin(def),
          field: 'name',
          message: `duplicate agent \`${def.name}\`: ${agentOrigin(first)} is used; this file, ${agentOrigin(def)}, is shadowed (of two files in one directory tree, the first in sorted path order wins)`,
          hint: 'Rename one of them: agent names are case-insensitive and must be unique within a directory.',
        });
        continue;
      }
      inLevel.set(key, def);
      if (!used) agents.set(key, def);
    }
  }
  return { agents, problems, shadowed };
}
