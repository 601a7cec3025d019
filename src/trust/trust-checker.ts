import { createHash } from 'node:crypto';
import { dirname, isAbsolute, relative } from 'node:path';
import { shownWord } from './shown-word.ts';
import { readTrustRecords } from './trust-store.ts';

/**
 * What a repository can hand codex-task that runs a program, chooses where credentials go or
 * loosens a rule — honoured only in a workspace the user trusted:
 * - `mcp-json`: a project `.mcp.json` (its servers run on the host, outside the sandbox);
 * - `agent-mcp-servers`: a project agent file's inline `mcpServers`;
 * - `project-config`: a project `.codex-task/config.json`'s gated keys (provider URLs, prices, proxy upstream…);
 * - `settings-allow`: a project `.claude/settings*.json`'s allow rules (they can lift the protection of
 *   control files and private hosts; untrusted, they still narrow what is allowed).
 */
export type TrustKind = 'mcp-json' | 'agent-mcp-servers' | 'project-config' | 'settings-allow';

/** One trust-gated item as found now: its file and the digest of its content. */
export interface TrustItem {
  kind: TrustKind;
  file: string;
  digest: string;
  /** What trusting it lets happen, in a few words per entry (for `codex-task trust` and notices). */
  summary: string[];
  /**
   * For items that start programs: per server, the workspace files it runs with their digests (see
   * `commandFiles`). Trust holds for a server only while these are as they were when trusted.
   */
  runs?: Record<string, Record<string, string>>;
}

export type TrustVerdict =
  | { trusted: true; how: 'recorded' | 'opt-in' }
  | { trusted: false; reason: 'never-trusted' }
  /** `files`: the workspace files the item runs that changed (absent: the item's own text changed). */
  | { trusted: false; reason: 'changed'; files?: string[] };

export interface TrustChecker {
  /** True when the run opted in to trusting its workspace (CODEX_TASK_TRUST_WORKSPACE=1, `--trust-workspace`). */
  readonly optIn: boolean;
  /** With `runs`, the files each server named there runs must be as trusted too (without: the text alone). */
  verdict(item: Pick<TrustItem, 'kind' | 'file' | 'digest' | 'runs'>): TrustVerdict;
}

/** The variable (set by `--trust-workspace`) with which a run, e.g. CI on its own repository, trusts its workspace. */
export const TRUST_WORKSPACE_ENV = 'CODEX_TASK_TRUST_WORKSPACE';

export const KIND_LABEL: Record<TrustKind, string> = {
  'mcp-json': 'MCP servers',
  'agent-mcp-servers': 'the agent’s own MCP servers',
  'project-config': 'settings only a trusted project may set',
  'settings-allow': 'allow rules',
};

/** sha256 of a value's canonical JSON (keys sorted), so formatting alone never asks for trust again. */
export function digestOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/** sha256 of a file's exact text. */
export function digestOfText(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Paths whose digest differs, or that were there and are gone, or are there and were not. */
function changedFiles(then: Record<string, string>, now: Record<string, string>): string[] {
  const paths = new Set([...Object.keys(then), ...Object.keys(now)]);
  return [...paths].filter((path) => then[path] !== now[path]);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The user's trust decisions (re-read when trust.json changes) and this run's opt-in. */
export function trustChecker(options: {
  homeDir: string;
  env?: Record<string, string | undefined>;
}): TrustChecker {
  const flag = options.env?.[TRUST_WORKSPACE_ENV]?.trim().toLowerCase();
  const optIn = flag === '1' || flag === 'true' || flag === 'yes';
  return {
    optIn,
    verdict(item) {
      if (optIn) return { trusted: true, how: 'opt-in' };
      const records = readTrustRecords(options.homeDir).filter(
        (r) => r.kind === item.kind && r.file === item.file,
      );
      const same = records.find((r) => r.digest === item.digest);
      if (!same)
        return records.length > 0
          ? { trusted: false, reason: 'changed' }
          : { trusted: false, reason: 'never-trusted' };
      const files = Object.entries(item.runs ?? {}).flatMap(([server, now]) =>
        changedFiles(same.runs?.[server] ?? {}, now),
      );
      return files.length === 0
        ? { trusted: true, how: 'recorded' }
        : { trusted: false, reason: 'changed', files: [...new Set(files)] };
    },
  };
}

/**
 * The one line said when an item is skipped: what, from where, why, and the exact command that
 * trusts it. `dir` is the directory to name in that command (the task's working directory).
 */
export function skippedNotice(
  item: Pick<TrustItem, 'kind' | 'file' | 'summary'>,
  verdict: Extract<TrustVerdict, { trusted: false }>,
  dir = workspaceDirOf(item.file),
): string {
  const what =
    item.summary.length > 0 ? `${KIND_LABEL[item.kind]} (${item.summary.join(', ')})` : KIND_LABEL[item.kind];
  const why =
    verdict.reason === 'never-trusted'
      ? 'this workspace is not trusted'
      : verdict.files
        ? `what it runs changed since you trusted this workspace (${verdict.files.map((f) => shownPath(f, dir)).join(', ')})`
        : 'it changed since you trusted this workspace';
  return `codex-task: skipped ${what} from ${item.file}: ${why}. Review it, then run \`codex-task trust ${shownWord(dir)}\` (or set ${TRUST_WORKSPACE_ENV}=1 for one run).`;
}

/** The workspace directory an item's file belongs to (`<dir>/.mcp.json`, `<dir>/.claude/…`, `<dir>/.codex-task/…`). */
export function workspaceDirOf(file: string): string {
  const marker = /[/\\]\.(claude|codex-task|codexplus)[/\\]/.exec(file);
  return marker ? file.slice(0, marker.index) || '/' : dirname(file);
}

/** `file` relative to `dir` when it is inside, else as it is. */
export function shownPath(file: string, dir: string): string {
  const rel = relative(dir, file);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}
