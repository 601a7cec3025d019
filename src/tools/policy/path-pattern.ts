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
  const matcher = picomatch(glob, { dot: true });
  const root = path.resolve(base);
  return (absolutePath) => {
    const rel = path.relative(root, absolutePath);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return false;
    if (rel === '') return rest === '';
    // A directory pattern covers its contents: test the path and each of its ancestors below the base.
    const parts = rel.split(path.sep);
    for (let i = parts.length; i > 0; i--) if (matcher(parts.slice(0, i).join('/'))) return true;
    return false;
  };
}
