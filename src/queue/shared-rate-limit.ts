import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  RLWrapperTimeouts,
} from 'rate-limiter-flexible';
import { QUEUE_DEFAULTS } from '../config/defaults/queue.ts';
import { TaskCancelledError } from '../errors/index.ts';
import type { ProviderRateLimiter, RateLimiterFactory, RateLimitSnapshot } from '../models/index.ts';
import type { RateLimit } from '../providers/index.ts';
import { type SharedRedis, sharedKey } from './shared-redis.ts';

/**
 * A fixed window of `points` per `duration` seconds, as rate-limiter-flexible counts in Redis
 * (whole seconds). A provider's `burst` shortens the window so that no more than it goes at once:
 * 60/min with burst 10 is 10 per 10 s. Like the local token bucket, whose full bucket plus a
 * minute's refill lets 2 × perMinute through in the first minute, a window edge can let two
 * windows' worth through close together; the gateway's retries absorb a provider's 429 then.
 */
export function fixedWindow(perMinute: number, burst?: number): { points: number; duration: number } {
  const size = burst !== undefined && burst > 0 && burst < perMinute ? burst : perMinute;
  const duration = Math.max(1, Math.round((60 * size) / perMinute));
  return { points: Math.max(1, Math.floor((perMinute * duration) / 60)), duration };
}

/** A connection on its way up, waited for (within the timeout): a new worker's first calls count too. */
const STARTING = new Set(['wait', 'connecting', 'connect']);

/** A limit of one provider in Redis, with this process's own in-memory limit as its insurance. */
class SharedWindow {
  readonly points: number;
  readonly #redis: SharedRedis['redis'];
  readonly #timeoutMs: number;
  readonly #limiter: RateLimiterAbstract;
  readonly #insurance: RateLimiterAbstract;
  readonly #key: string;
  /** Remaining points after the last grant, for health snapshots (Redis is not asked for them). */
  remaining: number;

