import { type Command, forEachChild, parse, type SyntaxNode, type Word, type WordPart } from 'unbash';
import { runtimeEvaluation } from './bash-evaluation.ts';

/**
 * A shell command split into the simple commands that would run, with the wrappers that only run
 * their arguments (`env`, `command`, `xargs`, `sh -c`…) looked through.
 */
export type BashAnalysis =
  | {
      ok: true;
      commands: SimpleCommand[];
      redirects: RedirectTarget[];
      /** Variables the command sets for what it runs: `X=1 cmd`, `env X=1 cmd`, a bare `X=1;`. */
      assignments: string[];
    }
  | { ok: false; reason: string; hint: string };

/** A file a redirection opens (`> out.txt`, `< in.txt`); `path` is DYNAMIC-marked when computed. */
export interface RedirectTarget {
  path: string;
  write: boolean;
}

const WRITE_REDIRECTS = new Set(['>', '>>', '>|', '&>', '&>>', '<>', '>&']);

export interface SimpleCommand {
  /** Words as the shell would see them; a word with an expansion is `DYNAMIC`-marked text. */
  words: string[];
  /** The same command with each run-its-arguments wrapper removed, outermost first. */
  unwrapped: string[][];
}

/** Marks a word whose value depends on an expansion: no literal in a rule can match it. */
export const DYNAMIC = '\u0000';

/** Variables that change which program a name runs, or what runs before it. */
const HIJACKING_VARIABLES = new Set([
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
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'busybox']);
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
  env: new Set(['-u', '-C', '-S']),
  xargs: new Set(['-I', '-n', '-P', '-L', '-s', '-d', '-E', '-a', '-i', '-l']),
  timeout: new Set(['-s', '-k']),
};
const MAX_DEPTH = 8;
const DIRECTORY_CHANGERS = new Set(['cd', 'pushd', 'popd']);
const EVALUATION_HINT =
  'Write the values out literally: a command a permission rule must check may not use arithmetic, parameter transforms (@P), indirect or sliced expansions, computed subscripts, or variables holding `$(…)`.';

export function analyzeBash(source: string): BashAnalysis {
  const commands: SimpleCommand[] = [];
  const redirects: RedirectTarget[] = [];
  const assignments: string[] = [];
  const problem = collect(source, commands, 0, redirects, assignments);
  if (problem) return problem;
  // After `cd dir`, `> settings.json` opens dir/settings.json: a relative target no longer says which file.
  if (commands.some((c) => DIRECTORY_CHANGERS.has((c.unwrapped.at(-1) ?? c.words)[0]!))) {
    for (const r of redirects) if (!/^[/~]/.test(r.path)) r.path = `${DYNAMIC}${r.path}`;
  }
  return { ok: true, commands, redirects, assignments };
}

