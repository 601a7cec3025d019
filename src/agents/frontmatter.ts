/** A Markdown file cut into its YAML frontmatter and its body. Lines are 1-based file lines. */
export type FrontmatterSplit =
  | { kind: 'ok'; yaml: string; yamlLine: number; body: string; bodyLine: number }
  | { kind: 'missing'; hint: string }
  | { kind: 'unclosed' };

/**
 * Normalises what editors add (a UTF-8 BOM, CRLF line ends) so that files written on Windows parse
 * exactly like the rest; line numbers are unchanged by either.
 */
export function normaliseText(text: string): string {
  const noBom = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return noBom.includes('\r') ? noBom.replace(/\r\n?/g, '\n') : noBom;
}

/**
 * Expects normalised text (see `normaliseText`). The opening `---` must be the very first line.
 * Written with indexOf rather than regular expressions: this runs once per file on a cold start.
 */
export function splitFrontmatter(text: string): FrontmatterSplit {
  const start = fenceEnd(text, 0);
  if (start === -1) {
    // The usual near-miss: blank lines or a title before the `---`. Say where the block really is.
    const later = findFence(text, 0);
    const hint =
      later !== -1
        ? `Move the \`---\` block on line ${lineAt(text, later)} to the very top of the file.`
        : 'Start the file with a frontmatter block: a `---` line, `name: …` and `description: …`, then `---`.';
    return { kind: 'missing', hint };
  }
  const close = findFence(text, start);
  if (close === -1) return { kind: 'unclosed' };
  const afterClose = fenceEnd(text, close);
  return {
    kind: 'ok',
    yaml: text.slice(start, close),
    yamlLine: 2,
    body: text.slice(afterClose),
    bodyLine: lineAt(text, close) + 1,
  };
}

/** If a `---` line (trailing blanks allowed) starts at `at`, the offset just past its newline; else -1. */
function fenceEnd(text: string, at: number): number {
  if (!text.startsWith('---', at)) return -1;
  let i = at + 3;
  while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  if (i === text.length) return i;
  return text.charCodeAt(i) === 10 ? i + 1 : -1;
}

/** Offset of the first `---` line starting at or after `from` (which must be a line start). */
function findFence(text: string, from: number): number {
  for (let at = from; at < text.length; ) {
    if (fenceEnd(text, at) !== -1) return at;
    const nl = text.indexOf('\n', at);
    if (nl === -1) return -1;
    at = nl + 1;
  }
  return -1;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
