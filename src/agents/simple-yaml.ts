/**
 * A fast reader for the YAML that agent frontmatter almost always is: top-level `key: value` lines
 * whose values are plain or quoted scalars (plain ones may continue on indented lines), `|` / `>`
 * block scalars, one-line flow lists, or block lists of scalars.
 *
 * Why it exists: the `yaml` package costs ~0.1–0.2 ms per document in a cold process, which alone
 * would spend the 50 ms budget for loading 500 agents. Anything outside this subset — or anything
 * the subset reader is not certain about — returns undefined and goes to the real parser, so the
 * result is always what `yaml` would give (a differential test holds it to that).
 */
import type { YamlFields } from './frontmatter-yaml.ts';

import { flowList, OUT, PLAIN_TEXT, SPECIAL_START, scalar } from './simple-yaml-scalars.ts';

const KEY = /^[A-Za-z_][\w.-]*$/;
const BLOCK_ITEM = /^( *)- +(.*)$/;
const BLOCK_HEADERS = new Set(['|', '|-', '>', '>-']);

export function parseSimpleYaml(src: string, firstLine: number): YamlFields | undefined {
  if (src.includes('\t')) return undefined;
  const lines = src.split('\n');
  // Plain objects (null-prototype ones are slow dictionaries in V8); `__proto__` is refused below.
  const data: Record<string, unknown> = {};
  const keyLines: Record<string, number> = {};
  const itemLines: Record<string, number[]> = {};
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (isBlankOrComment(line)) {
      i++;
      continue;
    }
    const colon = line.indexOf(':');
    const key = line.slice(0, colon);
    if (colon < 1 || !KEY.test(key)) return undefined;
    if (colon + 1 < line.length && line.charCodeAt(colon + 1) !== 32) return undefined; // `a:b` is a scalar
    if (key === '__proto__' || Object.hasOwn(data, key)) return undefined; // duplicates: the real parser reports them
    keyLines[key] = firstLine + i;
    const rest = line.slice(colon + 1).trim();
    i++;
    if (BLOCK_HEADERS.has(rest)) {
      const block = blockScalar(lines, i, rest);
      if (block === OUT) return undefined;
      data[key] = block.value;
      i = block.next;
      continue;
    }
    if (rest !== '') {
      let value = rest.startsWith('[') ? flowList(rest) : scalar(rest, false);
      if (value === OUT) return undefined;
      if (lines[i]?.startsWith(' ') || (lines[i] === '' && continuesAfterBlank(lines, i))) {
        // Indented lines after a plain scalar continue it (folded into one line).
        if (typeof value !== 'string' || !PLAIN_TEXT.test(rest)) return undefined;
        const more = plainContinuation(lines, i, rest);
        if (more === OUT) return undefined;
        value = more.value;
        i = more.next;
      }
      data[key] = value;
      if (Array.isArray(value)) itemLines[key] = value.map(() => keyLines[key]!);
      continue;
    }
    // `key:` alone: null, or a block list of scalars on the following lines.
    const items: unknown[] = [];
    const at: number[] = [];
    let indent: number | undefined;
    while (i < lines.length) {
      const next = lines[i]!;
      if (isBlankOrComment(next)) {
        i++;
        continue;
      }
      const item = BLOCK_ITEM.exec(next);
      if (!item) {
        if (next.startsWith(' ')) return undefined; // nested mapping or continued text
        break;
      }
      if (indent === undefined) indent = item[1]!.length;
      else if (item[1]!.length !== indent) return undefined;
      const value = scalar(item[2]!.trim(), false);
      if (value === OUT) return undefined;
      items.push(value);
      at.push(firstLine + i);
      i++;
    }
    if (indent === undefined) {
      data[key] = null;
    } else {
      data[key] = items;
      itemLines[key] = at;
    }
  }
  return { data, lines: keyLines, itemLines };
}

function isBlankOrComment(line: string): boolean {
  if (line === '') return true;
  const first = line.charCodeAt(0);
  if (first !== 32) return first === 35; // '#'
  const t = line.trimStart();
  return t === '' || t.startsWith('#');
}

/** Whether blank lines at `i` are followed by an indented line (then they are inside the scalar). */
function continuesAfterBlank(lines: readonly string[], i: number): boolean {
  while (i < lines.length && lines[i]!.trim() === '') i++;
  return lines[i]?.startsWith(' ') === true;
}

/**
 * A plain scalar's indented continuation lines: each trimmed, joined by a space, a blank line
 * standing for a line break. Only lines that are plain text on their own are taken.
 */
function plainContinuation(
  lines: readonly string[],
  i: number,
  first: string,
): { value: string; next: number } | typeof OUT {
  let value = first;
  let breaks = 0;
  for (; i < lines.length; i++) {
    const text = lines[i]!.trim();
    if (text === '') {
      if (!continuesAfterBlank(lines, i)) break;
      breaks++;
      continue;
    }
    if (!lines[i]!.startsWith(' ')) break;
    if (SPECIAL_START.includes(text[0]!) || text.includes(': ') || text.includes(' #') || text.endsWith(':'))
      return OUT;
    value += breaks > 0 ? '\n'.repeat(breaks) : ' ';
    value += text;
    breaks = 0;
  }
  return { value, next: i };
}

/**
 * A `|` (literal) or `>` (folded) block scalar, with clip or strip (`-`) chomping. Leading blank
 * lines, more-indented lines in folded text, and whitespace-only or space-ended lines are OUT:
 * their rules are subtle and they are rare in agent files.
 */
function blockScalar(
  lines: readonly string[],
  i: number,
  header: string,
): { value: string; next: number } | typeof OUT {
  const indent = lines[i]?.search(/\S/) ?? -1;
  if (indent < 1) return OUT;
  const content: string[] = [];
  let end = i;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') {
      content.push('');
      continue;
    }
    const lead = line.search(/\S/);
    if (lead === -1 || line.endsWith(' ')) return OUT;
    if (lead < indent) {
      if (lead > 0) return OUT;
      break;
    }
    if (lead > indent && header[0] === '>') return OUT;
    content.push(line.slice(indent));
    end = i + 1;
  }
  content.length = end - (i - content.length); // drop trailing blank lines (clip and strip chomping)
  const text = header[0] === '|' ? content.join('\n') : fold(content);
  return { value: header.endsWith('-') || text === '' ? text : `${text}\n`, next: i };
}

function fold(content: readonly string[]): string {
  let out = '';
  let breaks = 0;
  for (const line of content) {
    if (line === '') {
      breaks++;
      continue;
    }
    if (out !== '') out += breaks > 0 ? '\n'.repeat(breaks) : ' ';
    out += line;
    breaks = 0;
  }
  return out;
}
