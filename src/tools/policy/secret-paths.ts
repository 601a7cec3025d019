import { existsSync } from 'node:fs';
import path from 'node:path';
import { globSync } from 'tinyglobby';
import { compilePathPattern, type PathBases } from './path-pattern.ts';

/** Files found per workspace scan for the sandbox; a tree with more secrets than this is cut (and said). */
const MAX_HIDDEN_SCAN = 2_000;

export interface SecretPaths {
  /** True when the path (absolute) is, or lies inside, a secret. */
  matches(absolutePath: string): boolean;
  /** The pattern that made it secret, for messages. */
  patternOf(absolutePath: string): string | undefined;
  /** The secrets that exist, as absolute paths, for the Bash sandbox to hide (computed on first use). */
  existing(): readonly string[];
}

/**
 * The secret deny list resolved for one working directory. Patterns under `~` or absolute ones
 * name paths directly; patterns without a slash (`.env.*`, `*.pem`) are looked for in the
 * workspace, skipping `.git` and `node_modules`.
 */
export function secretPaths(
  patterns: readonly string[],
  exceptions: readonly string[],
  bases: PathBases,
): SecretPaths {
  const compiled = patterns.map((p) => ({ pattern: p, test: compilePathPattern(p, bases) }));
  const excepted = exceptions.map((p) => compilePathPattern(p, bases));
  const patternOf = (abs: string) =>
    excepted.some((t) => t(abs)) ? undefined : compiled.find((c) => c.test(abs))?.pattern;
  let found: string[] | undefined;
  return {
    matches: (abs) => patternOf(abs) !== undefined,
    patternOf,
    existing() {
      found ??= scan(patterns, bases, patternOf);
      return found;
    },
  };
}

function scan(
  patterns: readonly string[],
  bases: PathBases,
  patternOf: (abs: string) => string | undefined,
): string[] {
  const out = new Set<string>();
  const inWorkspace: string[] = [];
  for (const p of patterns) {
    if (p.startsWith('~/') || p.startsWith('//') || p.startsWith('/')) {
      const base = p.startsWith('~/') ? bases.home : p.startsWith('//') ? '/' : bases.root;
      const rest = p.replace(/^(~\/|\/\/|\/)/, '');
      if (/[*?[{]/.test(rest)) {
        const dir = path.join(base, path.dirname(rest));
        if (existsSync(dir))
          for (const f of globSync(path.basename(rest), {
            cwd: dir,
            dot: true,
            absolute: true,
            onlyFiles: false,
            deep: 1,
          }))
            out.add(path.resolve(f));
      } else if (existsSync(path.join(base, rest))) out.add(path.join(base, rest));
    } else inWorkspace.push(p.includes('/') ? p.replace(/^\.\//, '') : `**/${p}`);
  }
  if (inWorkspace.length > 0) {
    const files = globSync(inWorkspace, {
      cwd: bases.cwd,
      dot: true,
      absolute: true,
      onlyFiles: false,
      followSymbolicLinks: false,
      ignore: ['**/.git/**', '**/node_modules/**'],
    });
    for (const f of files.slice(0, MAX_HIDDEN_SCAN)) if (patternOf(path.resolve(f))) out.add(path.resolve(f));
  }
  return [...out].sort();
}
