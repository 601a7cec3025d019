import { awkRunsCode, sedRunsCode } from './program-scripts.ts';

/**
 * Options that make an allowed program run code (or write a file) the rule's author never saw:
 * `npm test --node-options='--require ./x.js'` is still `npm test` to `Bash(npm test:*)`. A prefix
 * or wildcard rule covers a command using one of these only if the rule itself names the option
 * (`Bash(node -e:*)`, `Bash(python3 -m pytest:*)`); deny rules are not affected.
 *
 * One table, per program: `long` options match as `--opt` and `--opt=value` (and single-dash words
 * such as find's `-delete` whole); `short` letters match alone, with the value attached (`-r./x`)
 * and inside a cluster (`-Sc`), up to a letter of `shortValues`, whose value is the rest. Every
 * word is scanned up to `--` (GNU tools take options after operands), so a value that looks like
 * one of these options is refused too: that errs on the refusing side. A word that is computed
 * when it runs (`$X`, `*`) could be any option, so it counts as one for a program in the table.
 */
interface OptionTable {
  long?: readonly string[];
  short?: string;
  shortValues?: string;
  /** Options taking a separate value, so that value is not taken for an operand. */
  valued?: readonly string[];
  /**
   * At the first operand: a sub-table for what follows (`git rebase …`, `npx vitest …`), or
   * `stop` (an interpreter's script, an unknown git subcommand), or scanning goes on (`npm test`).
   */
  operand?: (word: string) => Scope | 'stop' | undefined;
  /** python's `-m`: ends the options and hands the rest to the module named next. */
  handsOver?: string;
  /** A check of its own over the arguments (a sed or awk script, make's `VAR=value`). */
  check?: (args: readonly string[]) => string[];
}
interface Scope {
  table: OptionTable;
  program: string;
}

const NODE_CODE = ['--require', '--import', '--loader', '--experimental-loader', '--eval', '--print'];
const NODE: OptionTable = {
  long: [...NODE_CODE, '--env-file', '--env-file-if-exists', '--inspect', '--inspect-brk', '--inspect-wait'],
  short: 'rep',
  shortValues: 'C',
};
/** npm reads any `--name=value` as its config: these run code or load another config or package. */
const NPM_CONFIG = [
  '--node-options',
  '--script-shell',
  '--shell',
  '--userconfig',
  '--globalconfig',
  '--prefix',
  '--git',
  '--editor',
  '--browser',
  '--viewer',
  '--onload-script',
  '--init-module',
  '--call',
  '--package',
  ...NODE_CODE,
];
const NPM_VALUED = ['-c', '--call', '-p', '--package', '-w', '--workspace', '--registry', '--cache'];
const VITEST: OptionTable = { long: ['--config', '--root', '--dir'], short: 'cr' };
const JEST: OptionTable = {
  long: [
    '--config',
    '--rootDir',
    '--setupFiles',
    '--setupFilesAfterEnv',
    '--globalSetup',
    '--globalTeardown',
    '--testRunner',
    '--testEnvironment',
    '--transform',
    '--resolver',
    '--preset',
    '--reporters',
    '--watchPlugins',
    '--testResultsProcessor',
    '--snapshotResolver',
    '--testSequencer',
  ],
  short: 'c',
};
const PYTEST: OptionTable = { long: ['--config-file', '--override-ini'], short: 'pco' };
const TSC: OptionTable = { long: ['--outFile', '--outDir', '--declarationDir'] };
const GIT_SUBCOMMANDS: Record<string, OptionTable> = {
  diff: { long: ['--output'] },
  log: { long: ['--output'] },
  show: { long: ['--output'] },
  'format-patch': { long: ['--output', '--output-directory'], short: 'o' },
  clone: { long: ['--upload-pack', '--template', '--config'], short: 'uc' },
  init: { long: ['--template'] },
  fetch: { long: ['--upload-pack'] },
  pull: { long: ['--upload-pack'] },
  'ls-remote': { long: ['--upload-pack'] },
  archive: { long: ['--exec'] },
  push: { long: ['--receive-pack', '--exec'] },
  rebase: { long: ['--exec'], short: 'x' },
  difftool: { long: ['--extcmd'], short: 'x' },
  grep: { long: ['--open-files-in-pager'], short: 'O' },
  submodule: { long: ['foreach'] },
  bisect: { long: ['run'] },
};

