import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, delimiter, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** A command line as it will be spawned: variables expanded, `cwd` as given (relative to `baseDir`). */
export interface CommandLine {
  command: string;
  args: readonly string[];
  env: Readonly<Record<string, string>>;
  cwd: string;
}

/**
 * The workspace files a command line runs, by absolute path, each with the digest of its content
 * (`sha256:…`), and its working directory with where it really is (`dir:<real path>`). Trusting a
 * server entry is trusting these too: a sandboxed command can rewrite a workspace file, and a
 * re-cloned repository can hold other code under the same `.mcp.json`, so the entry's text alone
 * does not say what will run. What is looked at, relative to `cwd` and to `baseDir` (where the
 * entry was written):
 * - the command when it is a path, or the file `PATH` picks for it when that file is in the workspace
 *   (a project's `node_modules/.bin` is on `PATH` under `npx codex-task`);
 * - each argument, and each value of a `NODE_OPTIONS`-style variable, that names an existing file
 *   (`--opt=file` too), but data files a server writes as it runs (`.db`, `.sqlite`, `.log`…);
 * - for npx, `npm exec`, pnpm, yarn and bunx, `node_modules/.bin/<name>` from `cwd` up to the
 *   workspace root for each package named: those runners take a project's own copy first.
 * Only files inside `root` (the workspace) count: the repository cannot change the others. Code a
 * file loads at run time from elsewhere (its imports, `node_modules` dependencies) is not followed.
 */
export function commandFiles(
  line: CommandLine,
  options: { baseDir: string; root: string },
): Record<string, string> {
  const roots = [options.root, realPath(options.root)].filter((r): r is string => r !== undefined);
  const within = (path: string) => {
    const real = realPath(path);
    return roots.some((root) => isUnder(root, path) || (real !== undefined && isUnder(root, real)));
  };
  const cwd = resolve(options.baseDir, line.cwd);
  const files: Record<string, string> = {};
  const addFile = (path: string) => {
    if (path in files || DATA_FILE.test(path) || !within(path)) return;
    const digest = fileDigest(path);
    if (digest) files[path] = digest;
  };
  const addNamed = (word: string) => {
    for (const name of pathWords(word))
      for (const dir of new Set([cwd, options.baseDir])) addFile(resolve(dir, name));
  };

  if (within(cwd)) files[cwd] = `dir:${realPath(cwd) ?? 'missing'}`;
  if (/[/\\]/.test(line.command)) addNamed(line.command);
  else {
    const found = onPath(line.command, line.env.PATH ?? process.env.PATH ?? '', cwd);
    if (found) addFile(found);
  }
  for (const arg of line.args) addNamed(arg);
  for (const value of Object.values(line.env)) for (const word of value.split(/\s+/)) addNamed(word);
  if (RUNNERS.has(basename(line.command).replace(/\.(cmd|exe)$/i, ''))) {
    for (const name of line.args.flatMap(binNames))
      for (let dir = cwd; within(dir); dir = dirname(dir)) {
        addFile(join(dir, 'node_modules', '.bin', name));
        if (dirname(dir) === dir) break;
      }
  }
  return files;
}

/** The repository an item's directory belongs to: the nearest directory holding `.git`, else `dir` itself. */
export function workspaceRootOf(dir: string): string {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return resolve(dir);
  }
}

/** Files a server changes as it runs: binding trust to them would ask again after every use. */
const DATA_FILE = /\.(?:db|db3|sqlite3?|duckdb|mdb|log|jsonl|ndjson|csv|tsv|parquet|pid|sock)$/i;

/** Package runners that prefer the project's own `node_modules/.bin` to the registry. */
const RUNNERS = new Set(['npx', 'npm', 'pnpm', 'pnpx', 'yarn', 'bunx', 'bun']);

/** The word itself and, for `--opt=value`, the value: either may be a file. */
function pathWords(word: string): string[] {
  if (word.length === 0 || word.length > 4096 || word.includes('\0')) return [];
  const value = /^-{1,2}[\w.-]+=(.+)$/.exec(word)?.[1];
  return value ? [word, value] : [word];
}

/** `docs-mcp`, `docs-mcp@1.2`, `@scope/docs-mcp@latest` → the bin name a runner would look for. */
function binNames(arg: string): string[] {
  if (arg.startsWith('-')) return [];
  const spec = arg.replace(/^npm:/, '');
  const name = spec.startsWith('@') ? spec.split('/')[1]?.split('@')[0] : spec.split('@')[0];
  return name && /^[\w.-]+$/.test(name) && name !== '.' && name !== '..' ? [name] : [];
}

/** What `execvp` would run for a bare command: the first executable file on `PATH`. */
function onPath(command: string, path: string, cwd: string): string | undefined {
  for (const entry of path.split(delimiter)) {
    const candidate = resolve(cwd, entry || '.', command);
    const st = statSync(candidate, { throwIfNoEntry: false });
    if (st?.isFile() && (process.platform === 'win32' || (st.mode & 0o111) !== 0)) return candidate;
  }
  return undefined;
}

function fileDigest(path: string): string | undefined {
  let fd: number | undefined;
  try {
    if (!statSync(path).isFile()) return undefined;
    fd = openSync(path, 'r');
    const hash = createHash('sha256');
    const chunk = Buffer.allocUnsafe(1 << 16);
    for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) hash.update(chunk.subarray(0, n));
    return `sha256:${hash.digest('hex')}`;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function realPath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function isUnder(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}
