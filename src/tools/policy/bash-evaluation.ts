import type { SyntaxNode } from 'unbash';
import { DYNAMIC } from './bash-words.ts';

/** Comparisons of `[[ … ]]` that evaluate both sides as arithmetic. */
const ARITHMETIC_TESTS = new Set(['-eq', '-ne', '-lt', '-le', '-gt', '-ge']);
/** A subscript bash reads without evaluating anything: a number, or `@`/`*`. */
const LITERAL_INDEX = /^(\d+|[@*])$/;
/** Text that runs a command once something evaluates it (a subscript, `@P`, arithmetic). */
const EVALUABLE = /\$\(|\$\[|`/;

/**
 * Why `node` makes bash evaluate text at run time, or undefined. Arithmetic (`$((x))`, `((…))`,
 * `[[ x -eq 1 ]]`, a subscript `${a[x]}`) reads a variable holding `a[$(cmd)]` as an expression and
 * runs `cmd`; `${x@P}` expands `$(cmd)` in x's value; `${!x}` and `${x:off}` evaluate too. Quotes do
 * not help: `x='a[$(cmd)]'` is literal where it is written and runs where it is evaluated. So no
 * rule can tell what such a command does.
 */
export function runtimeEvaluation(node: SyntaxNode): string | undefined {
  switch (node.type) {
    case 'ArithmeticExpansion':
    case 'ArithmeticCommand':
    case 'ArithmeticFor':
      return 'it uses arithmetic evaluation (`$((…))`, `$[…]`, `((…))`), which runs commands hidden in a variable’s text';
    case 'TestUnary':
      return node.operator === '-v'
        ? '`[[ -v … ]]` evaluates its subscript, which can run commands'
        : undefined;
    case 'TestBinary':
      return ARITHMETIC_TESTS.has(node.operator)
        ? `\`[[ … ${node.operator} … ]]\` evaluates both sides as arithmetic, which can run commands`
        : undefined;
    case 'ParameterExpansion':
      if (node.operation?.type === 'Transform')
        return `\`${node.text}\` transforms a value at run time (\`@P\` runs the commands in it)`;
      if (node.operation?.type === 'Slice') return `\`${node.text}\` evaluates its offset as arithmetic`;
      if (node.prefix === '!') return `\`${node.text}\` is an indirect expansion, evaluated at run time`;
      if (node.index && !LITERAL_INDEX.test(node.index.text))
        return `\`${node.text}\` has a computed subscript, evaluated as arithmetic`;
      return undefined;
    case 'Assignment': {
      if (node.index && !LITERAL_INDEX.test(node.index.text))
        return `\`${node.text}\` assigns with a computed subscript, evaluated as arithmetic`;
      const values = node.value.type === 'Word' ? [node.value] : node.value.elements;
      if (values.some((w) => EVALUABLE.test(w.text) || EVALUABLE.test(w.value)))
        return `the assignment \`${node.text}\` holds command or arithmetic text that later expansions may run`;
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Option letters that take a value, per builtin that names variables; `names` marks the ones naming one. */
const NAMING_BUILTINS: Record<string, { values: string; names: string }> = {
  read: { values: 'adinNptu', names: 'a' },
  mapfile: { values: 'dnOsuCc', names: '' },
  readarray: { values: 'dnOsuCc', names: '' },
  printf: { values: 'v', names: 'v' },
  wait: { values: 'p', names: 'p' },
};
export const DECLARATIONS = new Set(['declare', 'typeset', 'local', 'export', 'readonly']);

const NAMING = new Set([
  ...DECLARATIONS,
  ...Object.keys(NAMING_BUILTINS),
  'unset',
  'getopts',
  'test',
  '[',
  'let',
]);
const NOTHING: NamedVariables = Object.freeze({ sets: [] as string[] });

export interface NamedVariables {
  /** Variables the builtin sets (plain names). */
  sets: string[];
  /** Why it evaluates text at run time, if it does. */
  evaluated?: string;
}

/**
 * Variables a builtin names (`read x`, `printf -v x`, `declare x=1`, `unset x`, `test -v x`). A
 * name with a subscript (`a[$(cmd)]`) has it evaluated as arithmetic, which runs `cmd`, and a
 * computed name may hold one, so both are run-time evaluation, as `${a[x]}` is; what is set counts
 * like an assignment (`read PATH` changes what runs as `PATH=…` does).
 */
export function namedVariables(words: readonly string[]): NamedVariables {
  const name = words[0] ?? '';
  if (!NAMING.has(name)) return NOTHING;
  const args = words.slice(1);
  const found: NamedVariables = { sets: [] };
  const named = (variable: string, sets: boolean): NamedVariables => {
    const problem = nameProblem(variable);
    if (problem) found.evaluated ??= problem;
    else if (sets) found.sets.push(variable.replace(/\[.*$/, ''));
    return found;
  };
  if (name === 'let') {
    found.evaluated = '`let` evaluates arithmetic, which runs commands hidden in a variable’s text';
    return found;
  }
  if (DECLARATIONS.has(name)) {
    let functions = false;
    for (const arg of args) {
      if (/^[-+][a-zA-Z]+$/.test(arg)) {
        functions ||= /[fF]/.test(arg);
        if (arg.startsWith('-') && arg.includes('n') && name !== 'export')
          found.evaluated ??= `\`${name} -n\` makes a name refer to another variable, whose value then changes`;
        continue;
      }
      if (functions || arg === '--') continue;
      const eq = arg.indexOf('=');
      if (eq !== -1 && EVALUABLE.test(arg.slice(eq + 1)))
        found.evaluated ??= `\`${name} ${arg}\` holds command or arithmetic text that later expansions may run`;
      named(eq === -1 ? arg : arg.slice(0, eq).replace(/\+$/, ''), eq !== -1);
    }
    return found;
  }
  if (name === 'unset' || name === 'getopts') {
    const operands = args.filter((a) => !/^-[fvn]+$/.test(a));
    for (const [i, operand] of operands.entries()) {
      if (name === 'getopts' && i !== 1) continue;
      named(operand, name === 'getopts');
    }
    return found;
  }
  if (name === 'test' || name === '[') {
    for (let i = 0; i < args.length - 1; i++) if (args[i] === '-v') named(args[i + 1]!, false);
    return found;
  }
  const builtin = NAMING_BUILTINS[name];
  if (!builtin) return found;
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    for (let j = 1; j < arg.length; j++) {
      if (!builtin.values.includes(arg[j]!)) continue;
      const value = j + 1 < arg.length ? arg.slice(j + 1) : args[++i];
      if (builtin.names.includes(arg[j]!) && value !== undefined) named(value, true);
      break;
    }
  }
  // printf's operands are its format and values, wait's are jobs; read's and mapfile's are names.
  if (name === 'read' || name === 'mapfile' || name === 'readarray') {
    for (const operand of args.slice(i)) named(operand, true);
  }
  return found;
}

function nameProblem(variable: string): string | undefined {
  if (variable.includes(DYNAMIC))
    return `the variable name \`${variable.replaceAll(DYNAMIC, '…')}\` is computed when it runs`;
  const open = variable.indexOf('[');
  if (open === -1) return undefined;
  const index = variable.slice(open + 1, variable.lastIndexOf(']'));
  return LITERAL_INDEX.test(index)
    ? undefined
    : `\`${variable}\` has a computed subscript, evaluated as arithmetic`;
}

/** `set a b`, `set -- a b`: what follows the options (and `-o name`) are positional parameters. */
export function setsPositional(words: readonly string[]): boolean {
  for (let i = 1; i < words.length; i++) {
    const word = words[i]!;
    if (word === '--' || !/^[-+]/.test(word)) return true;
    if (word === '-o' || word === '+o') i++;
  }
  return false;
}
