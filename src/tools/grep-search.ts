import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ToolExecutionError } from '../errors/index.ts';

/** One Grep request, after confinement and defaults: what both search engines receive. */
export interface GrepQuery {
  /** Files the permission policy hides (secrets, `Read(…)` deny rules): never searched or shown. */
  hidden?: (absolutePath: string) => boolean;
  pattern: string;
  /** Real absolute path of the directory (or single file) searched. */
  root: string;
  rootIsFile: boolean;
  glob?: string;
  /** A file type name (`ts`, `py`, …); see FILE_TYPES. */
  type?: string;
  caseInsensitive: boolean;
  multiline: boolean;
  mode: GrepOutputMode;
  /** Context lines (content mode only). */
  before: number;
  after: number;
}

export type GrepOutputMode = 'content' | 'files_with_matches' | 'count';

export interface HitLine {
  number: number;
  text: string;
  /** False for a context line. */
  match: boolean;
}

export interface FileHits {
  /** Absolute path. */
  path: string;
  /** Sorted by line number, each line once. */
  lines: HitLine[];
}

/** Files larger than this are skipped by both engines (ripgrep's `--max-filesize 20M`). */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;
export const RG_MAX_FILESIZE = '20M';
/** Characters of one matching line shown in content mode (ripgrep's --max-columns, as Claude Code sets it). */
export const MAX_COLUMNS = 500;

/**
 * File types for `type`, the same table for both engines (ripgrep gets it through --type-add), so a
 * type means the same thing whichever engine runs and whatever ripgrep version is installed.
 * Globs match the file name. Taken from ripgrep's defaults.
 */
export const FILE_TYPES: Readonly<Record<string, readonly string[]>> = {
  c: ['*.[chH]', '*.[chH].in', '*.cats'],
  cpp: [
    '*.[ChH]',
    '*.[ChH].in',
    '*.[ch]pp',
    '*.[ch]pp.in',
    '*.[ch]xx',
    '*.[ch]xx.in',
    '*.cc',
    '*.cc.in',
    '*.hh',
    '*.inl',
  ],
  cs: ['*.cs'],
  csharp: ['*.cs'],
  css: ['*.css', '*.scss'],
  docker: ['*Dockerfile*'],
  go: ['*.go'],
  html: ['*.ejs', '*.htm', '*.html'],
  java: ['*.java', '*.jsp', '*.jspx', '*.properties'],
  js: ['*.js', '*.jsx', '*.vue', '*.cjs', '*.mjs'],
  json: ['*.json', 'composer.lock'],
  kotlin: ['*.kt', '*.kts'],
  lua: ['*.lua'],
  make: ['*.mak', '*.mk', '[Gg][Nn][Uu]makefile', '[Mm]akefile', '[Mm]akefile.am', '[Mm]akefile.in'],
  markdown: ['*.markdown', '*.md', '*.mdown', '*.mkdn', '*.mdx'],
  md: ['*.markdown', '*.md', '*.mdown', '*.mkdn', '*.mdx'],
  php: ['*.php', '*.php3', '*.php4', '*.php5', '*.phtml'],
  py: ['*.py', '*.pyi'],
  python: ['*.py', '*.pyi'],
  ruby: ['*.gemspec', '*.rb', '*.rbw', '.irbrc', 'Gemfile', 'Rakefile', 'config.ru'],
  rust: ['*.rs'],
  scala: ['*.sbt', '*.scala'],
  sh: ['*.bash', '*.bashrc', '*.sh', '*.zsh', '*.ksh', '.bash_profile', '.bashrc', '.profile', '.zshrc'],
  sql: ['*.psql', '*.sql'],
  svelte: ['*.svelte'],
  swift: ['*.swift'],
  toml: ['*.toml', 'Cargo.lock'],
  ts: ['*.ts', '*.tsx', '*.cts', '*.mts'],
  txt: ['*.txt'],
  vue: ['*.vue'],
  xml: ['*.dtd', '*.xml', '*.xsd', '*.xsl', '*.xslt', '*.xhtml'],
  yaml: ['*.yaml', '*.yml'],
};

export const INVALID_REGEX_HINT =
  'Grep takes a regular expression: escape special characters like ( ) [ ] { } . * + ? with a backslash to match them literally.';

export function unknownTypeError(type: string): ToolExecutionError {
  return new ToolExecutionError(
    `Unknown file type '${type}'. Known types: ${Object.keys(FILE_TYPES).join(', ')}.`,
    'Use one of the known types, or filter with glob (for example "*.ext") instead.',
  );
}

/**
 * A file-name test for a known `type` (undefined for types not in FILE_TYPES). Both engines filter
 * with it, so `glob` and `type` together mean files matching both: ripgrep alone would let a
 * `--glob` match override `--type`. `*` matches a leading dot too, as in ripgrep.
 */