function collect(
  source: string,
  out: SimpleCommand[],
  depth: number,
  redirects: RedirectTarget[],
  assignments: string[],
): Extract<BashAnalysis, { ok: false }> | undefined {
  if (depth > MAX_DEPTH) return denied('the command nests shells too deeply to check');
  const script = parse(source);
  const defined = new Set<string>();
  let problem: Extract<BashAnalysis, { ok: false }> | undefined;
  const commands: Command[] = [];
  const visit = (node: SyntaxNode): void => {
    if (problem) return;
    const errors = (node as { errors?: readonly { message: string }[] }).errors;
    if (node.type === 'Script' && errors?.length) {
      problem = denied(`the command could not be parsed (${errors[0]!.message})`);
      return;
    }
    const evaluated = runtimeEvaluation(node);
    if (evaluated) {
      problem = denied(evaluated, EVALUATION_HINT);
      return;
    }
    if (node.type === 'Function') defined.add(node.name.value);
    if (node.type === 'Command') commands.push(node);
    if (node.type === 'Redirect' && node.target) {
      const target = wordValue(node.target, false);
      // `>&2` and `<&-` duplicate or close a descriptor; `>& file` is `&> file`, and bash's `<& file` a file too.
      const duplicates = (node.operator === '>&' || node.operator === '<&') && /^(\d+-?|-)$/.test(target);
      if (!duplicates) redirects.push({ path: target, write: WRITE_REDIRECTS.has(node.operator) });
    }
    forEachChild(node, visit);
  };
  visit(script);
  if (problem) return problem;
  for (const command of commands) {
    for (const item of command.prefix) {
      if (item.type !== 'Assignment') continue;
      if (HIJACKING_VARIABLES.has(item.name)) {
        return denied(`it sets ${item.name}, which changes what the command runs`);
      }
      // A bare `X=1;` counts too: it changes X for every later command if X is already exported.
      assignments.push(item.name);
    }
    if (!command.name) continue; // a bare assignment: its substitutions were collected by the walk
    const words = [
      wordValue(command.name, true),
      ...command.args.map((w) => (w.type === 'Word' ? wordValue(w, false) : DYNAMIC)),
    ];
    if (words[0]!.includes(DYNAMIC)) {
      return denied(`the command name \`${command.name.text}\` is computed when it runs`);
    }
    const name = words[0]!;
    if (name === 'alias') {
      for (const arg of words.slice(1)) {
        const eq = arg.indexOf('=');
        if (eq > 0) {
          defined.add(arg.slice(0, eq));
          const nested = collect(arg.slice(eq + 1), out, depth + 1, redirects, assignments);
          if (nested) return nested;
        }
      }
    }
    if (name === 'eval') {
      const body = words.slice(1);
      if (body.some((w) => w.includes(DYNAMIC))) return denied('`eval` runs text computed when it runs');
      const nested = collect(body.join(' '), out, depth + 1, redirects, assignments);
      if (nested) return nested;
      continue;
    }
    const unwrapped = unwrap(words, assignments);
    if ('reason' in unwrapped) return unwrapped;
    for (const inner of [words, ...unwrapped.forms]) {
      if (SHELLS.has(inner[0] ?? '')) {
        const script = shellScript(inner);
        if (script === DYNAMIC) return denied(`\`${inner[0]} -c\` runs text computed when it runs`);
        if (script !== undefined) {
          const nested = collect(script, out, depth + 1, redirects, assignments);
          if (nested) return nested;
        }
      }
    }
    out.push({ words, unwrapped: unwrapped.forms });
    // `find … -exec cmd {} ;` runs cmd: it must pass the rules on its own.
    const last = unwrapped.forms.at(-1) ?? words;
    if (last[0] === 'find') {
      for (let i = 1; i < last.length; i++) {
        if (!/^-(exec|execdir|ok|okdir)$/.test(last[i]!)) continue;
        const end = last.findIndex((w, j) => j > i && (w === ';' || w === '+'));
        const inner = last.slice(i + 1, end === -1 ? undefined : end);
        if (inner.length === 0) continue;
        if (inner[0]!.includes(DYNAMIC)) return denied('`find -exec` runs a command computed when it runs');
        const forms = unwrap(inner, assignments);
        if ('reason' in forms) return forms;
        out.push({ words: inner, unwrapped: forms.forms });
      }
    }
  }
  for (const command of out) {
    const last = command.unwrapped.at(-1) ?? command.words;
    if (defined.has(last[0]!)) {
      return denied(
        `it redefines \`${last[0]}\` (alias or function) and runs it`,
        'Run the real command without redefining it.',
      );
    }
  }
  return undefined;
}

/** `env X=1 timeout 5 npm test` → [[timeout 5 npm test], [npm test]]: every form a rule may be checked against. */
function unwrap(
  words: string[],
  assignments: string[],
): { forms: string[][] } | Extract<BashAnalysis, { ok: false }> {
  const forms: string[][] = [];
  let current = words;
  for (let hops = 0; hops < 10; hops++) {
    const valueOptions = WRAPPERS[current[0] ?? ''];
    if (!valueOptions) break;
    const wrapper = current[0]!;
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
          return denied(`it sets ${variable}, which changes what the command runs`);
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
      if (word.includes(DYNAMIC)) return denied(`an option of \`${wrapper}\` is computed when it runs`);
      i += valueOptions.has(word) ? 2 : 1;
    }
    const rest = current.slice(i);
    if (rest.length === 0) break;
    if (rest[0]!.includes(DYNAMIC)) return denied(`\`${wrapper}\` runs a command computed when it runs`);
    forms.push(rest);
    current = rest;
  }
  return { forms };
}

/** The script of `sh -c 'script'`; undefined when the shell runs a file or stdin (a command like any other). */
function shellScript(words: string[]): string | undefined {
  const c = words.findIndex((w, i) => i > 0 && /^-[a-zA-Z]*c[a-zA-Z]*$/.test(w));
  if (c === -1) return undefined;
  const script = words[c + 1];
  if (script === undefined) return undefined;
  return script.includes(DYNAMIC) ? DYNAMIC : script;
}

/** The word's value after quote removal; expansions (`$x`, `$(…)`, globs stay literal) become DYNAMIC. */
function wordValue(word: Word, isName: boolean): string {
  if (!word.parts) return word.value;
  return word.parts.map((part) => partValue(part, isName)).join('');
}

/** In a command name, a glob or brace expansion is computed too (`cu{rl,}` runs curl). */
function partValue(part: WordPart, isName: boolean): string {
  switch (part.type) {
    case 'Literal':
    case 'SingleQuoted':
    case 'AnsiCQuoted':
      return part.value;
    case 'Glob':
    case 'ExtendedGlob':
    case 'BraceExpansion':
      return isName ? DYNAMIC : part.text;
    case 'DoubleQuoted':
    case 'LocaleString':
      return part.parts.map((p) => partValue(p, isName)).join('');
    default:
      return DYNAMIC;
  }
}

function denied(reason: string, hint?: string): Extract<BashAnalysis, { ok: false }> {
  return {
    ok: false,
    reason,
    hint:
      hint ??
      'Write the command out literally (no computed command names, eval, or shell -c with computed text), one simple command per rule-checked step.',
  };
}
