import type { SyntaxNode } from 'unbash';

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