export function fileTypeMatcher(type: string): ((fileName: string) => boolean) | undefined {
  const globs = FILE_TYPES[type];
  if (!globs) return undefined;
  const regexes = globs.map((glob) => {
    const source = glob
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    return new RegExp(`^${source}$`);
  });
  return (fileName) => regexes.some((regex) => regex.test(fileName));
}

/**
 * Collects files in path order and says when enough is collected for the result to be full, so a
 * pattern matching half a huge repository costs no more than what is shown. Both engines feed it
 * whole files in the same order, so they stop at the same place.
 */
export class HitCollector {
  readonly files: FileHits[] = [];
  private lines = 0;
  private chars = 0;
  private readonly maxLines: number;
  private readonly maxChars: number;

  constructor(maxLines: number, maxChars: number) {
    this.maxLines = maxLines;
    this.maxChars = maxChars;
  }

  get full(): boolean {
    return this.lines > this.maxLines || this.chars > this.maxChars;
  }

  /** Adds one file's hits; returns false once enough has been collected. */
  add(file: FileHits): boolean {
    if (file.lines.length === 0) return !this.full;
    this.files.push(file);
    this.lines += file.lines.length;
    for (const line of file.lines)
      this.chars += file.path.length + Math.min(line.text.length, MAX_COLUMNS) + 8;
    return !this.full;
  }
}

/** Orders paths directory by directory, file name by file name: ripgrep's `--sort path`. */
export function comparePaths(a: string, b: string): number {
  const as = a.split(path.sep);
  const bs = b.split(path.sep);
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    if (as[i] !== bs[i]) return as[i]! < bs[i]! ? -1 : 1;
  }
  return as.length - bs.length;
}

export interface FormatOptions {
  lineNumbers: boolean;
  headLimit?: number;
  /** The engine stopped early (the collector was full): totals are lower bounds. */
  incomplete?: boolean;
}

/** Renders the hits in ripgrep's output layout, identically whichever engine found them. */
export async function formatHits(
  files: FileHits[],
  query: GrepQuery,
  options: FormatOptions,
): Promise<string> {
  if (files.length === 0) return query.mode === 'content' ? 'No matches found' : 'No files found';
  if (query.mode === 'files_with_matches') {
    const withTimes = await Promise.all(
      files.map(async (f) => ({
        path: f.path,
        mtimeMs: (await stat(f.path).catch(() => undefined))?.mtimeMs ?? 0,
      })),
    );
    withTimes.sort((a, b) => b.mtimeMs - a.mtimeMs || comparePaths(a.path, b.path));
    const { shown, note } = applyHeadLimit(
      withTimes.map((f) => f.path),
      options.headLimit,
    );
    return `Found ${files.length} file${files.length === 1 ? '' : 's'}\n${shown.join('\n')}${note}`;
  }
  const sorted = [...files].sort((a, b) => comparePaths(a.path, b.path));
  if (query.mode === 'count') {
    const counts = sorted.map((f) => ({ path: f.path, count: f.lines.filter((l) => l.match).length }));
    const total = counts.reduce((sum, c) => sum + c.count, 0);
    const { shown, note } = applyHeadLimit(
      counts.map((c) => `${c.path}:${c.count}`),
      options.headLimit,
    );
    const summary = `\n\nFound ${total} matching line${total === 1 ? '' : 's'} across ${counts.length} file${counts.length === 1 ? '' : 's'}.`;
    return `${shown.join('\n')}${note}${summary}`;
  }
  const withContext = query.before > 0 || query.after > 0;
  const out: string[] = [];
  for (const file of sorted) {
    let previous: number | undefined;
    for (const line of file.lines) {
      if (withContext && out.length > 0 && previous !== line.number - 1) out.push('--');
      previous = line.number;
      const sep = line.match ? ':' : '-';
      const text =
        line.text.length > MAX_COLUMNS ? `${line.text.slice(0, MAX_COLUMNS)}… [line truncated]` : line.text;
      out.push(
        options.lineNumbers ? `${file.path}${sep}${line.number}${sep}${text}` : `${file.path}${sep}${text}`,
      );
    }
  }
  const { shown, note } = applyHeadLimit(out, options.headLimit, options.incomplete);
  return `${shown.join('\n')}${note}`;
}

function applyHeadLimit(
  lines: string[],
  headLimit: number | undefined,
  incomplete = false,
): { shown: string[]; note: string } {
  if (!headLimit || lines.length <= headLimit) return { shown: lines, note: '' };
  const total = incomplete ? `more than ${lines.length}` : `${lines.length}`;
  return {
    shown: lines.slice(0, headLimit),
    note: `\n(Showing the first ${headLimit} of ${total} entries: head_limit=${headLimit}.)`,
  };
}

/** Splits a file's text into lines the way ripgrep numbers them (a final newline ends the last line). */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
