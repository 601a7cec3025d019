import { Redis, type RedisOptions } from 'ioredis';
import { QUEUE_DEFAULTS } from '../config/defaults/queue.ts';
import { redactRedisUrl, redisTarget, type SentinelTarget } from '../config/index.ts';
import { QueueUnavailableError } from '../errors/index.ts';

/** Where the queue is and how it is tuned: `queue.*` settings, resolved (config/settings.ts). */
export interface QueueSettings {
  /** `redis://`, `rediss://` (TLS) or `redis+sentinel://`, with user, password and database number when needed. */
  url: string;
  prefix: string;
  stallTimeoutMs: number;
  attempts: number;
  /** How long the first connection or an enqueue may take before QueueUnavailable. */
  connectTimeoutMs?: number;
  /** How a client sends a task's files (`queue.workspace`): `path` when unset. */
  workspace?: 'path' | 'git';
  /** `queue.allowPaths` (a worker's): directories a path workspace may be in (allowedRoots). */
  allowPaths?: readonly string[];
  /** `queue.gitRemote`: the checkout's remote a git workspace names (default `origin`). */
  gitRemote?: string;
  /** `queue.gitPush`: workers also push a git workspace's changes as `codex-task/<taskId>`. */
  gitPush?: boolean;
}

/** The BullMQ queue every client and worker of one prefix shares. */
export const QUEUE_NAME = 'tasks';

/** The role a connection plays, in its Redis client name (CLIENT LIST shows who is connected). */
type Role = 'client' | 'events' | 'worker' | 'cancel';

/**
 * A connection of ours (not BullMQ's blocking ones): commands fail at once while Redis is away
 * (no offline queue: an enqueue must not hang), and it reconnects by itself, with backoff, until
 * closed. ioredis reads `rediss://` as TLS and the URL's user, password and database.
 */
export function redisConnection(settings: QueueSettings, role: Role, extra: RedisOptions = {}): Redis {
  const redis = connectTo(settings.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: settings.connectTimeoutMs ?? QUEUE_DEFAULTS.connectTimeoutMs,
    connectionName: `codex-task:${role}`,
    retryStrategy: (times) => Math.min(100 * 2 ** times, 2_000),
    ...extra,
  });
  // Said by the caller when it matters (QueueUnavailable); ioredis would print every retry otherwise.
  redis.on('error', () => {});
  return redis;
}

/**
 * A client of the queue's Redis at `url`: one server (`redis://`, `rediss://`, read by ioredis as it
 * is) or the primary that Sentinel names (`redis+sentinel://`, config/redis-url.ts).
 */
export function connectTo(url: string, options: RedisOptions): Redis {
  const target = redisTarget(url);
  return 'url' in target ? new Redis(target.url, options) : new Redis({ ...target.sentinel, ...options });
}

/** BullMQ's own connections (its blocking reads need no retry limit); the same server, TLS, Sentinel. */
export function bullConnection(settings: QueueSettings): Partial<SentinelTarget> & {
  url?: string;
  connectTimeout: number;
  connectionName: string;
  retryStrategy: (times: number) => number;
} {
  const target = redisTarget(settings.url);
  return {
    ...('url' in target ? { url: target.url } : target.sentinel),
    connectTimeout: settings.connectTimeoutMs ?? QUEUE_DEFAULTS.connectTimeoutMs,
    connectionName: 'codex-task:bullmq',
    retryStrategy: (times) => Math.min(100 * 2 ** times, 2_000),
  };
}

/** Connects (once, or again after `quit`) within the connect timeout, else a QueueUnavailableError. */
export async function ready(redis: Redis, settings: QueueSettings): Promise<void> {
  if (redis.status === 'ready') return;
  const timeoutMs = settings.connectTimeoutMs ?? QUEUE_DEFAULTS.connectTimeoutMs;
  if (redis.status === 'wait' || redis.status === 'end') redis.connect().catch(() => {});
  // The first failure is the answer: a task must not wait out retries against a Redis that is not there.
  let onError: (error: unknown) => void = () => {};
  let onReady: () => void = () => {};
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(unavailable(settings, `no answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      timer.unref();
      onError = (error) => {
        clearTimeout(timer);
        reject(unavailable(settings, error));
      };
      onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      redis.on('error', onError);
      redis.once('ready', onReady);
    });
  } finally {
    redis.off('error', onError);
    redis.off('ready', onReady);
  }
}

/** A failed Redis call as the error users see: the URL without its password, the problem, the fix. */
export function unavailable(settings: QueueSettings, cause: unknown): QueueUnavailableError {
  const problem = cause instanceof Error ? cause.message : String(cause);
  const url = redactRedisUrl(settings.url);
  return new QueueUnavailableError(
    url,
    problem.replaceAll(settings.url, url),
    `Check that Redis runs at ${url} and is reachable from here (\`codex-task doctor\` checks it), or fix CODEX_TASK_REDIS_URL / queue.url / --redis.`,
    cause,
  );
}
