import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ToolExecutionError } from '../errors/index.ts';
import { findTrustedBinary } from '../sandbox/index.ts';
import {
  FILE_TYPES,
  type FileHits,
  fileTypeMatcher,
  type GrepQuery,
  type HitCollector,
  RG_MAX_FILESIZE,
  unknownTypeError,
} from './grep-search.ts';

export type RipgrepOutcome =
  | { status: 'done' }
  | { status: 'unavailable' }
  | { status: 'regex-error'; message: string };

const STDERR_LIMIT = 4096;
const TYPE_NAME = 'codextask';

/** ripgrep's arguments for a query: an array for spawn, never a shell string. */
export function ripgrepArgs(query: GrepQuery): string[] {
  const args = ['--no-config', '--json', '--hidden', '--no-ignore', '--max-filesize', RG_MAX_FILESIZE];
  if (query.glob) args.push('--glob', query.glob);
  args.push('--glob', '!.git', '--glob', '!node_modules');
  if (query.type !== undefined) {
    const globs = FILE_TYPES[query.type];
    if (!globs)
      args.push('--type', query.type); // ripgrep knows more types than our table; it errors on unknown ones
    else if (!query.glob || query.glob.startsWith('!')) {
      // With a positive --glob, ripgrep would ignore --type for files the glob matches: the type is
      // then applied to ripgrep's results instead (fileTypeMatcher), so both filters hold.
      for (const g of globs) args.push('--type-add', `${TYPE_NAME}:${g}`);
      args.push('--type', TYPE_NAME);
    }
  }
  if (query.caseInsensitive) args.push('--ignore-case');
  if (query.multiline) args.push('--multiline', '--multiline-dotall');
  if (query.mode === 'content') {
    args.push('--sort', 'path');
    if (query.after > 0) args.push('--after-context', String(query.after));
    if (query.before > 0) args.push('--before-context', String(query.before));
  }
  if (query.mode === 'files_with_matches') args.push('--max-count', '1');
  args.push('--regexp', query.pattern, '--', query.rootIsFile ? path.basename(query.root) : './');
  return args;
}

interface RgText {
  text?: string;
  bytes?: string;
}
interface RgEvent {
  type: string;
  data: { path?: RgText; lines?: RgText; line_number?: number; binary_offset?: number | null };
}

/**
 * Runs ripgrep with --json and feeds whole files to the collector; kills ripgrep as soon as the
 * collector is full or the task is cancelled. Reports 'unavailable' when there is no `rg` the host
 * may run: ripgrep runs outside the sandbox, so never one from the workspace or a `node_modules/.bin`
 * on PATH, where a sandboxed command could have put a fake (see findTrustedBinary).
 */
export function searchWithRipgrep(
  query: GrepQuery,
  collector: HitCollector,
  signal: AbortSignal,
  explicitCommand?: string,
): Promise<RipgrepOutcome> {
  const cwd = query.rootIsFile ? path.dirname(query.root) : query.root;
  const command = explicitCommand ?? findTrustedBinary('rg', { untrusted: [cwd] });
  if (!command) return Promise.resolve({ status: 'unavailable' });
  const typeMatches = query.type !== undefined && !query.rootIsFile ? fileTypeMatcher(query.type) : undefined;
  return new Promise((resolve, reject) => {
    const child = spawn(command, ripgrepArgs(query), { cwd, stdio: ['ignore', 'pipe', 'pipe'], signal });
    let stderr = '';
    let stopped = false;
    let current: (FileHits & { byNumber: Map<number, boolean> }) | undefined;
    let settled = false;
    const finish = (outcome: RipgrepOutcome | Error): void => {
      if (settled) return;
      settled = true;
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };

    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < STDERR_LIMIT) stderr += chunk;
    });
    const lines = createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY });
    lines.on('line', (line) => {
      if (stopped) return;
      let event: RgEvent;
      try {
        event = JSON.parse(line) as RgEvent;
      } catch (error) {
        stopped = true;
        child.kill('SIGTERM');
        return finish(new Error(`Unexpected output from ripgrep: ${line.slice(0, 200)}`, { cause: error }));
      }
      const file = event.data.path ? path.join(cwd, decode(event.data.path)) : undefined;
      if (event.type === 'begin' && file) current = { path: file, lines: [], byNumber: new Map() };
      else if ((event.type === 'match' || event.type === 'context') && current && event.data.lines) {
        const texts = decode(event.data.lines).split('\n');
        if (texts.at(-1) === '') texts.pop();
        for (const [i, text] of texts.entries()) {
          const number = (event.data.line_number ?? 0) + i;
          const match = event.type === 'match' || current.byNumber.get(number) === true;
          current.byNumber.set(number, match);
          current.lines.push({ number, text: text.replace(/\r$/, ''), match });
        }
      } else if (event.type === 'end' && current) {
        // ripgrep reports matches found before the first NUL byte of a binary file; we skip the file.
        const { byNumber, ...hits } = current;
        current = undefined;
        if (event.data.binary_offset != null || query.hidden?.(hits.path)) return;
        if (typeMatches && !typeMatches(path.basename(hits.path))) return;
        hits.lines = dedupe(hits.lines, byNumber);
        if (!collector.add(hits)) {
          stopped = true;
          child.kill('SIGTERM');
        }
      }
    });

    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') finish({ status: 'unavailable' });
      else if (error.name === 'AbortError') finish(signal.reason instanceof Error ? signal.reason : error);
      else finish(error);
    });
    child.on('close', (code) => {
      if (stopped || code === 0 || code === 1) return finish({ status: 'done' });
      if (signal.aborted)
        return finish(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      if (/regex parse error|error parsing regex/i.test(stderr)) {
        return finish({ status: 'regex-error', message: stderr.trim() });
      }
      if (query.type !== undefined && /unrecognized file type/.test(stderr)) {
        return finish(unknownTypeError(query.type));
      }
      if (collector.files.length > 0) return finish({ status: 'done' }); // some files unreadable
      finish(new ToolExecutionError(`ripgrep failed (exit code ${code}): ${stderr.trim()}`));
    });
  });
}

function decode(value: RgText): string {
  return value.text ?? Buffer.from(value.bytes ?? '', 'base64').toString('utf8');
}

/** Keeps one entry per line number (a line can be reported as context and later as a match). */
function dedupe(lines: FileHits['lines'], byNumber: Map<number, boolean>): FileHits['lines'] {
  const seen = new Set<number>();
  const out: FileHits['lines'] = [];
  for (const line of [...lines].sort((a, b) => a.number - b.number)) {
    if (seen.has(line.number)) continue;
    seen.add(line.number);
    out.push({ ...line, match: byNumber.get(line.number) ?? line.match });
  }
  return out;
}
