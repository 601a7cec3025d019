import { createHash } from 'node:crypto';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { worktreesDir } from './repository.ts';

/** What codex-task keeps about a worktree it made, beside it: `<id>.json` next to the `<id>/` directory. */
export interface WorktreeRecord {
  /** The task it was made for: the directory's name and the branch's last part. */
  taskId: string;
  /** The worktree's top directory (real path). */
  path: string;
  /** `codex-task/<taskId>`. */
  branch: string;
  /** The commit it started from: the HEAD of the checkout it was made from, then. */
  base: string;
  /** The top of the checkout it was made from. */
  checkout: string;
  /** When it was made (ISO 8601). */
  created: string;
  agentType?: string;
  description?: string;
}

const recordSchema = z.object({
  taskId: z.string().min(1),
  path: z.string().min(1),
  branch: z.string().min(1),
  base: z.string().regex(/^[0-9a-f]{40,64}$/),
  checkout: z.string().min(1),
  created: z.string(),
  agentType: z.string().optional(),
  description: z.string().optional(),
});

/** A task id as a directory and branch name: itself when it is a plain word, else a digest of it. */
export function worktreeName(taskId: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(taskId)
    ? taskId
    : createHash('sha256').update(taskId).digest('hex').slice(0, 16);
}

export const BRANCH_PREFIX = 'codex-task/';

/** The records of the worktrees codex-task made in this repository, oldest first; unreadable ones skipped. */
export function readRecords(commonDir: string): WorktreeRecord[] {
  const dir = worktreesDir(commonDir);
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  const records: WorktreeRecord[] = [];
  for (const name of names) {
    try {
      const parsed = recordSchema.safeParse(JSON.parse(readFileSync(join(dir, name), 'utf8')));
      if (parsed.success && `${worktreeName(parsed.data.taskId)}.json` === name && isOurs(dir, parsed.data))
        records.push(parsed.data);
    } catch {
      // half-written or removed meanwhile: not one of ours to show
    }
  }
  return records.sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : 0));
}

/**
 * A record describes a worktree we made only if its directory is ours and its branch is ours: the
 * files live in `.git`, which a repository received whole (an archive, a shared folder) brings with
 * it, so a record naming another directory or branch must never lead `remove` to delete them.
 */
function isOurs(dir: string, record: WorktreeRecord): boolean {
  const name = worktreeName(record.taskId);
  if (record.branch !== `${BRANCH_PREFIX}${name}`) return false;
  const path = resolve(record.path);
  if (path === resolve(dir, name)) return true;
  try {
    return path === join(realpathSync(dir), name);
  } catch {
    return false;
  }
}

export function writeRecord(commonDir: string, record: WorktreeRecord): void {
  const dir = worktreesDir(commonDir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${worktreeName(record.taskId)}.json`);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

export function deleteRecord(commonDir: string, record: WorktreeRecord): void {
  rmSync(join(worktreesDir(commonDir), `${worktreeName(record.taskId)}.json`), { force: true });
}
