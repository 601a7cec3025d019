import type { Command } from 'unbash';
import { DYNAMIC, wordValue } from './bash-words.ts';

/** Variables that change which program a name runs, or what runs before it. */
export const HIJACKING_VARIABLES = new Set([
  'PATH',
  'BASH_ENV',
  'ENV',
  'LD_PRELOAD',
  'LD_LIBRARY_PATH',
  'IFS',
  'SHELLOPTS',
  'BASHOPTS',
  'PROMPT_COMMAND',
]);

/** Wrappers whose own options are skipped before the wrapped command (options taking a value listed). */
const WRAPPERS: Record<string, Set<string>> = {
  command: new Set(),
  builtin: new Set(),
  exec: new Set(['-a']),
  nohup: new Set(),
  time: new Set(['-f', '-o']),
  nice: new Set(['-n']),
  ionice: new Set(['-c', '-n', '-p']),
  stdbuf: new Set(['-i', '-o', '-e']),
  setsid: new Set(),
  sudo: new Set(['-u', '-g', '-C', '-h', '-p', '-U']),
  doas: new Set(['-u', '-C']),
  env: new Set(['-u', '-C', '-S', '--unset', '--chdir', '--split-string']),
  xargs: new Set(['-I', '-n', '-P', '-L', '-s', '-d', '-E', '-a', '-l']),
  timeout: new Set(['-s', '-k']),
};

export interface Unwrapped {
  /** Each form a rule may be checked against, outermost first; the last is what really runs. */
  forms: string[][];
  /** Directories `env -C dir` runs the command in (DYNAMIC when computed). */
  directories: string[];
  /** True when xargs adds words read from its input to the command. */
  appended: boolean;
}

type Failure = { reason: string };

/** `env X=1 timeout 5 npm test` → [[timeout 5 npm test], [npm test]]: every form a rule may be checked against. */
export function unwrap(words: string[], assignments: string[]): Unwrapped | Failure {
  const result: Unwrapped = { forms: [], directories: [], appended: false };
  let current = words;
  for (let hops = 0; hops < 10; hops++) {
    const valueOptions = WRAPPERS[current[0] ?? ''];
    if (!valueOptions) break;
    const wrapper = current[0]!;
    let split: string[] = [];
    let replace: string | undefined;
    let i = 1;
    while (i < current.length) {
      const word = current[i]!;
      if (word === '--') {
        i++;
        break;
      }
      if (wrapper === 'env' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) {
        const variable = word.slice(0, word.indexOf('='));
        if (HIJACKING_VARIABLES.has(variable)) {
          return { reason: `it sets ${variable}, which changes what the command runs` };
        }
        assignments.push(variable);
        i++;
        continue;
      }
      if (wrapper === 'timeout' && /^\d/.test(word) && !current.slice(1, i).some((w) => /^\d/.test(w))) {
        i++;
        continue;
      }
      if (wrapper === 'nice' && /^-\d+$/.test(word)) {
        i++;
        continue;
      }
      if (!word.startsWith('-') || word === '-') break;
      if (word.includes(DYNAMIC)) return { reason: `an option of \`${wrapper}\` is computed when it runs` };
      const value = valueOptions.has(word) ? current[i + 1] : undefined;
      if (wrapper === 'env') {
        // `env -S 'cmd args'` splits its value into the command; `env -C dir` runs it in dir.
        const splitString = optionValue(word, value, '-S', '--split-string');
        if (splitString !== undefined) {
          if (/[\0'"\\$`]/.test(splitString))
            return { reason: '`env -S` runs a command computed when it runs' };
          split = splitString.split(/\s+/).filter(Boolean);
        }
        const chdir = optionValue(word, value, '-C', '--chdir');
        if (chdir !== undefined) result.directories.push(chdir);
      }
      if (wrapper === 'xargs') replace = replaceString(word, value) ?? replace;
      i += valueOptions.has(word) ? 2 : 1;
    }
    let rest = [...split, ...current.slice(i)];
    if (wrapper === 'xargs') {
      // xargs adds the words it reads to the command, or puts them where the replace-string is.
      rest =
        replace === undefined
          ? [...rest, DYNAMIC]
          : rest.map((w) => (w.includes(replace!) ? w.replaceAll(replace!, DYNAMIC) : w));
      result.appended = true;
    }
    if (rest.length === 0 || (wrapper === 'xargs' && rest.length === 1 && replace === undefined)) break;
    if (rest[0]!.includes(DYNAMIC)) return { reason: `\`${wrapper}\` runs a command computed when it runs` };
    result.forms.push(rest);
    current = rest;
  }
  return result;
}

/** The value of `-X value`, `-Xvalue` or `--long=value` (`--long value`), else undefined. */
function optionValue(
  word: string,
  next: string | undefined,
  short: string,
  long: string,
): string | undefined {
  if (word === short || word === long) return next;
  if (word.startsWith(`${long}=`)) return word.slice(long.length + 1);
  if (word.startsWith(short) && !word.startsWith('--')) return word.slice(short.length);
  return undefined;
}

/** xargs `-I R`, `-IR`, `--replace=R`; `-i` and `--replace` alone mean `{}`. */
function replaceString(word: string, next: string | undefined): string | undefined {
  if (word === '-i' || word === '--replace') return '{}';
  if (word === '-I') return next;
  if (word.startsWith('--replace=')) return word.slice('--replace='.length);
  if (/^-[Ii]./.test(word)) return word.slice(2);
  return undefined;
}

export type ShellInput =
  | { kind: 'script'; script: string }
  | { kind: 'computed' }
  | { kind: 'file' }
  | { kind: 'stdin' };

/**
 * What `sh …` runs: the script of `-c 'script'`, a file, or its standard input. A computed word
 * before the script or file may be `-c` itself (`bash $opts`), so the script is computed then.
 */
export function shellInput(words: readonly string[]): ShellInput {
  for (let i = 1; i < words.length; i++) {
    const word = words[i]!;
    if (word.includes(DYNAMIC)) return { kind: 'computed' };
    if (word === '--' || word === '-')
      return words[i + 1] === undefined ? { kind: 'stdin' } : { kind: 'file' };
    if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(word)) {
      const script = words[i + 1] === '--' ? words[i + 2] : words[i + 1];
      if (script === undefined || script.includes(DYNAMIC)) return { kind: 'computed' };
      return { kind: 'script', script };
    }
    if (/^[-+]O$|^[-+]o$|^--(rcfile|init-file)$/.test(word)) {
      i++;
      continue;
    }
    if (/^-[a-zA-Z]*s[a-zA-Z]*$/.test(word)) return { kind: 'stdin' };
    if (!word.startsWith('-') && !word.startsWith('+')) return { kind: 'file' };
  }
  return { kind: 'stdin' };
}

/**
 * What the command reads on standard input: the text of a here-document or here-string (DYNAMIC
 * when it expands), `file` for `< file`, or undefined for what it inherits (a pipe).
 */
export function standardInput(command: Command): string | undefined {
  let input: string | undefined;
  for (const r of command.redirects) {
    if (r.descriptor && !(r.descriptor.type === 'FileDescriptor' && r.descriptor.value === 0)) continue;
    if (r.type === 'HereString' && r.target) input = wordValue(r.target, false);
    else if (r.type === 'HereDoc') input = r.delimiter?.quoted || !r.body.parts ? r.body.text : DYNAMIC;
    else if (r.type === 'Redirect' && (r.operator === '<' || r.operator === '<>')) input = FILE_INPUT;
  }
  return input;
}
export const FILE_INPUT = `${DYNAMIC}file`;
