import { type Dir, type Dirent, existsSync, opendirSync } from 'node:fs';
import path from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import picomatch from 'picomatch';
import { globSync } from 'tinyglobby';
import { ToolDeniedError } from '../../errors/index.ts';
import { compilePathPatterns, type PathBases } from './path-pattern.ts';

/**
 * The workspace scan gives the event loop back after this long: it runs before every sandboxed
 * command, and on a queue worker a loop blocked for seconds (900,000 files took 3.3 s) loses every
 * other task's job lock (stall timeout 2 s by default).
 */
export const SCAN_SLICE_MS = 20;
/**
 * Entries the scan looks at before it gives up. Past it Bash refuses (fail closed): secrets not
 * found would not be hidden. Big monorepos are about 300,000 files without node_modules and .git.
 */
export const MAX_SCAN_ENTRIES = 1_000_000;

/** Directories the workspace scan does not enter: the sandbox pins a secret's directories so none can be moved there. */
const UNSCANNED = new Set(['.git', 'node_modules']);

export interface SecretPaths {
  /** True when the path (absolute) is, or lies inside, a secret. */
  matches(absolutePath: string): boolean;
  /** The pattern that made it secret, for messages. */
  patternOf(absolutePath: string): string | undefined;
  /**
   * The secrets that exist now, as absolute paths, for the Bash sandbox to hide: all of them (no
   * cut: the sandbox refuses to run rather than hide some), looked for afresh at every call, so
   * what an earlier command renamed or the user added since is found.
   */
  existing(): readonly string[];
  /** The same, without holding the event loop for more than SCAN_SLICE_MS at a time. */
  findExisting(signal?: AbortSignal): Promise<readonly string[]>;
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
  maxEntries = MAX_SCAN_ENTRIES,
): SecretPaths {
  const secretIndex = compilePathPatterns(patterns, bases);
  const exceptionIndex = compilePathPatterns(exceptions, bases);
  const patternOf = (abs: string) => {
    const i = secretIndex(abs);
    return i < 0 || exceptionIndex(abs) >= 0 ? undefined : patterns[i];
  };
  return {
    matches: (abs) => patternOf(abs) !== undefined,
    patternOf,
    existing: () => {
      const steps = scan(patterns, bases, patternOf, maxEntries);
      for (let step = steps.next(); ; step = steps.next()) if (step.done) return step.value;
    },
    findExisting: async (signal) => {
      const steps = scan(patterns, bases, patternOf, maxEntries);
      try {
        for (let step = steps.next(); ; step = steps.next()) {
          if (step.done) return step.value;
          await turn();
          signal?.throwIfAborted();
        }
      } finally {
        // Cancelled between steps: closes the directories it still holds open.
        steps.return([]);
      }
    },
  };
}

/** Too many entries to be sure no secret is left out: the sandbox refuses rather than hide some. */
function tooManyEntries(root: string, maxEntries: number): ToolDeniedError {
  return new ToolDeniedError(
    `Bash cannot run in the sandbox: the workspace ${root} holds over ${maxEntries.toLocaleString('en-US')} files and directories (outside .git and node_modules), too many to search for the secrets to hide from the command. Nothing was run.`,
    'Run the task in a smaller directory of it (a package of the monorepo), or remove generated files from the workspace.',
  );
}

/**
 * The scan as steps: it yields (asks for a turn of the event loop) each SCAN_SLICE_MS, and returns
 * the sorted list. Driven straight through by `existing`, with turns between by `findExisting`.
 */
function* scan(
  patterns: readonly string[],
  bases: PathBases,
  patternOf: (abs: string) => string | undefined,
  maxEntries: number,
): Generator<void, string[]> {
  const out = new Set<string>();
  const names: string[] = [];
  const relPaths: string[] = [];
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
    } else if (p.includes('/') || p.startsWith('./'))
      relPaths.push(p.replace(/^\.\//, '').replace(/\/+$/, ''));
    else names.push(p);
  }
  if (names.length > 0 || relPaths.length > 0) {
    // A plain walk, not a glob library: ~10x faster, and it runs before every sandboxed command.
    const byName = names.length > 0 ? picomatch(names, { dot: true }) : () => false;
    const byPath = relPaths.length > 0 ? picomatch(relPaths, { dot: true }) : () => false;
    let entries = 0;
    let sliceStart = performance.now();
    // Depth first with an explicit stack of open directories, read an entry at a time (one huge
    // directory is sliced too).
    const stack: { dir: Dir; abs: string; rel: string }[] = [];
    const open = (abs: string, rel: string) => {
      try {
        stack.push({ dir: opendirSync(abs, { bufferSize: 256 }), abs, rel });
      } catch {
        // unreadable or gone: nothing of it to show either
      }
    };
    open(path.resolve(bases.cwd), '');
    try {
      while (stack.length > 0) {
        const top = stack[stack.length - 1]!;
        let entry: Dirent | null;
        try {
          entry = top.dir.readSync();
        } catch {
          entry = null;
        }
        if (entry === null) {
          top.dir.closeSync();
          stack.pop();
          continue;
        }
        if (++entries > maxEntries) throw tooManyEntries(path.resolve(bases.cwd), maxEntries);
        if ((entries & 255) === 0 && performance.now() - sliceStart > SCAN_SLICE_MS) {
          yield;
          sliceStart = performance.now();
        }
        const abs = path.join(top.abs, entry.name);
        const relPath = top.rel === '' ? entry.name : `${top.rel}/${entry.name}`;
        // The walk's matchers only pick candidates; the compiled list (with exceptions) decides.
        if ((byName(entry.name) || byPath(relPath)) && patternOf(abs) !== undefined) {
          out.add(abs);
          continue;
        }
        if (entry.isDirectory() && !UNSCANNED.has(entry.name)) open(abs, relPath);
      }
    } finally {
      for (const { dir } of stack) dir.closeSync();
    }
  }
  return [...out].sort();
}
