import path from 'node:path';
import type { CompiledRule } from './compiled-rules.ts';
import { compilePathPattern, type PathBases } from './path-pattern.ts';

/** The protected control paths of one working directory, with the allow rules that lift them. */
export interface ProtectedPaths {
  /** The protected pattern `absolutePath` falls under, unless an allow rule names the path. */
  patternOf(absolutePath: string): string | undefined;
  /** The allow rule a user would add to let subagents write `absolutePath`. */
  suggestedRule(absolutePath: string): string;
}

/**
 * Control files (settings, agents, MCP servers, git hooks) change what later runs may do, so no
 * mode lets a subagent write them: only an allow rule with a path naming them (e.g.
 * `Edit(.claude/agents/**)`) does. A whole-tool `Edit` or `Write` allow does not count: it was
 * written to allow edits, not to hand over the rules themselves.
 */
export function protectedPaths(
  patterns: readonly string[],
  bases: PathBases,
  rules: readonly CompiledRule[],
): ProtectedPaths {
  const compiled = patterns.map((p) => ({ pattern: p, test: compilePathPattern(p, bases) }));
  const lifting = rules.filter((r) => r.behavior === 'allow' && r.parsed.kind === 'edit-path' && !r.whole);
  return {
    patternOf(abs) {
      const pattern = compiled.find((c) => c.test(abs))?.pattern;
      if (pattern === undefined) return undefined;
      return lifting.some((r) => r.touches({ name: 'Write', paths: [abs] })) ? undefined : pattern;
    },
    suggestedRule(abs) {
      const rel = path.relative(bases.cwd, abs);
      return rel.startsWith('..') || path.isAbsolute(rel) ? `Edit(/${abs})` : `Edit(${rel})`;
    },
  };
}
