/**
 * What an awk program's text does that runs code or writes a file, read token by token as gawk,
 * mawk and the one true awk read it. The hard part is telling code from text: a `/` starts a regex
 * where an operand is due (`print /"/`, `if (x) /re/`) and divides after one (`n / 2`); a newline
 * continues a statement after `,`, `&&`, `||` (`print "a",⏎"b" > "f"`). Where the awks disagree
 * (`length /x/`, `n++ /x/`, `/[^/]/`) or the text is not awk, the program counts as unreadable.
 */

/** A token; a `)` tells what its `(` opened. */
interface Token {
  kind: 'name' | 'number' | 'string' | 'regex' | 'newline' | 'op';
  text: string;
  closes?: Paren | undefined;
}

/** What a `(` opened: an `if`/`while`/`for` condition, after which a statement (maybe `/re/`) follows. */
type Paren = 'condition' | 'switch' | 'group';

const UNREADABLE = ['script it cannot read'];

/** Keywords in every awk after which `/` starts a regex (`print /x/`, `return /x/`). */
const REGEX_AFTER = new Set(['print', 'printf', 'return', 'else', 'do', 'exit']);

/**
 * Keywords and built-in functions of some awk. After one not above, a `/` divides in one awk and
 * starts a regex in another (`length /x/`: gawk divides, mawk matches; `case` and `switch` are gawk's
 * keywords and mawk's variables), or is refused; either way the program is not read.
 */
const KEYWORDS = new Set([
  ...['BEGIN', 'END', 'BEGINFILE', 'ENDFILE', 'function', 'func', 'if', 'while', 'for', 'switch'],
  ...['case', 'default', 'delete', 'next', 'nextfile', 'break', 'continue', 'getline', 'in'],
  ...['length', 'substr', 'index', 'split', 'sub', 'gsub', 'match', 'sprintf', 'sin', 'cos'],
  ...['atan2', 'exp', 'log', 'sqrt', 'int', 'rand', 'srand', 'tolower', 'toupper', 'system'],
  ...['close', 'fflush', 'gensub', 'strftime', 'systime', 'mktime', 'and', 'or', 'xor', 'lshift'],
  ...['rshift', 'compl', 'asort', 'asorti', 'patsplit', 'isarray', 'typeof', 'strtonum'],
  ...['dcgettext', 'dcngettext', 'bindtextdomain', 'mkbool', 'extension'],
]);

const OPERATORS = [
  ...['**=', '**', '^=', '+=', '-=', '*=', '%=', '==', '!=', '<=', '>=', '>>', '&&', '||', '|&'],
  ...['!~', '++', '--', ...'{}()[];,+-*%^!><|?:~$=@'],
];

