import { mkdirSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { neutralisedNotice, originalWhere, truncatedNotice } from './output-guard.description.ts';
import { type NeutralisedFinding, type NeutralisedKind, neutralise } from './output-neutralise.ts';

export type { NeutralisedFinding, NeutralisedKind };

/** What the guard did to a task's output; present on a TaskResult only when it changed something. */
export interface OutputGuardReport {
  /** Which kinds of instruction-shaped text were neutralised, how often, with examples. */
  neutralised: NeutralisedFinding[];
  /** Characters of the output as the subagent wrote it. */
  originalChars: number;
  /** Whether the output was cut to the size limit. */
  truncated: boolean;
  /** Where the unmodified output was saved (a 0600 file), or why it could not be. */
  originalPath?: string;
  originalError?: string;
}

export interface OutputGuardOptions {
  /** Longer outputs are cut to this many characters (notices not counted). */
  maxChars: number;
  /** Keeps the unmodified text when the guard changes it; returns where, or throws. */
  saveOriginal?: (text: string) => string;
}

const KIND_LABELS: Record<NeutralisedKind, [string, string]> = {
  invisible: ['invisible or control character removed', 'invisible or control characters removed'],
  marker: ['fake system/tool marker', 'fake system/tool markers'],
  role: ['role-play turn', 'role-play turns'],
  override: ['permission-mode or override phrase', 'permission-mode or override phrases'],
};

function summary(findings: readonly NeutralisedFinding[]): string {
  return findings
    .map((f) => {
      const [one, many] = KIND_LABELS[f.kind];
      const examples = f.examples.length === 0 ? '' : ` e.g. ${f.examples.map((e) => `"${e}"`).join(', ')}`;
      return `${f.count} ${f.count === 1 ? one : many}${examples}`;
    })
    .join('; ');
}

/**
 * The output a subagent hands its caller, made safe to put in front of the parent model: cut to
 * `maxChars` first (so the scan's cost is bounded whatever the subagent wrote), then neutralised
 * (see output-neutralise.ts). Whenever the text changes, the original is saved and its place named
 * in the text itself, so the parent, a person and the run record all see where the full text is.
 */
export function guardOutput(
  text: string,
  options: OutputGuardOptions,
): { text: string; report?: OutputGuardReport } {
  const truncated = text.length > options.maxChars;
  const kept = truncated ? cutAt(text, options.maxChars) : text;
  const { text: safe, findings } = neutralise(kept);
  if (!truncated && findings.length === 0) return { text };
  let save: { path: string } | { error: string } | undefined;
  if (options.saveOriginal) {
    try {
      save = { path: options.saveOriginal(text) };
    } catch (error) {
      save = { error: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
    }
  }
  const where = originalWhere(save);
  let out = safe;
  if (findings.length > 0) out = `${neutralisedNotice(summary(findings), where)}\n\n${out}`;
  if (truncated) out = `${out}\n\n${truncatedNotice(kept.length, text.length, where)}`;
  return {
    text: out,
    report: {
      neutralised: findings,
      originalChars: text.length,
      truncated,
      ...(save && 'path' in save ? { originalPath: save.path } : {}),
      ...(save && 'error' in save ? { originalError: save.error } : {}),
    },
  };
}

/** Never splits a surrogate pair. */
function cutAt(text: string, max: number): string {
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/**
 * Saves originals as `<dir>/<taskId>.txt`, readable by the user alone: outputs can hold whatever
 * the subagent read (code, logs, secrets it should not have printed). The first save of a saver
 * deletes originals older than `retentionMs`, so they last about as long as the run records.
 */
export function originalsSaver(dir: string, retentionMs: number): (taskId: string, text: string) => string {
  let pruned = false;
  return (taskId, text) => {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!pruned) {
      pruned = true;
      pruneOriginals(dir, Date.now() - retentionMs);
    }
    const path = join(dir, `${taskId.replace(/[^\w-]/g, '_')}.txt`);
    writeFileSync(path, text, { mode: 0o600, flag: 'w' });
    return path;
  };
}

function pruneOriginals(dir: string, cutoffMs: number): void {
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.txt')) continue;
    const path = join(dir, name);
    try {
      if (statSync(path).mtimeMs < cutoffMs) unlinkSync(path);
    } catch {
      // Gone already (another process pruning), or not ours to delete: neither stops a save.
    }
  }
}
