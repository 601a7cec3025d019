import {
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  CountBreaker,
  circuitBreaker,
  handleWhen,
  type IBreaker,
} from 'cockatiel';
import type { ProviderConfig, RateLimit } from '../providers/index.ts';
import { AdaptiveLimit, type Permit } from './adaptive-limit.ts';
import { classifyFailure } from './classify-failure.ts';
import { HealthStats, type ProviderHealth } from './provider-health.ts';
import { localRateLimiter, type ProviderRateLimiter, type RateLimiterFactory } from './token-bucket.ts';

export interface BreakerConfig {
  consecutiveFailures: number;
  failureRate: number;
  windowSize: number;
  minimumCalls: number;
  halfOpenAfterMs: number;
}

/**
 * Whether a call may go to this endpoint now: `closed` yes; `probe` the circuit is open but its
 * cool-down is over, so this call is the half-open probe; `busy` a probe is in flight (cockatiel makes
 * other callers wait for its outcome); `open` no.
 */
export type EndpointAdmission = 'closed' | 'probe' | 'busy' | 'open';

/** The provider says it is overloaded: the adaptive limit on calls in flight backs off. */
const OVERLOAD = new Set([429, 503, 529]);

/** Opens on either condition: N consecutive failures (a region down), or a failure rate over a window. */
class EitherBreaker implements IBreaker {
  readonly #consecutive: ConsecutiveBreaker;
  readonly #rate: CountBreaker;

  constructor(config: BreakerConfig) {
    this.#consecutive = new ConsecutiveBreaker(config.consecutiveFailures);
    this.#rate = new CountBreaker({
      threshold: config.failureRate,
      size: config.windowSize,
      minimumNumberOfCalls: config.minimumCalls,
    });
  }

  get state(): unknown {
    return { consecutive: this.#consecutive.state, rate: this.#rate.state };
  }

  set state(value: unknown) {
    const v = value as { consecutive: number; rate: unknown };
    this.#consecutive.state = v.consecutive;
    this.#rate.state = v.rate;
  }

  success(state: CircuitState): void {
    this.#consecutive.success();
    this.#rate.success(state);
  }

  failure(state: CircuitState): boolean {
    const consecutive = this.#consecutive.failure();
    const rate = this.#rate.failure(state);
    return consecutive || rate;
  }
}

/**
 * One provider endpoint: its circuit breaker (cockatiel), its rate limits, its adaptive limit on
 * calls in flight and its health figures. Only availability failures count against the circuit; a
 * 400 says nothing about the provider.
 */
export class Endpoint {
  readonly provider: ProviderConfig;
  readonly breaker: CircuitBreakerPolicy;
  readonly limiter: ProviderRateLimiter | undefined;
  readonly concurrency: AdaptiveLimit;
  readonly health = new HealthStats();
  readonly #halfOpenAfterMs: number;
  #openedAt = 0;
  #opened = new AbortController();
  /** Refusals the adaptive limit has already answered with a cut: not held against the circuit again. */
  readonly #absorbed = new WeakSet<object>();

  constructor(
    provider: ProviderConfig,
    config: {
      breaker: BreakerConfig;
      rateLimit?: RateLimit;
      maxConcurrency?: number;
      /** Makes the rate limiter (default: this process's own token buckets). */
      rateLimiter?: RateLimiterFactory;
    },
  ) {
    this.provider = provider;
    this.#halfOpenAfterMs = config.breaker.halfOpenAfterMs;
    this.breaker = circuitBreaker(
      handleWhen(
        (error) => classifyFailure(error).kind === 'availability' && !this.#absorbed.has(error as object),
      ),
      { breaker: new EitherBreaker(config.breaker), halfOpenAfter: config.breaker.halfOpenAfterMs },
    );
    this.breaker.onBreak(() => {
      this.#openedAt = Date.now();
      const opened = this.#opened;
      this.#opened = new AbortController();
      opened.abort();
    });
    const limit = config.rateLimit;
    this.limiter =
      limit?.requestsPerMinute || limit?.tokensPerMinute
        ? (config.rateLimiter ?? localRateLimiter)(provider.id, limit)
        : undefined;
    const max = limit?.maxConcurrency ?? config.maxConcurrency;
    this.concurrency = new AdaptiveLimit({
      ...(max !== undefined && { max }),
      ...(limit?.minConcurrency !== undefined && { min: limit.minConcurrency }),
    });
  }

  /**
   * Tells the adaptive limit what a failed call showed, inside the breaker. Calls refused together
   * are one signal: the first cuts the limit and counts against the circuit; the others, sent
   * before that cut, do neither, so a burst over the provider's limit backs off without opening the
   * circuit, while refusals that go on after each cut (down to the floor) still open it.
   */
  settleFailure(permit: Permit, error: unknown): void {
    const overload = OVERLOAD.has(classifyFailure(error).status ?? 0);
    const cut = permit.settle(overload ? 'overload' : 'other');
    if (overload && !cut && typeof error === 'object' && error !== null) this.#absorbed.add(error);
  }

  get id(): string {
    return this.provider.id;
  }

  admission(now = Date.now()): EndpointAdmission {
    switch (this.breaker.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'busy';
      case CircuitState.Open:
        return now - this.#openedAt >= this.#halfOpenAfterMs ? 'probe' : 'open';
      default:
        return 'open';
    }
  }

  /** Time until an open circuit lets its probe through (0 unless open). */
  msUntilProbe(now = Date.now()): number {
    return this.admission(now) === 'open' ? this.#openedAt + this.#halfOpenAfterMs - now : 0;
  }

  /** Aborts the next time the circuit opens: a call sleeping before a retry here moves on at once. */
  get openedSignal(): AbortSignal {
    return this.#opened.signal;
  }

  snapshot(): ProviderHealth {
    const circuit = circuitName(this.breaker.state);
    const open = circuit === 'open' || circuit === 'half-open';
    return {
      provider: this.provider.id,
      kind: this.provider.kind,
      ...(this.provider.baseURL && { baseURL: this.provider.baseURL }),
      circuit,
      ...(open && { openedAt: new Date(this.#openedAt).toISOString() }),
      ...(circuit === 'open' && {
        nextProbeAt: new Date(this.#openedAt + this.#halfOpenAfterMs).toISOString(),
      }),
      calls: this.health.calls,
      failures: this.health.failures,
      recent: this.health.recent(),
      ...(this.health.lastError && { lastError: this.health.lastError }),
      ...(this.limiter && { rateLimit: this.limiter.snapshot() }),
      concurrency: this.concurrency.snapshot(),
    };
  }
}

function circuitName(state: CircuitState): ProviderHealth['circuit'] {
  if (state === CircuitState.Closed) return 'closed';
  if (state === CircuitState.HalfOpen) return 'half-open';
  if (state === CircuitState.Isolated) return 'isolated';
  return 'open';
}
