/**
 * Scalars and one-line flow lists for the fast frontmatter reader (simple-yaml.ts): YAML 1.2 core
 * schema resolution for the forms agent files use. Anything else is OUT: the caller hands the
 * document to the real parser.
 */

/** Not in the subset: the caller must use the full parser. */
export const OUT = Symbol('out-of-subset');

const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
// Characters that make a plain scalar mean something else (anchors, tags, block scalars, flow
// collections, directives…) when they come first; `-`, `?`, `:` start sequences or complex keys.
export const SPECIAL_START = '[]{}&*!|>%@`#,?:-"\'';

export function flowList(text: string): unknown[] | typeof OUT {
  if (!text.endsWith(']')) return OUT;
  const inner = text.slice(1, -1);
  if (/[[\]{}"'#]/.test(inner)) return OUT;
  if (inner.trim() === '') return [];
  const out: unknown[] = [];
  for (const part of inner.split(',')) {
    const item = part.trim();
    if (item === '') return OUT; // `[a, , b]` is an error, `[a, b,]` is not: not worth mirroring
    const value = scalar(item, true);
    if (value === OUT) return OUT;
    out.push(value);
  }
  return out;
}

/** YAML's double-quoted escapes (descriptions written as "…\\n\\n<example>…" are common). */
const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
};
const HEX_DIGITS: Record<string, number> = { x: 2, u: 4, U: 8 };

function unescapeDoubleQuoted(inner: string): string | typeof OUT {
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i]!;
    if (ch === '"') return OUT; // the string ended early: leave the error to the real parser
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const code = inner[++i];
    if (code === undefined) return OUT;
    const simple = ESCAPES[code];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    const digits = HEX_DIGITS[code];
    const hex = digits === undefined ? '' : inner.slice(i + 1, i + 1 + digits);
    if (digits === undefined || hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex)) return OUT;
    const point = Number.parseInt(hex, 16);
    if (point > 0x10ffff) return OUT;
    out += String.fromCodePoint(point);
    i += digits;
  }
  return out;
}

// Ordinary text, the common case, recognised in one native regex match instead of a dozen checks:
// starts with a letter, never `: ` or ` #` inside, no `:` at the end (and no flow punctuation in a list).
export const PLAIN_TEXT = /^[A-Za-z_](?:(?!: | #).)*(?<!:)$/;
const PLAIN_FLOW_TEXT = /^[A-Za-z_](?:(?!: | #)[^,[\]{}])*(?<!:)$/;
const WORDS = new Map<string, null | boolean>([
  ['null', null],
  ['Null', null],
  ['NULL', null],
  ['true', true],
  ['True', true],
  ['TRUE', true],
  ['false', false],
  ['False', false],
  ['FALSE', false],
]);

export function scalar(text: string, inFlow: boolean): unknown {
  if ((inFlow ? PLAIN_FLOW_TEXT : PLAIN_TEXT).test(text)) {
    const word = WORDS.get(text);
    return word === undefined ? text : word;
  }
  const first = text[0]!;
  if (first === '"') {
    if (text.length < 2 || !text.endsWith('"')) return OUT;
    const inner = text.slice(1, -1);
    if (!inner.includes('\\')) return inner.includes('"') ? OUT : inner;
    return unescapeDoubleQuoted(inner);
  }
  if (first === "'") {
    if (text.length < 2 || !text.endsWith("'")) return OUT;
    const inner = text.slice(1, -1);
    return inner.replaceAll("''", '').includes("'") ? OUT : inner.replaceAll("''", "'");
  }
  if (INT.test(text)) return Number.parseInt(text, 10);
  if (FLOAT.test(text)) return Number.parseFloat(text);
  if (SPECIAL_START.includes(first)) return OUT;
  if (text.includes(': ') || text.endsWith(':') || text.includes(' #')) return OUT;
  if (inFlow && /[,[\]{}]/.test(text)) return OUT;
  if (text === '~') return null;
  if (/^[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$/.test(text) || /^0[ox]/.test(text)) return OUT;
  return text;
}
