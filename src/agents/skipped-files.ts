import { basename, extname, isAbsolute, relative, resolve } from 'node:path';
import type { SkippedAgentFileInfo } from '../errors/index.ts';
import type { ParseResult } from './build-definition.ts';
import type { AgentProblem, AgentScope } from './types.ts';

/** One scanned agent file and what parsing it gave. */
export interface ScannedAgentFile {
  file: string;
  scope: AgentScope;
  result: ParseResult;
}

/** An agent file that did not load, and why (its errors, first one first). */
export interface SkippedAgentFile {
  file: string;
  scope: AgentScope;
  /** The `name` it gives itself, when its frontmatter got that far. */
  name?: string;
  errors: AgentProblem[];
}

/** The scanned files that did not load because of an error (documentation files are not skipped). */
export function skippedFiles(files: readonly ScannedAgentFile[]): SkippedAgentFile[] {
  return files.flatMap(({ file, scope, result }) => {
    const errors = result.problems.filter((p) => p.severity === 'error');
    if (result.definition || errors.length === 0) return [];
    return [{ file, scope, ...(result.claimedName ? { name: result.claimedName } : {}), errors }];
  });
}

/**
 * The skipped files that would have defined `name` — by the `name` they give themselves, or by
 * their file name when the frontmatter did not even parse — as "not found" reports them: the path
 * relative to `cwd` where it is below it, and the first error.
 */
export function skippedNamed(
  skipped: readonly SkippedAgentFile[],
  name: string,
  cwd: string,
): SkippedAgentFileInfo[] {
  const lower = name.toLowerCase();
  const base = resolve(cwd);
  return skipped
    .filter(
      (s) => s.name?.toLowerCase() === lower || basename(s.file, extname(s.file)).toLowerCase() === lower,
    )
    .map((s) => {
      const shown = relative(base, s.file);
      const first = s.errors[0]!;
      return {
        file: shown.startsWith('..') || isAbsolute(shown) ? s.file : shown,
        reason: `${first.message}${first.line ? ` (line ${first.line})` : ''}`,
      };
    });
}
