/**
 * Line-level edits of a TOML document that keep everything else byte for byte: comments, blank
 * lines, key order, quoting and line endings. Enough of TOML's lexical rules to find where a table
 * and a key's value (multi-line arrays, inline tables and strings included) begin and end; the
 * result is always re-parsed by the caller before it is written.
 */

const HEADER = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/;
const KEY_START =
  /^(\s*)((?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*'))*)\s*=/;

export interface TomlDocument {
  lines: string[];
  eol: '\n' | '\r\n';
  /** Whether the text ended with a line break. */
  finalEol: boolean;
}

export function splitDocument(text: string): TomlDocument {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const finalEol = text.endsWith('\n');
  const body = finalEol ? text.slice(0, text.endsWith('\r\n') ? -2 : -1) : text;
  return { lines: body === '' ? [] : body.split(/\r?\n/), eol, finalEol };
}

export function joinDocument(doc: TomlDocument): string {
  if (doc.lines.length === 0) return '';
  return doc.lines.join(doc.eol) + (doc.finalEol ? doc.eol : '');
}

/** A table header's dotted path, each part unquoted: `[mcp_servers."codex-task"]` → ['mcp_servers', 'codex-task']. */
export function headerPath(line: string): string[] | undefined {
  const m = HEADER.exec(line);
  // Arrays of tables (`[[x]]`) are headers too, but never the table we look for.
  if (!m || line.trimStart().startsWith('[[')) return undefined;
  return splitDotted(m[1]!);
}

function splitDotted(key: string): string[] {
  const parts: string[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*(?:\.|$)/gy;
  for (let m = re.exec(key); m && m[0] !== ''; m = re.exec(key)) {
    parts.push(m[1] !== undefined ? JSON.parse(`"${m[1]}"`) : (m[2] ?? m[3]!));
  }
  return parts;
}

/**
 * Indices of every table header line, skipping lines inside multi-line values (a line of an
 * array that happens to start with `[` is not a header).
 */
export function headerLines(lines: readonly string[]): number[] {
  const headers: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (KEY_START.test(line)) {
      i = valueEnd(lines, i);
      continue;
    }
    if (HEADER.test(line)) headers.push(i);
  }
  return headers;
}

/** The last line of the key/value that starts on line `start` (multi-line arrays, tables, strings). */
export function valueEnd(lines: readonly string[], start: number): number {
  let depth = 0;
  let multi: '"""' | "'''" | undefined;
  for (let i = start; i < lines.length; i++) {
    const line = lines[i]!;
    let j = i === start ? line.indexOf('=') + 1 : 0;
    while (j < line.length) {
      if (multi) {
        const close = line.indexOf(multi, j);
        if (close < 0) break;
        j = close + 3;
        multi = undefined;
        continue;
      }
      const c = line[j]!;
      if (c === '#') break;
      if (line.startsWith('"""', j) || line.startsWith("'''", j)) {
        multi = line.slice(j, j + 3) as '"""' | "'''";
        j += 3;
        continue;
      }
      if (c === '"' || c === "'") {
        j = skipString(line, j);
        continue;
      }
      if (c === '[' || c === '{') depth++;
      else if (c === ']' || c === '}') depth--;
      j++;
    }
    if (!multi && depth <= 0) return i;
  }
  return lines.length - 1;
}

function skipString(line: string, start: number): number {
  const quote = line[start]!;
  for (let j = start + 1; j < line.length; j++) {
    if (quote === '"' && line[j] === '\\') j++;
    else if (line[j] === quote) return j + 1;
  }
  return line.length;
}

/** The dotted key a key/value line starts with, unquoted, or undefined. */
export function keyOf(line: string): string[] | undefined {
  const m = KEY_START.exec(line);
  return m ? splitDotted(m[2]!) : undefined;
}

/** Where a table's own lines are: from its header to the next header (or the end), minus the blank/comment lines that lead into the next one. */
export function tableRange(lines: readonly string[], header: number): { start: number; end: number } {
  const next = headerLines(lines).find((h) => h > header) ?? lines.length;
  let end = next;
  if (next < lines.length) {
    while (end - 1 > header && /^\s*(#.*)?$/.test(lines[end - 1]!)) end--;
  }
  return { start: header + 1, end };
}

/**
 * Sets `key = value` (value already TOML text) in the table whose body is `range`: an existing
 * assignment (however many lines) is replaced in place, keeping its indentation and a trailing
 * comment; a new one goes after the table's last assignment. Returns the change in line count.
 */
export function setKey(
  lines: string[],
  range: { start: number; end: number },
  key: string,
  value: string,
): number {
  let lastAssignment = range.start - 1;
  for (let i = range.start; i < range.end; i++) {
    const found = keyOf(lines[i]!);
    if (!found) continue;
    const end = valueEnd(lines, i);
    if (found.length === 1 && found[0] === key) {
      const indent = /^\s*/.exec(lines[i]!)![0];
      const comment = end === i ? trailingComment(lines[i]!) : '';
      const replacement = `${indent}${bareKey(key)} = ${value}${comment}`;
      lines.splice(i, end - i + 1, replacement);
      return 1 - (end - i + 1);
    }
    lastAssignment = end;
    i = end;
  }
  lines.splice(lastAssignment + 1, 0, `${bareKey(key)} = ${value}`);
  return 1;
}

function trailingComment(line: string): string {
  const eq = line.indexOf('=');
  for (let j = eq + 1; j < line.length; j++) {
    const c = line[j]!;
    if (c === '"' || c === "'") j = skipString(line, j) - 1;
    else if (c === '#') return ` ${line.slice(j).trimEnd()}`.replace(/^\s+#/, ' #');
  }
  return '';
}

export function bareKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

/** TOML text of a value: strings as basic strings (JSON's escapes are TOML's), arrays and inline tables. */
export function tomlValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(tomlValue).join(', ')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => `${bareKey(k)} = ${tomlValue(v)}`);
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }
  throw new TypeError(`No TOML form for ${String(value)}`);
}
