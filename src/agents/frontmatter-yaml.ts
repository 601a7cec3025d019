import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import { parseSimpleYaml } from './simple-yaml.ts';

// Loaded on first use: importing `yaml` costs ~50 ms, and most agent files never need it (see
// simple-yaml.ts), which matters for start-up budgets such as an MCP server's (~1 s in Codex).
let yamlModule: typeof Yaml | undefined;
function yaml(): typeof Yaml {
  yamlModule ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
  return yamlModule;
}

/** The frontmatter mapping, with the file line of each top-level key and of each list item. */
export interface YamlFields {
  data: Record<string, unknown>;
  lines: Record<string, number>;
  itemLines: Record<string, number[]>;
}

export interface YamlFailure {
  line: number;
  column: number;
  message: string;
  hint: string;
}

export type YamlResult =
  | {
      ok: true;
      fields: YamlFields;
      /**
       * Set when strict YAML failed and the quoting retry parsed: the keys whose lines were wrapped,
       * and strict YAML's first complaint (for the warning that says how to fix the file).
       */
      retried?: string[];
      strictFailure?: YamlFailure;
    }
  | { ok: false; failures: YamlFailure[] };

/**
 * `firstLine` is the file line the YAML text starts on, so every line reported is a file line.
 * Claude Code's rule (2.1.197): strict YAML first; only if that fails, parse again with every
 * unquoted top-level `key: value` line whose value needs quoting wrapped in double quotes (see
 * `quoteProblematicValues`); only if that fails too is the file broken.
 */
export function parseFrontmatterYaml(src: string, firstLine: number): YamlResult {
  const fast = parseSimpleYaml(src, firstLine);
  if (fast) return { ok: true, fields: fast };
  const strict = parseWithYaml(src, firstLine);
  if (strict.ok) return strict;
  const quoted = quoteProblematicValues(src);
  if (quoted.keys.length === 0) return strict;
  const retry = parseWithYaml(quoted.text, firstLine);
  if (!retry.ok) return strict; // strict YAML's errors point at what the author wrote
  return { ok: true, fields: retry.fields, retried: quoted.keys, strictFailure: strict.failures[0]! };
}

// A top-level field (no indent) with a value on its line; `\s+` and `.+` as in Claude Code, so the
// value is the rest of the line after the blanks that follow the colon.
const TOP_LEVEL_FIELD = /^([A-Za-z_][\w.-]*):\s+(.+)$/;
const NEEDS_QUOTES = /: |[{}[\]*&#!|>%@`]/;

/**
 * Wraps in double quotes each unquoted top-level `key: value` line whose value contains `: ` or one
 * of `{}[]*&#!|>%@\``, escaping `\` and `"` so the parsed value is the rest of the line byte for
 * byte. Lines of other shapes (indented, comments, `key:` alone, already quoted) are left as they are.
 */
export function quoteProblematicValues(src: string): { text: string; keys: string[] } {
  const keys: string[] = [];
  const lines = src.split('\n').map((line) => {
    const m = TOP_LEVEL_FIELD.exec(line);
    if (!m) return line;
    const [, key, value] = m as unknown as [string, string, string];
    const quoted =
      (value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"));
    if (quoted || !NEEDS_QUOTES.test(value)) return line;
    keys.push(key);
    return `${key}: "${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  });
  return { text: lines.join('\n'), keys };
}

export function parseWithYaml(src: string, firstLine: number): YamlResult {
  const { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } = yaml();
  const counter = new LineCounter();
  const doc = parseDocument(src, { lineCounter: counter, prettyErrors: false });
  const fileLine = (offset: number) => counter.linePos(offset).line + firstLine - 1;
  if (doc.errors.length > 0) {
    const sourceLines = src.split('\n');
    const failures = doc.errors.map((error) => {
      const pos = counter.linePos(error.pos[0]);
      return {
        line: pos.line + firstLine - 1,
        column: pos.col,
        message: `invalid YAML: ${error.message}`,
        hint: yamlHint(error.code, sourceLines, pos.line),
      };
    });
    return { ok: false, failures };
  }
  const data: Record<string, unknown> = Object.create(null);
  const lines: Record<string, number> = Object.create(null);
  const itemLines: Record<string, number[]> = Object.create(null);
  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) {
    return { ok: true, fields: { data, lines, itemLines } };
  }
  if (!isMap(contents)) {
    const line = contents.range ? fileLine(contents.range[0]) : firstLine;
    return {
      ok: false,
      failures: [
        {
          line,
          column: 1,
          message: 'the frontmatter is not a list of `key: value` fields',
          hint: 'Write one field per line, e.g. `name: code-reviewer` then `description: …`.',
        },
      ],
    };
  }
  for (const pair of contents.items) {
    const keyNode = pair.key;
    const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
    if (isScalar(keyNode) && keyNode.range) lines[key] = fileLine(keyNode.range[0]);
    const value = pair.value;
    data[key] = isNode(value) ? value.toJS(doc) : (value ?? null);
    if (isSeq(value)) {
      itemLines[key] = value.items.map((item) =>
        isNode(item) && item.range ? fileLine(item.range[0]) : (lines[key] ?? firstLine),
      );
    }
  }
  return { ok: true, fields: { data, lines, itemLines } };
}

/** The YAML mistakes people make in agent files, each with the fix spelled out. */
function yamlHint(code: string, sourceLines: string[], line: number): string {
  const text = sourceLines[line - 1] ?? '';
  const field = /^([\w.-]+):\s+(.*)$/.exec(text);
  if (code === 'DUPLICATE_KEY') return 'Remove one of the two lines that set this key.';
  if (code === 'TAB_AS_INDENT') return 'Indent with spaces, not tabs.';
  if (field && (field[2]!.includes(': ') || /^[[{&*!|>%@`]/.test(field[2]!))) {
    return `Quote the value of \`${field[1]}\`: it contains \`: \` or starts with a YAML symbol. Write ${field[1]}: "…" (escape inner " as \\"), or put \`${field[1]}: >-\` and the text on indented lines below.`;
  }
  return 'Fix the YAML syntax on this line; quote values that contain `: ` or start with a symbol such as [ { * & ! | > @.';
}