/** A package runner's first operand is a program of its own (`npx vitest --config x`). */
function runs(word: string): Scope | 'stop' {
  const program = programName(word);
  const table = TABLES[program];
  return table ? { table, program } : 'stop';
}
const NPX: OptionTable = { long: NPM_CONFIG, short: 'cpC', valued: NPM_VALUED, operand: runs };
const runner = (program: string, also?: (word: string) => Scope | 'stop' | undefined) => (word: string) =>
  word === 'exec' || word === 'x' || word === 'dlx' ? { table: NPX, program } : also?.(word);
const gitSubcommand = (word: string) => {
  const table = GIT_SUBCOMMANDS[word];
  return table ? { table, program: 'git' } : 'stop';
};

const TABLES: Record<string, OptionTable> = {
  node: NODE,
  tsx: NODE,
  bun: { long: [...NODE_CODE, '--preload'], short: 'rep' },
  'ts-node': { long: [...NODE_CODE, '--compiler', '--transpiler'], short: 'repC' },
  npm: { long: NPM_CONFIG, short: 'cC', valued: NPM_VALUED, operand: runner('npm') },
  npx: NPX,
  pnpx: NPX,
  bunx: NPX,
  pnpm: {
    long: [...NPM_CONFIG, '--dir'],
    short: 'C',
    valued: [...NPM_VALUED, '-C', '--dir', '--filter'],
    operand: runner('pnpm', (word) => (TABLES[word] ? runs(word) : undefined)),
  },
  yarn: {
    long: [...NPM_CONFIG, '--cwd', '--use-yarnrc'],
    valued: [...NPM_VALUED, '--cwd'],
    operand: runner('yarn', (word) => (TABLES[word] ? runs(word) : undefined)),
  },
  python: { short: 'cm', shortValues: 'WX', valued: ['-W', '-X'], operand: () => 'stop', handsOver: 'm' },
  pytest: PYTEST,
  vitest: VITEST,
  jest: JEST,
  tsc: TSC,
  git: {
    long: ['--config-env', '--exec-path', '--git-dir'],
    short: 'cC',
    valued: ['-c', '-C', '--git-dir', '--work-tree', '--namespace', '--config-env', '--super-prefix'],
    operand: gitSubcommand,
  },
  make: { long: ['--file', '--makefile', '--eval', '--directory'], short: 'fEC', check: makeAssignments },
  cargo: { long: ['--config', '--manifest-path'], short: 'ZC' },
  find: { long: ['-delete', '-fprint', '-fprint0', '-fprintf', '-fls'] },
  rg: { long: ['--pre'] },
  tar: {
    long: [
      '--to-command',
      '--use-compress-program',
      '--checkpoint-action',
      '--info-script',
      '--new-volume-script',
      '--rsh-command',
      '--rmt-command',
    ],
    short: 'IF',
    shortValues: 'fCbHKLNT',
    check: tarBundle,
  },
  sed: { check: sedRunsCode },
  awk: { check: awkRunsCode },
  perl: { short: 'eEMm' },
  ruby: { short: 'er' },
  php: { short: 'rBRFEd' },
  rsync: { long: ['--rsh', '--rsync-path'], short: 'e' },
  ssh: { short: 'oF' },
  zip: { long: ['--unzip-command', '-TT'] },
};
for (const alias of ['gawk', 'mawk', 'nawk']) TABLES[alias] = TABLES.awk!;
TABLES.gmake = TABLES.make!;
TABLES['py.test'] = PYTEST;

