import path from 'node:path';
import picomatch from 'picomatch';

/** Where a rule's relative patterns are anchored. */
export interface PathBases {
  /** The task's working directory: `./x` and `x` are relative to it. */
  cwd: string;
  home: string;
  /** The project root of the settings file the rule came from: `/x` is relative to it. */
  root: string;
}

/**
 * Compiles a path specifier of a `Read(…)`/`Edit(…)` rule, gitignore-style as in Claude Code:
 * `//abs/path` is absolute, `~/path` is under the home directory, `/path` is relative to the
 * settings file's project root, `./path` and `path` are relative to the working directory. A
 * pattern without a slash (`*.pem`, `.env*`) matches at any depth below its base, and a pattern
 * that names a directory covers everything inside it.
 */
export function compilePathPattern(specifier: string, bases: PathBases): (absolutePath: string) => boolean {
  const { root, glob, wholeBase } = parsePathPattern(specifier, bases);
  const matcher = picomatch(glob, { dot: true });
  return (absolutePath) => matchesBelow(root, wholeBase, matcher, absolutePath);
}

/**
 * Many patterns at once (the secret list, the control paths: about a hundred): the index of the
 * first that matches, or -1. Most paths match none, so the patterns sharing a base are tried as one
 * matcher first — one `path.relative` and one split per base instead of one per pattern.
 */
export function compilePathPatterns(
  specifiers: readonly string[],
  bases: PathBases,
): (absolutePath: string) => number {
  const singles = specifiers.map((s) => compilePathPattern(s, bases));
  const byRoot = new Map<string, { globs: string[]; wholeBase: boolean }>();
  for (const specifier of specifiers) {
    const { root, glob, wholeBase } = parsePathPattern(specifier, bases);
    const group = byRoot.get(root) ?? { globs: [], wholeBase: false };
    group.globs.push(glob);
    group.wholeBase ||= wholeBase;
    byRoot.set(root, group);
  }
  const groups = [...byRoot].map(([root, g]) => ({
    root,
    wholeBase: g.wholeBase,
    matcher: picomatch(g.globs, { dot: true }),
  }));
  return (absolutePath) =>
    groups.some((g) => matchesBelow(g.root, g.wholeBase, g.matcher, absolutePath))
      ? singles.findIndex((test) => test(absolutePath))
      : -1;
}

function parsePathPattern(
  specifier: string,
  bases: PathBases,
): { root: string; glob: string; wholeBase: boolean } {
  let base: string;
  let rest: string;
  if (specifier.startsWith('//')) [base, rest] = ['/', specifier.slice(2)];
  else if (specifier === '~' || specifier.startsWith('~/')) [base, rest] = [bases.home, specifier.slice(2)];
  else if (specifier.startsWith('/')) [base, rest] = [bases.root, specifier.slice(1)];
  else if (specifier.startsWith('./')) [base, rest] = [bases.cwd, specifier.slice(2)];
  else [base, rest] = [bases.cwd, specifier];
  rest = rest.replace(/\/+$/, '');
  const anyDepth = !rest.includes('/') && !specifier.startsWith('./');
  const glob = rest === '' ? '**' : anyDepth ? `**/${rest}` : rest;
  return { root: path.resolve(base), glob, wholeBase: rest === '' };
}

function matchesBelow(
  root: string,
  wholeBase: boolean,
  matcher: (test: string) => boolean,
  absolutePath: string,
): boolean {
  const rel = path.relative(root, absolutePath);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return false;
  if (rel === '') return wholeBase;
  // A directory pattern covers its contents: test the path and each of its ancestors below the base.
  const parts = rel.split(path.sep);
  for (let i = parts.length; i > 0; i--) if (matcher(parts.slice(0, i).join('/'))) return true;
  return false;
}
