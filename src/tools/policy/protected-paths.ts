import { realpathSync } from 'node:fs';
import path from 'node:path';
import {
  ControlWalkError,
  type ProtectedPath,
  protectedPaths as workspaceControlPaths,
} from '../../sandbox/index.ts';
import type { CompiledRule } from './compiled-rules.ts';
import { compilePathPatterns, type PathBases } from './path-pattern.ts';

/** The protected control paths of one working directory, with the allow rules that lift them. */
export interface ProtectedPaths {
  /** The protected pattern `absolutePath` falls under, unless an allow rule names the path. */
  patternOf(absolutePath: string): string | undefined;
  /** The allow rule a user would add to let subagents write `absolutePath`. */
  suggestedRule(absolutePath: string): string;
}

/**
 * How long what the control paths resolve to (symlink targets, git's directories and includes) is
 * reused before it is looked at again: one look costs a few directory reads, and a subagent cannot
 * change it (it is all inside the control paths), so only the user's own changes wait this long.
 */
export const RESOLVED_RECHECK_MS = 1_000;

/**
 * Control files (settings, agents, MCP servers, git's directory) change what later runs may do, so
 * no mode lets a subagent write them: only an allow rule with a path naming them (e.g.
 * `Edit(.claude/agents/**)`) does. A whole-tool `Edit` or `Write` allow does not count: it was
 * written to allow edits, not to hand over the rules themselves.
 * They are protected by name (`patterns`, at any depth) and by what the workspace's ones resolve to,
 * as the sandbox mounts them (its protectedPaths): with `.claude/settings.json` a symlink to
 * `docs/s.json`, writing `docs/s.json` rewrites the settings; a `.git` file's `gitdir:`, a config
 * include, `core.hooksPath` lead git elsewhere in the same way. A symlink on the way to one (`conf`
 * under `.claude -> conf/claude`) is protected itself: a write onto it must not re-point it.
 */
export function protectedPaths(
  patterns: readonly string[],
  bases: PathBases,
  rules: readonly CompiledRule[],
): ProtectedPaths {
  const patternIndex = compilePathPatterns(patterns, bases);
  const lifting = rules.filter((r) => r.behavior === 'allow' && r.parsed.kind === 'edit-path' && !r.whole);
  let resolved: { at: number; root: string; entries: ProtectedPath[] } | undefined;
  const resolvedEntries = (): { root: string; entries: ProtectedPath[] } => {
    const now = performance.now();
    if (resolved && now - resolved.at < RESOLVED_RECHECK_MS) return resolved;
    let root = bases.cwd;
    try {
      root = realpathSync(bases.cwd);
    } catch {
      // a workspace that is gone has nothing left to resolve
    }
    let entries: ProtectedPath[];
    try {
      entries = workspaceControlPaths(root, patterns).filter((e) => e.via !== undefined);
    } catch (error) {
      if (!(error instanceof ControlWalkError)) throw error;
      // What the control paths lead to is unknown: every write in the workspace is refused.
      entries = [{ path: root, directory: true, via: `${error.message}, so any file may be one` }];
    }
    resolved = { at: now, root, entries };
    return resolved;
  };
  return {
    patternOf(abs) {
      let pattern = patterns[patternIndex(abs)];
      if (pattern === undefined) {
        const { root, entries } = resolvedEntries();
        // The deepest one that holds it says best why (the git directory, not the common one above it).
        // A symlink on the way to a control path is that link only, not what lies behind its name.
        const entry = entries
          .filter((e) => abs === e.path || (!e.link && abs.startsWith(e.path + path.sep)))
          .reduce<ProtectedPath | undefined>(
            (a, b) => (a && a.path.length >= b.path.length ? a : b),
            undefined,
          );
        if (entry)
          pattern = entry.link ? entry.via : `${entry.via} → ${path.relative(root, entry.path) || '.'}`;
      }
      if (pattern === undefined) return undefined;
      return lifting.some((r) => r.touches({ name: 'Write', paths: [abs] })) ? undefined : pattern;
    },
    suggestedRule(abs) {
      const rel = path.relative(bases.cwd, abs);
      return rel.startsWith('..') || path.isAbsolute(rel) ? `Edit(/${abs})` : `Edit(${rel})`;
    },
  };
}
