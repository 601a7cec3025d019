import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
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
 * - each argument, and each word of a variable's value (shell quotes removed, as Node reads
 *   `NODE_OPTIONS`), that names an existing file (`--opt=file` too), but data files a server writes
 *   as it runs (`.db`, `.sqlite`, `.log`…); for node, tsx, ts-node and bun arguments and
 *   `--require`/`--import` values, every file Node's resolution would try (`x.js`, `x/index.js`,
 *   `x/package.json` and its `main`…);
 * - the words of a shell's `-c` string, as command lines of their own;
 * - for npx, npm, pnpm, yarn and bun(x): `node_modules/.bin/<name>` for each package named, the
 *   runner's settings (`.npmrc`, `.yarnrc.yml`, `.pnpmfile.cjs`…), `package.json`, and the scripts
 *   an argument names (`npm run mcp`), each as a command line — from `cwd` up to the workspace root.
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
  const addModule = (path: string) => {
    for (const candidate of moduleCandidates(path)) addFile(candidate);
  };
  const addNamed = (word: string, asModule = false) => {
    for (const name of pathWords(word))
      for (const dir of new Set([cwd, options.baseDir])) (asModule ? addModule : addFile)(resolve(dir, name));
  };
  const addEnvValue = (value: string) => {
    const words = shellWords(value).flat();
    for (const [i, word] of words.entries()) addNamed(word, isModuleWord(word, words[i - 1]));
  };
  const visit = (command: string, args: readonly string[], depth: number) => {
    if (/[/\\]/.test(command)) addNamed(command);
    else {
      const found = onPath(command, line.env.PATH ?? process.env.PATH ?? '', cwd);
      if (found) addFile(found);
    }
    const name = basename(command).replace(/\.(cmd|exe)$/i, '');
    const nodeLike = NODE_LIKE.has(name);
    for (const [i, arg] of args.entries())
      addNamed(arg, (nodeLike && !arg.startsWith('-')) || isModuleWord(arg, args[i - 1]));
    const dashC = SHELLS.has(name) ? args.findIndex((a) => /^-[a-z]*c[a-z]*$/.test(a)) : -1;
    const script = dashC >= 0 ? args[dashC + 1] : undefined;
    if (script !== undefined && depth < 4) visitScript(script, depth + 1);
    if (!RUNNERS.has(name)) return;
    // What a runner reads from the project: its settings (`script-shell=`, `node-options=`, hooks)
    // and package.json's scripts, which `npm run <name>` runs through a shell.
    for (let dir = cwd; within(dir); dir = dirname(dir)) {
      for (const config of RUNNER_FILES) addFile(join(dir, config));
      for (const bin of args.flatMap(binNames)) addFile(join(dir, 'node_modules', '.bin', bin));
      const scripts = packageScripts(join(dir, 'package.json'));
      for (const arg of args)
        for (const key of [`pre${arg}`, arg, `post${arg}`])
          if (typeof scripts[key] === 'string' && depth < 4) visitScript(scripts[key], depth + 1);
      if (dirname(dir) === dir) break;
    }
  };
  const visitScript = (text: string, depth: number) => {
    for (let words of shellWords(text)) {
      while (words[0] !== undefined && (/^[A-Za-z_]\w*=/.test(words[0]) || SHELL_PREFIX.has(words[0]))) {
        const assignment = /^[A-Za-z_]\w*=(.*)$/s.exec(words[0]);
        if (assignment?.[1]) addEnvValue(assignment[1]);
        words = words.slice(1);
      }
      const [command, ...rest] = words;
      if (command) visit(command, rest, depth);
    }
  };

  if (within(cwd)) files[cwd] = `dir:${realPath(cwd) ?? 'missing'}`;
  visit(line.command, line.args, 0);
  for (const value of Object.values(line.env)) addEnvValue(value);
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

/** Programs that load a module named like Node's `require` does (`tools/server` → `tools/server.js`). */
const NODE_LIKE = new Set(['node', 'nodejs', 'tsx', 'ts-node', 'ts-node-esm', 'bun']);

/** Options whose value is a module Node loads: `--require x`, `-r x`, `--import=x`. */
const MODULE_FLAG = /^(?:-r|--require|--import|--loader|--experimental-loader)$/;

function isModuleWord(word: string, previous: string | undefined): boolean {
  return (
    (previous !== undefined && MODULE_FLAG.test(previous)) ||
    /^(?:-r|--require|--import|--loader|--experimental-loader)=/.test(word)
  );
}

/** Shells whose `-c` string is a command line of its own. */
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'ash']);

/** Words before the command of a `-c` string that run the next word. */
const SHELL_PREFIX = new Set(['exec', 'env', 'command', 'nohup', 'time', 'then', 'do', 'else', '!', '{']);

/** What npm, pnpm, yarn and bun read from a project besides package.json's scripts. */
const RUNNER_FILES = [
  'package.json',
  '.npmrc',
  '.yarnrc',
  '.yarnrc.yml',
  '.pnpmfile.cjs',
  'pnpm-workspace.yaml',
  'bunfig.toml',
];

/**
 * The files `require(path)` may load, in Node's order (the file, with an extension, a directory's
 * package.json `main` and index): each that exists is bound, so adding one that would take
 * precedence changes what is bound too.
 */
function moduleCandidates(path: string): string[] {
  const withExt = (p: string) => [p, ...MODULE_EXTENSIONS.map((ext) => p + ext)];
  const out = withExt(path);
  const manifest = join(path, 'package.json');
  out.push(manifest);
  const main = packageJson(manifest)?.main;
  if (typeof main === 'string') {
    out.push(
      ...withExt(resolve(path, main)),
      ...MODULE_EXTENSIONS.map((ext) => join(resolve(path, main), `index${ext}`)),
    );
  }
  out.push(...MODULE_EXTENSIONS.map((ext) => join(path, `index${ext}`)));
  return out;
}

const MODULE_EXTENSIONS = ['.js', '.cjs', '.mjs', '.json', '.node', '.ts', '.cts', '.mts'];

function packageJson(path: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function packageScripts(path: string): Record<string, unknown> {
  const scripts = packageJson(path)?.scripts;
  return scripts && typeof scripts === 'object' ? (scripts as Record<string, unknown>) : {};
}

/**
 * A shell command line as its simple commands' words, quotes removed (`'…'`, `"…"`, `\x`), split
 * at unquoted `;`, `&`, `|`, newlines and parentheses. Expansions (`$(…)`, `$VAR`, globs) are not
 * performed: a word holding one names no file.
 */
export function shellWords(text: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word: string | undefined;
  const endWord = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      const end = close < 0 ? text.length : close;
      word = (word ?? '') + text.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      word ??= '';
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === '\\' && /["\\$`\n]/.test(text[i + 1] ?? '')) i++;
        word += text[i];
      }
    } else if (c === '\\') {
      word = (word ?? '') + (text[++i] ?? '');
    } else if (/[;&|\n()]/.test(c)) endCommand();
    else if (/[<>]/.test(c) || /\s/.test(c)) endWord();
    else word = (word ?? '') + c;
  }
  endCommand();
  return commands;
}

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

/** The real path of `path`, or undefined when it does not exist. */
export function realPath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** True when `path` is `root` or lies below it (both absolute). */
export function isUnder(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}
