import {
  AmbiguousTaskIdError,
  RECORD_STATUSES,
  type RecordStatus,
  RunStore,
  type TaskRecord,
} from '../store/index.ts';
import { EXIT } from './exit-codes.ts';
import { usageError } from './output.ts';
import { formatCandidate, formatList, formatTranscript } from './runs-format.ts';
import { patchOf } from './workspace-report.ts';

export interface StoreFlags {
  db?: string;
}

const STATUSES: readonly RecordStatus[] = RECORD_STATUSES;
const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `30m`, `2h`, `7d` (ago) or a date/time; undefined when it is neither. */
export function parseSince(value: string, now = Date.now()): number | undefined {
  const relative = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(value.trim());
  if (relative) return now - Number(relative[1]) * UNITS[relative[2]!.toLowerCase()]!;
  const absolute = Date.parse(value);
  return Number.isNaN(absolute) ? undefined : absolute;
}

export function openStore(flags: StoreFlags): RunStore {
  const store = new RunStore(flags.db ? { path: flags.db } : {});
  // Tasks of processes that died are shown as what they are.
  store.markInterrupted();
  return store;
}

/** A task by id or unique prefix; prints the problem and returns an exit code when there is none. */
export function findTask(store: RunStore, id: string): TaskRecord | number {
  try {
    const record = store.find(id);
    if (record) return record;
    usageError(`No task '${id}' in ${store.path}`, 'List the recorded tasks with `codex-task runs list`.');
    return EXIT.failed;
  } catch (error) {
    if (error instanceof AmbiguousTaskIdError) {
      const shown = error.candidates.map((r) => `  ${formatCandidate(r)}`);
      if (error.total > shown.length) shown.push(`  … and ${error.total - shown.length} more`);
      usageError(`${error.message}:\n${shown.join('\n')}`, 'Give more characters of the id.');
      return EXIT.usage;
    }
    throw error;
  }
}

export function runsList(
  flags: StoreFlags & { status?: string; agent?: string; since?: string; limit?: string; json?: boolean },
): number {
  if (flags.status && !STATUSES.includes(flags.status as RecordStatus)) {
    usageError(`Unknown status '${flags.status}'`, `Use one of: ${STATUSES.join(', ')}.`);
    return EXIT.usage;
  }
  const since = flags.since === undefined ? undefined : parseSince(flags.since);
  if (flags.since !== undefined && since === undefined) {
    usageError(
      `Cannot read --since '${flags.since}'`,
      'Use a duration ago (30m, 2h, 7d) or a date (2025-01-31T09:00).',
    );
    return EXIT.usage;
  }
  const limit = flags.limit === undefined ? 50 : Number(flags.limit);
  if (!Number.isInteger(limit) || limit < 1) {
    usageError(`--limit must be a positive whole number, not '${flags.limit}'`, 'For example --limit 20.');
    return EXIT.usage;
  }
  const store = openStore(flags);
  try {
    const records = store.list({
      ...(flags.status ? { status: flags.status as RecordStatus } : {}),
      ...(flags.agent ? { agent: flags.agent } : {}),
      ...(since !== undefined ? { since } : {}),
      limit,
    });
    if (flags.json) process.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
    else if (records.length === 0) process.stderr.write(`No recorded tasks match (store: ${store.path}).\n`);
    else process.stdout.write(`${formatList(records)}\n`);
    return EXIT.ok;
  } finally {
    store.close();
  }
}

export function runsShow(id: string, flags: StoreFlags & { json?: boolean; patch?: boolean }): number {
  const store = openStore(flags);
  try {
    const record = findTask(store, id);
    if (typeof record === 'number') return record;
    if (flags.patch) {
      // Only the patch on stdout, so it pipes into `git apply`.
      const found = patchOf(record.id, record.workspace);
      if ('problem' in found) {
        usageError(found.problem, found.hint);
        return EXIT.failed;
      }
      if (found.warning) process.stderr.write(`${found.warning}\n`);
      process.stdout.write(found.patch);
      return EXIT.ok;
    }
    const steps = store.steps(record.id);
    const children = store.children(record.id);
    if (flags.json) process.stdout.write(`${JSON.stringify({ task: record, steps, children }, null, 2)}\n`);
    else process.stdout.write(`${formatTranscript(record, steps, children)}\n`);
    return EXIT.ok;
  } finally {
    store.close();
  }
}

/** One JSON object a line: the task, its steps, then each subagent's task and steps (depth first). */
export function runsExport(id: string, flags: StoreFlags): number {
  const store = openStore(flags);
  try {
    const root = findTask(store, id);
    if (typeof root === 'number') return root;
    const write = (record: TaskRecord) => {
      process.stdout.write(`${JSON.stringify({ type: 'task', ...record })}\n`);
      for (const step of store.steps(record.id))
        process.stdout.write(`${JSON.stringify({ type: 'step', ...step })}\n`);
      for (const child of store.children(record.id)) write(child);
    };
    write(root);
    return EXIT.ok;
  } finally {
    store.close();
  }
}
