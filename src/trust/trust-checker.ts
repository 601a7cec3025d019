import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
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
}

export type TrustVerdict =
  | { trusted: true; how: 'recorded' | 'opt-in' }
  | { trusted: false; reason: 'never-trusted' | 'changed' };

export interface TrustChecker {
  /** True when the run opted in to trusting its workspace (CODEX_TASK_TRUST_WORKSPACE=1, `--trust-workspace`). */
  readonly optIn: boolean;
  verdict(item: Pick<TrustItem, 'kind' | 'file' | 'digest'>): TrustVerdict;
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
      if (records.some((r) => r.digest === item.digest)) return { trusted: true, how: 'recorded' };
      return { trusted: false, reason: records.length > 0 ? 'changed' : 'never-trusted' };
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
    verdict.reason === 'changed'
      ? 'it changed since you trusted this workspace'
      : 'this workspace is not trusted';
  return `codex-task: skipped ${what} from ${item.file}: ${why}. Review it, then run \`codex-task trust ${quoteArg(dir)}\` (or set ${TRUST_WORKSPACE_ENV}=1 for one run).`;
}

/** The workspace directory an item's file belongs to (`<dir>/.mcp.json`, `<dir>/.claude/…`, `<dir>/.codex-task/…`). */
export function workspaceDirOf(file: string): string {
  const marker = /[/\\]\.(claude|codex-task|codexplus)[/\\]/.exec(file);
  return marker ? file.slice(0, marker.index) || '/' : dirname(file);
}

function quoteArg(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}
