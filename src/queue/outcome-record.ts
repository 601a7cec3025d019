import type { Redis } from 'ioredis';
import type { JobOutcome } from './job-data.ts';

/**
 * How long a task's final outcome is kept under its own key (and its list of runs): 7 days. BullMQ
 * trims completed jobs after an hour or a thousand others; a client that was away longer must still
 * find that its task ran, and never run it again (docs/scaling-out.md, "Exactly once").
 */
export const OUTCOME_TTL_S = 7 * 86_400;

export const outcomeKey = (prefix: string, taskId: string) => `${prefix}:outcome:${taskId}`;
export const runsKey = (prefix: string, taskId: string) => `${prefix}:runs:${taskId}`;

/**
 * Written by the run that finished, before BullMQ marks its job completed: a worker dying between
 * the two leaves a stalled job whose next run finds this record and returns it instead of running
 * the task again (takeRecorded).
 */
export async function recordOutcome(
  redis: Redis,
  prefix: string,
  taskId: string,
  outcome: JobOutcome,
): Promise<void> {
  await redis.set(outcomeKey(prefix, taskId), JSON.stringify(outcome), 'EX', OUTCOME_TTL_S);
}

/** The recorded outcome of a task (unparsed: the reader checks it), or undefined. */
export async function recordedOutcome(redis: Redis, prefix: string, taskId: string): Promise<unknown> {
  const text = await redis.get(outcomeKey(prefix, taskId));
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