/** `python3.12` → python, `/usr/bin/node` → node, `./node_modules/.bin/vitest` → vitest. */
function programName(word: string): string {
  if (TABLES[word]) return word;
  const base = word.slice(word.lastIndexOf('/') + 1);
  return /^python\d*(\.\d+)?$/.test(base) ? 'python' : base;
}

/**
 * The code-loading options `words` (one simple command, program first) use, as `program option`
 * (`npm --node-options`, `git -c`), or `program <computed>` for a word that could be any option.
 * `computed` tells which words are expansions; a rule's own words are never computed.
 */
export function codeLoadingOptions(words: readonly string[], computed?: (word: string) => boolean): string[] {
  const program = programName(words[0] ?? '');
  const table = TABLES[program];
  return table ? scan(words.slice(1), { table, program }, computed, 0) : [];
}

function scan(
  args: readonly string[],
  { table, program }: Scope,
  computed: ((word: string) => boolean) | undefined,
  depth: number,
): string[] {
  const found = table.check?.(args).map((what) => `${program} ${what}`) ?? [];
  const handOver = (word: string | undefined, rest: readonly string[]): string[] => {
    const next = word === undefined || depth > 3 ? undefined : table.operand?.(word);
    return typeof next === 'object' ? [...found, ...scan(rest, next, computed, depth + 1)] : found;
  };
  let operands = 0;
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (computed?.(word)) {
      found.push(`${program} <computed>`);
      continue;
    }
    const name = word.startsWith('--') ? word.split('=', 1)[0]! : word;
    const long = table.long !== undefined && longOptions(table).has(name);
    if (long) found.push(`${program} ${name}`);
    if (word === '--') return table.operand ? handOver(args[i + 1], args.slice(i + 2)) : found;
    if (!word.startsWith('-') || word === '-') {
      const next = operands++ === 0 ? table.operand?.(word) : undefined;
      if (next === 'stop') return found;
      if (next) return handOver(word, args.slice(i + 1));
      continue;
    }
    if (!word.startsWith('--') && !long) {
      const letter = riskyLetter(word, table);
      if (letter) {
        found.push(`${program} -${letter}`);
        if (letter === table.handsOver) {
          const attached = word.slice(word.indexOf(letter) + 1);
          const module = attached || args[i + 1];
          const moduleTable = TABLES[module ?? ''];
          const rest = args.slice(attached ? i + 1 : i + 2);
          return moduleTable
            ? [...found, ...scan(rest, { table: moduleTable, program: module! }, computed, depth + 1)]
            : found;
        }
        // python's `-c code` ends its options too: what follows is the code's arguments.
        if (table.handsOver) return found;
      }
    }
    if (table.valued?.includes(word)) i++;
  }
  return found;
}

const longSets = new WeakMap<OptionTable, ReadonlySet<string>>();
function longOptions(table: OptionTable): ReadonlySet<string> {
  let set = longSets.get(table);
  if (!set) {
    set = new Set(table.long);
    longSets.set(table, set);
  }
  return set;
}

/** The first code-loading letter of a short option cluster, up to a letter whose value is the rest. */
function riskyLetter(word: string, table: OptionTable): string | undefined {
  for (const letter of word.slice(1)) {
    if (table.short?.includes(letter)) return letter;
    if (table.shortValues?.includes(letter)) return undefined;
  }
  return undefined;
}

/** `make SHELL=/tmp/evil`: a variable on make's command line overrides the Makefile's (its recipes). */
function makeAssignments(args: readonly string[]): string[] {
  return args
    .filter((a) => /^[A-Za-z_.][A-Za-z0-9_.]*\s*[:+?!]?=/.test(a))
    .map((a) => `${a.split('=', 1)[0]}=`);
}

/** tar's old-style first argument (`tar xIf prog a.tar`) is a cluster of short options. */
function tarBundle(args: readonly string[]): string[] {
  const letter = /^[A-Za-z]*?([IF])/.exec(args[0] ?? '')?.[1];
  return letter && /^[A-Za-z]+$/.test(args[0]!) ? [`-${letter}`] : [];
}
