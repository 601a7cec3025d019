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
 * The end of a run in one step on Redis, only while the run still holds its job's lock (a run the
 * queue gave to another, after its lock expired, cannot answer): its outcome recorded, then sent
 * to its client. Both before BullMQ marks the job completed, so the client has its result without
 * waiting for that; a worker dying between the two leaves a stalled job whose next run finds this
 * record and returns it instead of running the task again (recordedOutcome).
 */
const FINISH = `
if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
redis.call('PUBLISH', ARGV[4], ARGV[5] .. ARGV[2] .. '}')
return 1
`;

export interface FinishedRun {
  prefix: string;
  taskId: string;
  /** BullMQ's lock on the job (`<queue key>:<job id>:lock`) and this run's token; none: not checked. */
  lockKey: string;
  token: string | undefined;
  outcome: JobOutcome;
  /** The client's channel, and the run's attempt as its messages carry it (event-relay.ts). */
  channel: string;
  attempt: number;
}

const scripted = new WeakSet<Redis>();

/** True when recorded and sent; false when the run had lost its job to another run. */
export async function finishRun(redis: Redis, run: FinishedRun): Promise<boolean> {
  if (!scripted.has(redis)) {
    redis.defineCommand('codexTaskFinishRun', { numberOfKeys: 2, lua: FINISH });
    scripted.add(redis);
  }
  const finish = (redis as unknown as Record<string, (...args: (string | number)[]) => Promise<number>>)
    .codexTaskFinishRun!;
  // The end message as RelayMessage's `done` variant, with the outcome spliced in by the script.
  const head = `${JSON.stringify({ task: run.taskId, attempt: run.attempt }).slice(0, -1)},"done":`;
  const reply = await finish.call(
    redis,
    run.lockKey,
    outcomeKey(run.prefix, run.taskId),
    run.token ?? '',
    JSON.stringify(run.outcome),
    OUTCOME_TTL_S,
    run.channel,
    head,
  );
  return reply === 1;
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
