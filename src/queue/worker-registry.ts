import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** A worker as the dashboard shows it. */
export interface WorkerInfo {
  /** `host:pid:random`: the id its tasks' records name. */
  id: string;
  /** `--name`, else the host name. */
  name: string;
  /** `host:pid`. */
  addr: string;
  /** Tasks it runs now. */
  running: number;
  concurrency: number;
  /** Since its last heartbeat. */
  lastSeenMs: number;
}

/** The queue at a glance (`queueOverview()`, `runtime.queue.overview()`): read-only. */
export interface QueueOverview {
  counts: { waiting: number; active: number; delayed: number; failed: number; completed: number };
  workers: WorkerInfo[];
}

/** How often a worker says it is alive, and after how long without a word it is dropped from the list. */
export const HEARTBEAT_MS = 1_000;
const GONE_AFTER_MS = 15_000;

function registryKey(prefix: string): string {
  return `${prefix}:workers`;
}

/** Writes a worker's heartbeat (its entry in one hash per queue). */
export async function beat(
  redis: Redis,
  prefix: string,
  worker: Omit<WorkerInfo, 'lastSeenMs'>,
  now = Date.now(),
): Promise<void> {
  await redis.hset(registryKey(prefix), worker.id, JSON.stringify({ ...worker, at: now }));
}

export async function forget(redis: Redis, prefix: string, id: string): Promise<void> {
  await redis.hdel(registryKey(prefix), id);
}

/** The queue's job counts and its live workers; entries of workers gone silent are removed. */
export async function overviewOf(
  queue: Queue,
  redis: Redis,
  prefix: string,
  now = Date.now(),
): Promise<QueueOverview> {
  const [counts, entries] = await Promise.all([
    queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed'),
    redis.hgetall(registryKey(prefix)),
  ]);
  const workers: WorkerInfo[] = [];
  const gone: string[] = [];
  for (const [id, text] of Object.entries(entries)) {
    const entry = parseEntry(text);
    const lastSeenMs = entry ? Math.max(0, now - entry.at) : Number.POSITIVE_INFINITY;
    // An entry no worker of ours wrote (junk in a shared Redis) goes like a worker gone quiet.
    if (!entry || lastSeenMs > GONE_AFTER_MS) gone.push(id);
    else {
      const { at: _, ...info } = entry;
      workers.push({ ...info, lastSeenMs });
    }
  }
  if (gone.length) await redis.hdel(registryKey(prefix), ...gone);
  workers.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  return {
    counts: {
      // Jobs with a priority wait in their own set: waiting either way.
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
      completed: counts.completed ?? 0,
    },
    workers,
  };
}

type Entry = Omit<WorkerInfo, 'lastSeenMs'> & { at: number };

function parseEntry(text: string): Entry | undefined {
  try {
    const entry = JSON.parse(text) as Partial<Entry> | null;
    return entry &&
      typeof entry === 'object' &&
      typeof entry.at === 'number' &&
      typeof entry.name === 'string'
      ? (entry as Entry)
      : undefined;
  } catch {
    return undefined;
  }
}