  constructor(
    shared: SharedRedis,
    name: string,
    window: { points: number; duration: number },
    onInsurance: () => void,
  ) {
    this.points = window.points;
    this.remaining = window.points;
    this.#key = `${window.points}per${window.duration}s`;
    this.#redis = shared.redis;
    this.#timeoutMs = shared.timeoutMs ?? QUEUE_DEFAULTS.connectTimeoutMs;
    const keyPrefix = sharedKey(shared, 'ratelimit', name);
    // Without Redis (down, or too slow) each worker holds the limit on its own: calls go on, paced.
    const insurance = new (class extends RateLimiterMemory {
      override consume(key: string | number, points?: number) {
        onInsurance();
        return super.consume(key, points);
      }
    })({ ...window, keyPrefix });
    const store = new RateLimiterRedis({
      storeClient: shared.redis,
      ...window,
      keyPrefix,
      insuranceLimiter: insurance,
    });
    this.#insurance = insurance;
    this.#limiter = new RLWrapperTimeouts({
      limiter: store,
      timeoutMs: this.#timeoutMs,
      insuranceLimiter: insurance,
    }) as unknown as RateLimiterAbstract;
  }

  /** Waits (never fails for being over the limit) until `amount` is granted, or `signal` aborts. */
  async take(amount: number, signal: AbortSignal | undefined, waiting: { count: number }): Promise<void> {
    const want = Math.min(Math.max(1, Math.ceil(amount)), this.points);
    for (;;) {
      if (signal?.aborted) throw signal.reason ?? new TaskCancelledError();
      if (STARTING.has(this.#redis.status)) await this.#connected(signal);
      try {
        // Redis down (reconnecting, closed): decided here at once, not after a timeout per call.
        const limiter = this.#redis.status === 'ready' ? this.#limiter : this.#insurance;
        const granted = await limiter.consume(this.#key, want);
        this.remaining = granted.remainingPoints;
        return;
      } catch (refusal) {
        if (!(refusal instanceof RateLimiterRes)) throw refusal;
        this.remaining = 0;
        // A little jitter: the waiters of every worker do not all come back in the same millisecond.
        waiting.count++;
        try {
          await sleep(refusal.msBeforeNext + Math.floor(Math.random() * 25), signal);
        } finally {
          waiting.count--;
        }
      }
    }
  }

  async #connected(signal: AbortSignal | undefined): Promise<void> {
    if (this.#redis.status === 'wait') this.#redis.connect().catch(() => {});
    const bound = AbortSignal.timeout(this.#timeoutMs);
    await once(this.#redis, 'ready', { signal: signal ? AbortSignal.any([signal, bound]) : bound }).catch(
      () => {},
    );
    if (signal?.aborted) throw signal.reason ?? new TaskCancelledError();
  }

  /** Corrects an estimate once the real amount is known; a lost correction only shifts one window. */
  adjust(by: number): void {
    if (by === 0) return;
    const done = by > 0 ? this.#limiter.penalty(this.#key, by) : this.#limiter.reward(this.#key, -by);
    done.catch(() => {});
  }
}

/**
 * A provider's requests and tokens per minute, counted in Redis for every worker that calls it
 * (rate-limiter-flexible's RateLimiterRedis: one atomic Lua INCR per grant). Over the limit a call
 * waits for the next window, as with the local bucket, and stops waiting when its signal aborts.
 * When Redis is down or slower than `timeoutMs`, each worker falls back to the same limit in its
 * own memory: calls are still paced, and the task is not failed for it (`insuranceUses` counts it).
 */
export class SharedRateLimiter implements ProviderRateLimiter {
  readonly #requests: SharedWindow | undefined;
  readonly #tokens: SharedWindow | undefined;
  readonly #waiting = { count: 0 };
  /** Tries for the limit that were decided in this process's memory because Redis could not be used. */
  insuranceUses = 0;

  constructor(shared: SharedRedis, providerId: string, limit: RateLimit) {
    const onInsurance = () => {
      this.insuranceUses++;
    };
    this.#requests = limit.requestsPerMinute
      ? new SharedWindow(
          shared,
          `${providerId}:requests`,
          fixedWindow(limit.requestsPerMinute, limit.burst),
          onInsurance,
        )
      : undefined;
    this.#tokens = limit.tokensPerMinute
      ? new SharedWindow(shared, `${providerId}:tokens`, fixedWindow(limit.tokensPerMinute), onInsurance)
      : undefined;
  }

  get limitsTokens(): boolean {
    return this.#tokens !== undefined;
  }

  async acquire(estimatedTokens: number, signal?: AbortSignal): Promise<number> {
    const started = performance.now();
    await this.#requests?.take(1, signal, this.#waiting);
    if (estimatedTokens > 0) await this.#tokens?.take(estimatedTokens, signal, this.#waiting);
    return performance.now() - started;
  }

  settle(estimatedTokens: number, actualTokens: number): void {
    if (!this.#tokens || !(estimatedTokens > 0 || actualTokens > 0)) return;
    const taken =
      estimatedTokens > 0 ? Math.min(Math.max(1, Math.ceil(estimatedTokens)), this.#tokens.points) : 0;
    this.#tokens.adjust(Math.round(actualTokens) - taken);
  }

  snapshot(): RateLimitSnapshot {
    return {
      queued: this.#waiting.count,
      ...(this.#requests && { requestsAvailable: this.#requests.remaining }),
      ...(this.#tokens && { tokensAvailable: this.#tokens.remaining }),
    };
  }
}

/** What a worker passes as the engine's `rateLimiter`: every provider's limits shared through Redis. */
export function sharedRateLimiter(shared: SharedRedis): RateLimiterFactory {
  return (providerId, limit) => new SharedRateLimiter(shared, providerId, limit);
}

async function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await delay(ms, undefined, signal ? { signal } : {});
  } catch {
    throw signal?.reason ?? new TaskCancelledError();
  }
}
