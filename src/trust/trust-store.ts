import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The user's trust decisions, in user-level state a repository (and a subagent: all of
 * `~/.codex-task` is on the secret list and read-only in the sandbox) cannot write:
 * `~/.codex-task/trust.json`. Each entry binds one trust-gated item of a workspace (a `.mcp.json`,
 * an agent file's `mcpServers`, a project config's gated keys, a settings file's allow rules) to the
 * digest of its content when the user trusted it: a later change to it is untrusted again.
 */
export interface TrustRecord {
  /** `kind` of the item (see TrustKind). */
  kind: string;
  /** Absolute path of the file the item is in. */
  file: string;
  /** sha256 of the item's content when it was trusted. */
  digest: string;
  /** Per server, the workspace files it ran and their digests when trusted (see TrustItem.runs). */
  runs?: Record<string, Record<string, string>>;
  trustedAt: string;
}

interface TrustFile {
  version: 1;
  items: TrustRecord[];
}

export function trustFilePath(homeDir: string): string {
  return join(homeDir, '.codex-task', 'trust.json');
}

const cache = new Map<string, { mtimeMs: number; size: number; records: TrustRecord[] }>();

/** The recorded items (empty when there is no file). A damaged file trusts nothing and says why. */
export function readTrustRecords(homeDir: string): TrustRecord[] {
  const path = trustFilePath(homeDir);
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return [];
  const hit = cache.get(path);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.records;
  let records: TrustRecord[] = [];
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<TrustFile>;
    if (Array.isArray(parsed.items))
      records = parsed.items
        .filter(
          (r): r is TrustRecord =>
            typeof r?.kind === 'string' && typeof r.file === 'string' && typeof r.digest === 'string',
        )
        .map((r) => (r.runs === undefined || isRuns(r.runs) ? r : { ...r, runs: {} }));
  } catch {
    process.emitWarning(`${path} is not valid JSON: no workspace is trusted until it is fixed or removed`);
  }
  cache.set(path, { mtimeMs: st.mtimeMs, size: st.size, records });
  return records;
}

/** A hand-edited or damaged `runs` is read as none: every server that runs a workspace file asks again. */
function isRuns(value: unknown): value is Record<string, Record<string, string>> {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  return (
    isObject(value) &&
    Object.values(value).every(
      (files) => isObject(files) && Object.values(files).every((d) => typeof d === 'string'),
    )
  );
}

/** Replaces the records of the given files with `records` (atomically: a crash keeps the old file). */
export function writeTrustRecords(
  homeDir: string,
  update: (records: TrustRecord[]) => TrustRecord[],
): TrustRecord[] {
  const path = trustFilePath(homeDir);
  const next = update([...readTrustRecords(homeDir)]);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ version: 1, items: next } satisfies TrustFile, null, 2)}\n`, {
    mode: 0o600,
  });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
  cache.delete(path);
  return next;
}
