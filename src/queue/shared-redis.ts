import { once } from 'node:events';
import type { Redis } from 'ioredis';
import { QUEUE_DEFAULTS } from '../config/defaults/queue.ts';
import { QueueUnavailableError } from '../errors/index.ts';

/**
 * The Redis connection the shared budgets and rate limits use: the worker's own (ioredis), its key
 * prefix (the queue's, hash-tagged for Redis Cluster), and how long one command may take before
 * the caller gets a QueueUnavailableError instead of waiting on a Redis that is gone.
 */
export interface SharedRedis {
  redis: Redis;
  /** Default QUEUE_DEFAULTS.prefix (`{codex-task}`). */
  prefix?: string;
  /** Default QUEUE_DEFAULTS.connectTimeoutMs. */
  timeoutMs?: number;
}

export function sharedKey(shared: SharedRedis, ...parts: string[]): string {
  return [shared.prefix ?? QUEUE_DEFAULTS.prefix, ...parts].join(':');
}

/** Where a client points, for messages: host, port and db, never the password. */
export function redisLabel(redis: Redis): string {
  const o = redis.options;
  if (o.sentinels?.length)
    return `sentinel ${o.name} via ${o.sentinels.map((s) => `${s.host}:${s.port}`).join(',')}`;
  return `${o.tls ? 'rediss' : 'redis'}://${o.host ?? '127.0.0.1'}:${o.port ?? 6379}/${o.db ?? 0}`;
}

/** States in which a connection is being made or re-made: a command waits for it (within the timeout). */
const COMING = new Set(['connecting', 'connect', 'reconnecting', 'close']);

/**
 * Runs `command` once the connection is ready, or gives a QueueUnavailableError once `timeoutMs`
 * has passed (a Redis being restarted is waited for; one that is gone is not waited on forever), or
 * when Redis refused it. A command that timed out may still run when Redis comes back: for a budget
 * that over-counts, never under-counts.
 */
export async function bounded<T>(shared: SharedRedis, what: string, command: () => Promise<T>): Promise<T> {
  const { redis } = shared;
  const timeoutMs = shared.timeoutMs ?? QUEUE_DEFAULTS.connectTimeoutMs;
  const label = redisLabel(redis);
  if (redis.status === 'end') throw new QueueUnavailableError(label, `the connection was closed (${what})`);
  const stop = new AbortController();
  const timedOut = new Promise<never>((_, reject) => {
    const timer = setTimeout(
      () => reject(new QueueUnavailableError(label, `no answer within ${timeoutMs} ms (${what})`)),
      timeoutMs,
    );
    stop.signal.addEventListener('abort', () => clearTimeout(timer));
  });
  const answer = (async () => {
    // A lazy connection that no one has used yet (status `wait`) is connected here.
    if (redis.status === 'wait') redis.connect().catch(() => {});
    if (COMING.has(redis.status)) await once(redis, 'ready', { signal: stop.signal });
    return command();
  })();
  answer.catch(() => {});
  try {
    return await Promise.race([answer, timedOut]);
  } catch (error) {
    if (error instanceof QueueUnavailableError) throw error;
    throw new QueueUnavailableError(label, `${(error as Error).message} (${what})`, undefined, error);
  } finally {
    stop.abort();
  }
}
