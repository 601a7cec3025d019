import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { ToolExecutionError } from '../errors/index.ts';
import { looksBinary, SKIPPED_DIRECTORY_GLOBS } from './fs-utils.ts';
import {
  comparePaths,
  fileTypeMatcher,
  type GrepQuery,
  type HitCollector,
  type HitLine,
  INVALID_REGEX_HINT,
  MAX_FILE_BYTES,
  splitLines,
  unknownTypeError,
} from './grep-search.ts';

const READ_AHEAD = 32;

/**
 * The search engine used when ripgrep is not installed: the same file selection (hidden files
 * included, .git and node_modules skipped, symlinks not followed, binary and >20 MB files skipped,
 * `glob` with ripgrep's gitignore-style anchoring) and the same line semantics.
 */
export async function searchWithJs(
  query: GrepQuery,
  collector: HitCollector,
  signal: AbortSignal,
): Promise<void> {
  const regex = compileRegex(query.pattern, query);
  const listed = query.rootIsFile ? [query.root] : await listFiles(query, signal);
  const files = query.hidden ? listed.filter((file) => !query.hidden!(file)) : listed;
  for (let i = 0; i < files.length; i += READ_AHEAD) {
    signal.throwIfAborted();
    const batch = await Promise.all(files.slice(i, i + READ_AHEAD).map((file) => readSearchable(file)));
    for (const [j, text] of batch.entries()) {
      if (text === undefined) continue;
      const lines = searchText(text, regex, query);
      if (lines.length > 0 && !collector.add({ path: files[i + j]!, lines })) return;
    }
  }
}

async function listFiles(query: GrepQuery, signal: AbortSignal): Promise<string[]> {
  const options = {
    cwd: query.root,
    dot: true,
    followSymbolicLinks: false,
    expandDirectories: false,
    signal,
  };
  const userGlob = query.glob?.trim();
  const negated = userGlob?.startsWith('!') ? anchor(userGlob.slice(1)) : undefined;
  const include = userGlob && !negated ? [anchor(userGlob)] : ['**/*'];
  const ignore = negated ? [...SKIPPED_DIRECTORY_GLOBS, negated, `${negated}/**`] : SKIPPED_DIRECTORY_GLOBS;
  let files = await glob(include, { ...options, ignore });
  if (query.type !== undefined) {
    const matches = fileTypeMatcher(query.type);
    if (!matches) throw unknownTypeError(query.type);
    files = files.filter((file) => matches(path.basename(file)));
  }
  return files.sort(comparePaths).map((file) => path.join(query.root, file));
}

/** ripgrep's --glob anchoring: a pattern with a slash is relative to the search root, one without matches at any depth. */
function anchor(pattern: string): string {
  if (pattern.startsWith('/')) return pattern.slice(1);
  return pattern.replace(/\/$/, '').includes('/') ? pattern : `**/${pattern}`;
}

async function readSearchable(file: string): Promise<string | undefined> {
  try {
    const stats = await stat(file);
    if (!stats.isFile() || stats.size > MAX_FILE_BYTES) return undefined;
    const bytes = await readFile(file);
    if (looksBinary(bytes)) return undefined;
    const text = bytes.toString('utf8');
    return text.startsWith('\uFEFF') ? text.slice(1) : text;
  } catch {
    return undefined; // unreadable or removed meanwhile: ripgrep skips those too
  }
}

/**
 * Translates a ripgrep (Rust regex) pattern to a JavaScript RegExp. Leading inline flags like
 * `(?i)` become RegExp flags. Unicode mode is tried first (for `\p{…}`), then plain mode, because
 * Rust accepts escapes like `\-` that Unicode-mode JavaScript rejects.
 */
export function compileRegex(
  pattern: string,
  query: Pick<GrepQuery, 'caseInsensitive' | 'multiline'>,
): RegExp {
  let source = pattern;
  let flags = query.caseInsensitive ? 'i' : '';
  const inline = /^\(\?([ims]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    for (const f of inline[1]!) if (!flags.includes(f)) flags += f;
  }
  // Multiline searches run over the whole text (^/$ at line boundaries, . across newlines); other
  // searches run line by line, where ^ and $ are the line's own ends, as in ripgrep.
  if (query.multiline) flags = `${flags.replace(/[ms]/g, '')}gms`;
  else flags = flags.replace('m', '');
  try {
    return new RegExp(source, `${flags}u`);
  } catch {
    try {
      return new RegExp(source, flags);
    } catch (error) {
      throw new ToolExecutionError(
        `Invalid regular expression '${pattern}': ${(error as Error).message}`,
        INVALID_REGEX_HINT,
      );
    }
  }
}

export function searchText(text: string, regex: RegExp, query: GrepQuery): HitLine[] {
  const lines = splitLines(text);
  const matched = query.multiline ? multilineMatches(text, regex) : lineMatches(lines, regex, query);
  if (matched.size === 0) return [];
  const wanted = new Map<number, boolean>();
  for (const n of matched) {
    for (let c = Math.max(1, n - query.before); c <= Math.min(lines.length, n + query.after); c++) {
      if (!wanted.has(c)) wanted.set(c, false);
    }
    wanted.set(n, true);
  }
  return [...wanted.entries()]
    .filter(([n]) => n <= lines.length)
    .sort((a, b) => a[0] - b[0])
    .map(([n, match]) => ({ number: n, text: lines[n - 1]!.replace(/\r$/, ''), match }));
}

function lineMatches(lines: string[], regex: RegExp, query: GrepQuery): Set<number> {
  const matched = new Set<number>();
  const stopAtFirst = query.mode === 'files_with_matches';
  for (let i = 0; i < lines.length; i++) {
    if (regex.test(lines[i]!)) {
      matched.add(i + 1);
      if (stopAtFirst) break;
    }
  }
  return matched;
}

function multilineMatches(text: string, regex: RegExp): Set<number> {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const lineOf = (offset: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const matched = new Set<number>();
  regex.lastIndex = 0;
  for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
    const first = lineOf(m.index);
    const last = lineOf(m.index + Math.max(0, m[0].length - 1));
    for (let n = first; n <= last; n++) matched.add(n);
    if (m[0].length === 0) regex.lastIndex++;
  }
  return matched;
}
