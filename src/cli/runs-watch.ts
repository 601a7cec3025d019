import { setTimeout as sleep } from 'node:timers/promises';
import { LIVE_STATUSES, type RunStore, type StepRecord, type TaskRecord } from '../store/index.ts';
import { EXIT, exitCodeOf } from './exit-codes.ts';
import { durationFlag } from './flags.ts';
import { note, printError, usageError } from './output.ts';
import { findTask, openStore, type StoreFlags } from './runs-actions.ts';
import { describeRecord, formatEnding, formatHeader, formatStep, formatTurnHeading } from './runs-format.ts';

/**
 * How often a waiting command reads the store. Another process's writes show on the next read;
 * a read of one record and its new steps costs well under a millisecond.
 */
const POLL_MS = 100;

export const isLive = (r: TaskRecord) => LIVE_STATUSES.includes(r.status);

/**
 * Reads the record until it has finished (then returns it), calling `onRead` after each read; undefined
 * when `signal` aborts or `deadline` (epoch ms) passes first. Each read marks the tasks of processes that
 * died `interrupted`, so a wait ends with the task's process: it is bounded by the task's own timeout.
 */
export async function untilFinished(
  store: RunStore,
  id: string,
  options: { signal: AbortSignal; deadline?: number | undefined; onRead?: (record: TaskRecord) => void },
): Promise<TaskRecord | undefined> {
  for (;;) {
    store.markInterrupted();
    const record = store.get(id);
    if (!record) throw new Error(`Task '${id}' is no longer in ${store.path} (deleted by retention?)`);
    options.onRead?.(record);
    if (!isLive(record)) return record;
    const left = options.deadline === undefined ? POLL_MS : options.deadline - Date.now();
    if (options.signal.aborted || left <= 0) return undefined;
    try {
      await sleep(Math.min(POLL_MS, left), undefined, { signal: options.signal });
    } catch {
      return undefined;
    }
  }
}

/** Ctrl-C while waiting or following: stop doing so (the task is another process's and goes on). */
export async function untilInterrupted<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort();
  process.on('SIGINT', onSigint);
  try {
    return await work(interrupt.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/**
 * A finished record as `run` prints its result: the answer (or, with `json`, the record) on
 * stdout, the summary on stderr; the exit code of its outcome.
 */
export function printOutcome(record: TaskRecord, json: boolean | undefined): number {
  const completed = record.status === 'completed';
  if (json) process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);
  else if (completed) process.stdout.write(`${record.content ?? ''}\n`);
  if (completed) note(describeRecord(record));
  else process.stderr.write(`${describeRecord(record)}\n`);
  return completed ? EXIT.ok : exitCodeOf(record.error?.type);
}

/** `codex-task runs wait <id>`: until the task has finished, then its result as `run` prints it. */
export async function runsWait(
  id: string,
  flags: StoreFlags & { timeout?: string; json?: boolean },
): Promise<number> {
  let timeoutMs: number | undefined;
  try {
    timeoutMs = durationFlag('--timeout', flags.timeout);
  } catch (error) {
    printError(error);
    return EXIT.usage;
  }
  const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
  const store = openStore(flags);
  try {
    const task = findTask(store, id);
    if (typeof task === 'number') return task;
    return await untilInterrupted(async (signal) => {
      let told = false;
      const record = await untilFinished(store, task.id, {
        signal,
        deadline,
        onRead: (r) => {
          if (told || !isLive(r)) return;
          told = true;
          note(`Waiting for task ${r.id} (${r.status}); Ctrl-C stops waiting, not the task.`);
        },
      });
      if (record) return printOutcome(record, flags.json);
      if (signal.aborted) {
        note(`Stopped waiting; task ${task.id} goes on (codex-task runs wait ${task.id}).`);
        return EXIT.interrupted;
      }
      usageError(
        `Task ${task.id} is still ${store.get(task.id)?.status ?? 'running'} after ${flags.timeout}`,
        `Wait again (codex-task runs wait ${task.id}), with a longer --timeout, or watch it: codex-task runs show ${task.id} --follow`,
      );
      return EXIT.failed;
    });
  } finally {
    store.close();
  }
}

/**
 * `codex-task runs show <id> --follow`: the task, then each step as it is recorded, then its
 * result. With `json`, JSON lines: the task, each step, the finished task.
 */
export async function runsFollow(id: string, flags: StoreFlags & { json?: boolean }): Promise<number> {
  const store = openStore(flags);
  const write = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const task = findTask(store, id);
    if (typeof task === 'number') return task;
    write(flags.json ? JSON.stringify({ type: 'task', ...task }) : formatHeader(task));
    let shown = 0;
    let turn: number | undefined;
    const show = (step: StepRecord) => {
      if (flags.json) return write(JSON.stringify({ type: 'step', ...step }));
      if (step.turn !== turn) write(formatTurnHeading(step.turn, step.kind === 'turn' ? step : undefined));
      turn = step.turn;
      const text = formatStep(step);
      if (text) write(text);
    };
    return await untilInterrupted(async (signal) => {
      const record = await untilFinished(store, task.id, {
        signal,
        onRead: () => {
          const steps = store.steps(task.id);
          for (const step of steps.slice(shown)) show(step);
          shown = steps.length;
        },
      });
      if (!record) {
        note(`Stopped following; task ${task.id} goes on (codex-task runs wait ${task.id}).`);
        return EXIT.interrupted;
      }
      if (flags.json) write(JSON.stringify({ type: 'task', ...record }));
      else {
        const ending = formatEnding(record, store.children(record.id));
        if (ending) write(ending);
        note(describeRecord(record));
      }
      return EXIT.ok;
    });
  } finally {
    store.close();
  }
}