const NUMBER = /^(?:0[xX][\dA-Fa-f]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/;

export function awkProgram(text: string): string[] {
  const list = tokens(text);
  if (!list) return [...UNREADABLE];
  const uses = new Set<string>();
  for (const [k, token] of list.entries()) {
    const next = list[k + 1];
    if (token.kind === 'name') {
      // `system` is code wherever it is: one true awk's bare `system` runs `$0`.
      if (token.text === 'system') uses.add('system()');
      if (token.text === 'extension') uses.add('extension()');
      if ((token.text === 'print' || token.text === 'printf') && printsToFile(list, k + 1)) {
        uses.add('print to a file');
      }
    } else if (token.kind === 'op' && (token.text === '|' || token.text === '|&')) uses.add('pipe');
    else if (token.kind === 'op' && token.text === '@') {
      // gawk's `@/re/` and `@namespace` are harmless; `@load`/`@include` read code, `@f()` calls by name.
      if (next?.kind === 'regex' || (next?.kind === 'name' && next.text === 'namespace')) continue;
      uses.add(
        next?.kind === 'name' && (next.text === 'load' || next.text === 'include')
          ? '@load'
          : 'indirect call',
      );
    }
  }
  const order = ['system()', 'extension()', 'pipe', 'print to a file', '@load', 'indirect call'];
  return order.filter((use) => uses.has(use));
}

/**
 * Whether the print statement whose words start at `start` has a `>`/`>>` (`print > "f"`), counted
 * inside parentheses too. It ends at `;` or `}`, or at a newline after a whole operand: a newline
 * after `,`, `&&`, `||`, `?`, `:` or an operator continues it, as does one inside parentheses.
 */
function printsToFile(list: readonly Token[], start: number): boolean {
  let depth = 0;
  let previous: Token | undefined = list[start - 1];
  for (let k = start; k < list.length; k++) {
    const token = list[k]!;
    if (token.kind === 'newline') {
      if (depth <= 0 && endsOperand(previous)) return false;
      continue;
    }
    previous = token;
    if (token.kind !== 'op') continue;
    if (token.text === '>' || token.text === '>>') return true;
    if (token.text === '(' || token.text === '[') depth++;
    else if (token.text === ')' || token.text === ']') depth--;
    else if (depth <= 0 && (token.text === ';' || token.text === '}')) return false;
  }
  return false;
}

/** Whether `token` ends an operand, so that a newline after it ends the statement. */
function endsOperand(token: Token | undefined): boolean {
  if (!token || token.kind === 'newline') return true;
  if (token.kind === 'name') return token.text !== 'in';
  if (token.kind !== 'op') return true;
  return [')', ']', '++', '--'].includes(token.text);
}

/** The program's tokens, strings, regex literals and comments taken whole; undefined if unreadable. */
function tokens(text: string): Token[] | undefined {
  const list: Token[] = [];
  const parens: Paren[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const rest = text.slice(i, i + 40);
    if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (c === '\\') {
      // A line continued: what follows is read as if on the same line (`1 \⏎/ 2` divides).
      const continued = /^\\\r?\n/.exec(rest);
      if (!continued) return undefined;
      i += continued[0].length;
    } else if (c === '\n') {
      list.push({ kind: 'newline', text: c });
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '"') {
      const end = stringEnd(text, i);
      if (end === -1) return undefined;
      list.push({ kind: 'string', text: text.slice(i, end) });
      i = end;
    } else if (c === '/') {
      const slash = slashAfter(list.at(-1));
      if (slash === undefined) return undefined;
      if (slash === 'regex') {
        const end = regexEnd(text, i);
        if (end === -1) return undefined;
        list.push({ kind: 'regex', text: text.slice(i, end) });
        i = end;
      } else {
        const op = text[i + 1] === '=' ? '/=' : '/';
        list.push({ kind: 'op', text: op });
        i += op.length;
      }
    } else if (/[A-Za-z_]/.test(c)) {
      const name = /^[A-Za-z_]\w*/.exec(text.slice(i))![0];
      list.push({ kind: 'name', text: name });
      i += name.length;
    } else if (NUMBER.test(rest)) {
      // Only the number: `1system("x")` is `1` then a call to `system`.
      const number = NUMBER.exec(text.slice(i))![0];
      list.push({ kind: 'number', text: number });
      i += number.length;
    } else {
      const op = OPERATORS.find((candidate) => text.startsWith(candidate, i));
      if (!op) return undefined;
      const token: Token = { kind: 'op', text: op };
      if (op === '(') parens.push(parenAfter(list));
      if (op === ')') token.closes = parens.pop();
      list.push(token);
      i += op.length;
    }
  }
  return list;
}

/** What a `(` opens, from the word before it (a newline between is skipped, to err toward regex). */
function parenAfter(list: readonly Token[]): Paren {
  const before = list.findLast((token) => token.kind !== 'newline');
  if (before?.kind !== 'name') return 'group';
  if (before.text === 'if' || before.text === 'while' || before.text === 'for') return 'condition';
  return before.text === 'switch' ? 'switch' : 'group';
}

/** What a `/` after `last` is in every awk: a regex, a division, or undefined where they differ. */
function slashAfter(last: Token | undefined): 'regex' | 'divide' | undefined {
  if (!last || last.kind === 'newline') return 'regex';
  if (last.kind === 'number' || last.kind === 'string') return 'divide';
  if (last.kind === 'regex') return undefined;
  if (last.kind === 'name') {
    if (REGEX_AFTER.has(last.text)) return 'regex';
    return KEYWORDS.has(last.text) ? undefined : 'divide';
  }
  if (last.text === ')') {
    if (last.closes === 'condition') return 'regex';
    return last.closes === 'switch' ? undefined : 'divide';
  }
  if (last.text === ']') return 'divide';
  // mawk matches after `++`/`--` (`n++ /x/`), gawk divides.
  if (last.text === '++' || last.text === '--') return undefined;
  return 'regex';
}

/** Index just past the string opened at `start`, or -1 (unterminated, or a raw newline in it). */
function stringEnd(text: string, start: number): number {
  for (let j = start + 1; j < text.length; ) {
    const c = text[j];
    if (c === '"') return j + 1;
    if (c === '\n') return -1;
    j += c === '\\' ? 2 : 1;
  }
  return -1;
}

/**
 * Index just past the regex literal opened at `start`, or -1. The awks end it differently when a
 * bracket expression holds a `/` (gawk and mawk read past it, the one true awk stops) or a
 * backslash (gawk escapes in brackets, the others do not), so only plain brackets are read.
 */
function regexEnd(text: string, start: number): number {
  for (let j = start + 1; j < text.length; ) {
    const c = text[j];
    if (c === '/') return j + 1;
    if (c === '\n') return -1;
    if (c === '\\') {
      if (text[j + 1] === undefined || text[j + 1] === '\n') return -1;
      j += 2;
    } else if (c === '[') {
      j = plainBracketEnd(text, j);
      if (j === -1) return -1;
    } else j++;
  }
  return -1;
}

/**
 * Index just past the bracket expression opened at `start` (`[^]a-z[:digit:]]`), or -1 when it holds
 * what the awks read differently: a `/`, `[` other than a `[:class:]`, or a backslash before one of
 * `\ ] [ / ^`.
 */
function plainBracketEnd(text: string, start: number): number {
  let j = start + 1;
  if (text[j] === '^') j++;
  if (text[j] === ']') j++;
  while (j < text.length) {
    const c = text[j]!;
    if (c === ']') return j + 1;
    if (c === '/' || c === '\n') return -1;
    if (c === '[') {
      const named = /^\[:[A-Za-z]+:\]/.exec(text.slice(j, j + 16));
      if (!named) return -1;
      j += named[0].length;
    } else if (c === '\\') {
      if (/[\\\][/^\n]/.test(text[j + 1] ?? '\n')) return -1;
      j += 2;
    } else j++;
  }
  return -1;
}
