import { type Command, forEachChild, parse, type SyntaxNode } from 'unbash';
import { directoryChange, evaluatedStrings, resolvableDirectory } from './bash-builtins.ts';
import { DECLARATIONS, namedVariables, runtimeEvaluation, setsPositional } from './bash-evaluation.ts';
import { assignmentValue, DYNAMIC, hasPattern, mayBecomeOption, wordValue } from './bash-words.ts';
import { FILE_INPUT, HIJACKING_VARIABLES, shellInput, standardInput, unwrap } from './bash-wrappers.ts';
import { codeLoadingOptions } from './code-loading-options.ts';

export { DYNAMIC };

/**
 * A shell command split into the simple commands that would run, with the wrappers that only run
 * their arguments (`env`, `command`, `xargs`, `sh -c`…) looked through. When it cannot be decided
 * (`ok: false`), the redirections that could be found are still given: protected control paths
 * are checked with or without rules.
 */
export type BashAnalysis =
  | ({
      ok: true;
      commands: SimpleCommand[];
      /** Variables the command sets for what it runs: `X=1 cmd`, `env X=1 cmd`, a bare `X=1;`, `export X=1`. */
      assignments: string[];
    } & Files)
  | ({ ok: false; reason: string; hint: string } & Files);

interface Files {
  redirects: RedirectTarget[];
  /**
   * Where the command's literal `cd`, `pushd` and `env -C` go, as written: a relative redirection
   * may be opened in any directory they reach, in any order (call-facts.ts resolves them). When one
   * goes somewhere computed, relative targets are DYNAMIC instead.
   */
  directoryChanges: string[];
  /** A `cd` to a bare relative name, which `$CDPATH` from the environment would redirect. */
  searchesCdpath: boolean;
}

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
  /** Options of what really runs that load other code (code-loading-options.ts), as `program option`. */
  codeOptions: string[];
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'busybox']);
const MAX_DEPTH = 8;
const EVALUATION_HINT =
  'Write the values out literally: a command a permission rule must check may not use arithmetic, parameter transforms (@P), indirect or sliced expansions, computed subscripts or variable names, or variables holding `$(…)`.';
const LITERAL_HINT =
  'Write the command out literally (no computed command names, eval, or shell -c with computed text), one simple command per rule-checked step.';

interface Context {
  commands: SimpleCommand[];
  redirects: RedirectTarget[];
  assignments: string[];
  /** Aliases and functions the command defines (in any of its shells). */
  defined: Set<string>;
  /** Literal targets of cd/pushd/env -C; `unknown` once one is computed. */
  cd: { targets: string[]; unknown: boolean; searched: boolean };
  problem?: { reason: string; hint: string };
  /** Per command, the words that may become options and what decides them (bash-words.ts). */
  pending: { command: SimpleCommand; last: string[]; open: Open }[];
  /** `set -- a b` sets `$@`. */
  positional?: boolean;
}

