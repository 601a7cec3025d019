import { TaskCancelledError } from '../errors/index.ts';
import type { RateLimit } from '../providers/index.ts';

interface Waiter {
  amount: number;
  resolve: () => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * A token bucket that queues instead of failing: `take` resolves once the amount is available,
 * first come first served (a large request is not starved by a stream of small ones). Refills
 * continuously at `perMinute / 60 000` per ms up to `capacity`. `settle` corrects an estimate after
 * the fact (tokens per minute are known only when the reply says how many were used); the level may
 * go negative, which makes the next callers wait.
 */
export class TokenBucket {
  readonly capacity: number;
  readonly #perMs: number;
  #level: number;
  #updatedAt = performance.now();
  #queue: Waiter[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(options: { perMinute: number; capacity?: number }) {
    if (!(options.perMinute > 0)) throw new RangeError(`perMinute must be > 0, got ${options.perMinute}`);
    this.capacity = Math.max(1, options.capacity ?? options.perMinute);
    this.#perMs = options.perMinute / 60_000;
    this.#level = this.capacity;
  }

  /** Tokens available now (negative after an under-estimate). */
  get level(): number {
    this.#refill();
    return this.#level;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Waits for `amount` (clamped to the capacity, so no request waits forever). */
  take(amount: number, signal?: AbortSignal): Promise<void> {
    const want = Math.min(Math.max(0, amount), this.capacity);
    this.#refill();
    if (this.#queue.length === 0 && this.#level >= want) {
      this.#level -= want;
      return Promise.resolve();
    }
    if (signal?.aborted) return Promise.reject(signal.reason ?? new TaskCancelledError());
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        amount: want,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.#queue.indexOf(waiter);
          if (index >= 0) this.#queue.splice(index, 1);
          reject(signal?.reason ?? new TaskCancelledError());
          this.#schedule();
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#queue.push(waiter);
      this.#schedule();
    });
  }

  /** Corrects an earlier `take(estimate)` once the real amount is known. */
  settle(estimate: number, actual: number): void {
    this.#refill();
    this.#level = Math.min(this.capacity, this.#level - (actual - Math.min(estimate, this.capacity)));
    if (actual < estimate) this.#drain();
  }

  #refill(): void {
    const now = performance.now();
    this.#level = Math.min(this.capacity, this.#level + (now - this.#updatedAt) * this.#perMs);
    this.#updatedAt = now;
  }

  #drain(): void {
    this.#refill();
    while (this.#queue.length > 0 && this.#level >= this.#queue[0]!.amount) {
      const waiter = this.#queue.shift()!;
      this.#level -= waiter.amount;
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve();
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const head = this.#queue[0];
    if (!head) return;
    const waitMs = Math.max(1, Math.ceil((head.amount - this.#level) / this.#perMs));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#drain();
    }, waitMs);
  }
}

/** What a provider's rate limiter reports (ProviderHealth.rateLimit). */
export interface RateLimitSnapshot {
  /** Calls of this process waiting for the limit. */
  queued: number;
  requestsAvailable?: number;
  tokensAvailable?: number;
}

/**
 * A provider's requests and tokens per minute, as the model gateway uses them: `acquire` waits (it
 * never fails for being over the limit) until a request may go, and rejects only when `signal`
 * aborts — or, for a shared limiter, when its store fails in a way it cannot absorb.
 */
export interface ProviderRateLimiter {
  /** Whether tokens are limited (else the gateway does not estimate them). */
  readonly limitsTokens: boolean;
  /** Resolves when one request with about `estimatedTokens` may go; returns the time waited (ms). */
  acquire(estimatedTokens: number, signal?: AbortSignal): Promise<number>;
  /** Corrects the tokens taken once the reply says how many were used. */
  settle(estimatedTokens: number, actualTokens: number): void;
  snapshot(): RateLimitSnapshot;
}

/**
 * Makes the limiter of one provider (called once per provider that has a limit). The default is
 * this process's own TokenBuckets; a queue worker passes limits shared by every worker.
 */
export type RateLimiterFactory = (providerId: string, limit: RateLimit) => ProviderRateLimiter;

export const localRateLimiter: RateLimiterFactory = (_providerId, limit) => new RateLimiter(limit);

/** A provider's request and token budgets in this process; both queue. */
export class RateLimiter implements ProviderRateLimiter {
  readonly #requests: TokenBucket | undefined;
  readonly #tokens: TokenBucket | undefined;

  constructor(limit: RateLimit) {
    this.#requests = limit.requestsPerMinute
      ? new TokenBucket({
          perMinute: limit.requestsPerMinute,
          ...(limit.burst !== undefined && { capacity: limit.burst }),
        })
      : undefined;
    this.#tokens = limit.tokensPerMinute ? new TokenBucket({ perMinute: limit.tokensPerMinute }) : undefined;
  }

  get limitsTokens(): boolean {
    return this.#tokens !== undefined;
  }

  /** Resolves when one request with about `estimatedTokens` may go; returns the time waited. */
  async acquire(estimatedTokens: number, signal?: AbortSignal): Promise<number> {
    const started = performance.now();
    await this.#requests?.take(1, signal);
    await this.#tokens?.take(estimatedTokens, signal);
    return performance.now() - started;
  }

  settle(estimatedTokens: number, actualTokens: number): void {
    this.#tokens?.settle(estimatedTokens, actualTokens);
  }

  snapshot(): RateLimitSnapshot {
    return {
      queued: (this.#requests?.queued ?? 0) + (this.#tokens?.queued ?? 0),
      ...(this.#requests && { requestsAvailable: Math.floor(this.#requests.level) }),
      ...(this.#tokens && { tokensAvailable: Math.floor(this.#tokens.level) }),
    };
  }
}