/** Word value → `true` (the command's text) or the variables that decide it; none when undefined. */
type Open = Map<string, true | string[]> | undefined;
const POSITIONAL = ['@', '*', '#', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

export function analyzeBash(source: string): BashAnalysis {
  const ctx: Context = {
    commands: [],
    redirects: [],
    assignments: [],
    defined: new Set(),
    cd: { targets: [], unknown: false, searched: false },
    pending: [],
  };
  collect(source, ctx, 0);
  // Known only now: which variables the command sets anywhere (a loop may set one before its use).
  const set = new Set(ctx.assignments);
  if (ctx.positional) for (const p of POSITIONAL) set.add(p);
  let open: Open;
  const computed = (word: string) => {
    const by = open?.get(word);
    return by === true || Boolean(by?.some((v) => set.has(v)));
  };
  for (const pending of ctx.pending) {
    open = pending.open;
    pending.command.codeOptions = codeLoadingOptions(pending.last, computed);
  }
  for (const command of ctx.commands) {
    const last = command.unwrapped.at(-1) ?? command.words;
    if (ctx.defined.has(last[0]!)) {
      fail(
        ctx,
        `it redefines \`${last[0]}\` (alias or function) and runs it`,
        'Run the real command without redefining it.',
      );
    }
  }
  if (ctx.cd.unknown) {
    // After `cd "$d"`, `> settings.json` may open any directory's settings.json.
    for (const r of ctx.redirects) if (!/^[/~]/.test(r.path)) r.path = `${DYNAMIC}${r.path}`;
  }
  const files = {
    redirects: ctx.redirects,
    directoryChanges: ctx.cd.targets,
    searchesCdpath: ctx.cd.searched,
  };
  if (ctx.problem) return { ok: false, ...ctx.problem, ...files };
  return { ok: true, commands: ctx.commands, assignments: ctx.assignments, ...files };
}

/** Records the first reason the command cannot be decided; the walk goes on to find every file. */
function fail(ctx: Context, reason: string, hint = LITERAL_HINT): void {
  ctx.problem ??= { reason, hint };
}

function collect(source: string, ctx: Context, depth: number): void {
  if (depth > MAX_DEPTH) {
    fail(ctx, 'the command nests shells too deeply to check');
    return;
  }
  const script = parse(source);
  const errors = (script as { errors?: readonly { message: string }[] }).errors;
  if (errors?.length) {
    fail(ctx, `the command could not be parsed (${errors[0]!.message})`);
    return;
  }
  const commands: Command[] = [];
  const visit = (node: SyntaxNode): void => {
    const evaluated = runtimeEvaluation(node);
    if (evaluated) fail(ctx, evaluated, EVALUATION_HINT);
    if (node.type === 'Function') ctx.defined.add(node.name.value);
    if (node.type === 'For' || node.type === 'Select') setVariables(ctx, [wordValue(node.name, false)]);
    if (node.type === 'Command') commands.push(node);
    if (node.type === 'Redirect' && node.target) {
      const target = hasPattern(node.target) ? DYNAMIC : wordValue(node.target, false);
      // `>&2` and `<&-` duplicate or close a descriptor; `>& file` is `&> file`, and bash's `<& file` a file too.
      const duplicates = (node.operator === '>&' || node.operator === '<&') && /^(\d+-?|-)$/.test(target);
      if (!duplicates) ctx.redirects.push({ path: target, write: WRITE_REDIRECTS.has(node.operator) });
    }
    forEachChild(node, visit);
  };
  visit(script);
  for (const command of commands) simpleCommand(command, ctx, depth);
}

function simpleCommand(command: Command, ctx: Context, depth: number): void {
  for (const item of command.prefix) {
    if (item.type === 'Assignment') setVariables(ctx, [item.name]);
  }
  if (!command.name) return; // a bare assignment: its substitutions were collected by the walk
  let open: Open;
  const words = [wordValue(command.name, true)];
  for (const arg of command.args) {
    const value = arg.type === 'Word' ? wordValue(arg, false) : assignmentValue(arg);
    const by = arg.type === 'Word' ? mayBecomeOption(arg) : false;
    if (by !== false) {
      open ??= new Map();
      const before = open.get(value);
      open.set(value, by === true || before === true ? true : [...(before ?? []), ...by]);
    }
    words.push(value);
  }
  if (words[0]!.includes(DYNAMIC)) {
    fail(ctx, `the command name \`${command.name.text}\` is computed when it runs`);
    return;
  }
  if (words[0] === 'alias') {
    for (const arg of words.slice(1)) {
      const eq = arg.indexOf('=');
      if (eq <= 0) continue;
      ctx.defined.add(arg.slice(0, eq));
      collect(arg.slice(eq + 1), ctx, depth + 1);
    }
  }
  const last = run(words, open, ctx, depth, () => standardInput(command));
  if (last && DECLARATIONS.has(last[0]!)) {
    // `declare "x=$(cmd)"`: what the value holds may be evaluated later, as for `x=$(cmd)`.
    const text = command.args.find((a) => a.type === 'Word' && /=.*(\$\(|\$\[|`)/.test(a.text));
    if (text)
      fail(
        ctx,
        `\`${text.text}\` assigns command or arithmetic text that later expansions may run`,
        EVALUATION_HINT,
      );
  }
}

/** Checks one simple command as it would run (also the commands of `find -exec`); returns what runs. */
function run(
  words: string[],
  open: Open,
  ctx: Context,
  depth: number,
  input: () => string | undefined,
): string[] | undefined {
  const unwrapped = unwrap(words, ctx.assignments);
  if ('reason' in unwrapped) {
    fail(ctx, unwrapped.reason);
    return undefined;
  }
  for (const directory of unwrapped.directories) changeDirectory(ctx, directory);
  const last = unwrapped.forms.at(-1) ?? words;
  // What xargs adds or puts in place of its replace-string is read from its input.
  if (unwrapped.appended) {
    open = new Map(open);
    for (const w of last) if (w.includes(DYNAMIC)) open.set(w, true);
  }
  const command: SimpleCommand = { words, unwrapped: unwrapped.forms, codeOptions: [] };
  ctx.commands.push(command);
  ctx.pending.push({ command, last, open });
  const name = last[0]!;
  if (SHELLS.has(name)) {
    const shell = shellInput(last);
    if (shell.kind === 'script') collect(shell.script, ctx, depth + 1);
    else if (shell.kind === 'computed') fail(ctx, `\`${name}\` runs text computed when it runs`);
    else if (shell.kind === 'stdin') {
      const text = input();
      // `bash < script.sh` runs a file, as `bash script.sh` does: a command like any other.
      if (text !== FILE_INPUT) {
        if (text === undefined || text.includes(DYNAMIC) || unwrapped.appended)
          fail(ctx, `\`${name}\` runs commands it reads from its standard input`);
        else collect(text, ctx, depth + 1);
      }
    }
  }
  const evaluated = evaluatedStrings(last);
  if ('reason' in evaluated) fail(ctx, evaluated.reason);
  else for (const script of evaluated.scripts) collect(script, ctx, depth + 1);
  const variables = namedVariables(last);
  if (variables.evaluated) fail(ctx, variables.evaluated, EVALUATION_HINT);
  setVariables(ctx, variables.sets);
  const directory = directoryChange(last);
  if (directory !== undefined) changeDirectory(ctx, directory);
  if (name === 'find') findCommands(last, open, ctx, depth);
  if (name === 'set' && setsPositional(last)) ctx.positional = true;
  return last;
}

/** `find … -exec cmd {} ;` runs cmd: it must pass the rules on its own. */
function findCommands(words: readonly string[], open: Open, ctx: Context, depth: number): void {
  for (let i = 1; i < words.length; i++) {
    if (!/^-(exec|execdir|ok|okdir)$/.test(words[i]!)) continue;
    const end = words.findIndex((w, j) => j > i && (w === ';' || w === '+'));
    const inner = words.slice(i + 1, end === -1 ? undefined : end);
    if (inner.length === 0) continue;
    if (inner[0]!.includes(DYNAMIC)) {
      fail(ctx, '`find -exec` runs a command computed when it runs');
      return;
    }
    run(inner, open, ctx, depth, () => undefined);
  }
}

function setVariables(ctx: Context, names: readonly string[]): void {
  for (const name of names) {
    if (HIJACKING_VARIABLES.has(name)) fail(ctx, `it sets ${name}, which changes what the command runs`);
    // `CDPATH` changes where `cd dir` goes; `DIRSTACK` where `popd` does.
    if (name === 'CDPATH' || name === 'DIRSTACK') ctx.cd.unknown = true;
    // A bare `X=1;` counts too: it changes X for every later command if X is already exported.
    ctx.assignments.push(name);
  }
}

function changeDirectory(ctx: Context, target: string): void {
  if (!resolvableDirectory(target)) ctx.cd.unknown = true;
  else {
    ctx.cd.targets.push(target);
    if (!/^[./~]/.test(target)) ctx.cd.searched = true;
  }
}
