import { ExponentialBackoff, type IBackoff } from 'cockatiel';
import { ProviderUnavailableError } from '../errors/index.ts';
import { CallTimeoutError, classifyFailure, type Failure } from './classify-failure.ts';
import type { ModelRoute, RouteCandidate } from './model-route.ts';
import { describeFailure, toProviderError } from './provider-errors.ts';
import type { ResilienceConfig } from './resilience-config.ts';

/** One HTTP attempt of a model call, as `task.model_call` events and metrics see it. */
export interface AttemptReport {
  provider: string;
  /** `provider:model` */
  model: string;
  /** 1-based, within this model turn (across candidates). */
  attempt: number;
  /** `retry`: failed, will retry here; `failover`: failed, moves to the next candidate; `failed`: gives up. */
  outcome: 'ok' | 'retry' | 'failover' | 'failed';
  latencyMs: number;
  /** Time queued by this provider's rate limits before the attempt. */
  queuedMs: number;
  status?: number;
  /** `429`, `503`, `connection`, `timeout`, `cut`, `malformed`, `circuit-open`, … */
  reason?: string;
  error?: string;
  /** Backoff (or Retry-After) before the next attempt. */
  waitMs?: number;
}

export interface FailoverReport {
  from: string;
  to: string;
  reason: string;
  status?: number;
}

export interface RouteObserver {
  /** Called before every attempt; may throw to stop the call (e.g. the cost budget is spent). */
  beforeAttempt?(candidate: { provider: string; model: string }): void;
  onAttempt?(report: AttemptReport): void;
  onFailover?(report: FailoverReport): void;
}

export interface GatewayStats {
  /** Calls that waited for an open (or probing) circuit because no alternative was available. */
  openCircuitWaits: number;
  failovers: number;
  retries: number;
}

export interface ServedCall<T> {
  result: T;
  candidate: RouteCandidate;
  /** Tokens reserved from the token budget before the call (to settle against the real usage). */
  estimate: number;
}

/** Runs one attempt; `hold()` keeps its signal and timer alive past the return (a stream being read). */
export type AttemptFn<T> = (
  candidate: RouteCandidate,
  signal: AbortSignal,
  hold: () => () => void,
) => Promise<T>;

/**
 * The one retry loop of a model turn. Per attempt: pick the route's current candidate (moving on at
 * once if its circuit is open), wait for its rate limits, run the call under its circuit breaker and
 * a per-call timeout. On an availability failure: back off (exponential with jitter, or the
 * provider's Retry-After, capped) and retry, or fail over to the next candidate after
 * `failoverAfterAttempts` failures or a long Retry-After. A request failure (400, 401, …) is thrown
 * at once as a ProviderError with its hint. Bounded by `maxAttempts` and `maxRetryTimeMs`.
 * The route remembers the candidate that served, so a task's later turns start there.
 */
export async function callWithResilience<T>(p: {
  route: ModelRoute;
  config: ResilienceConfig;
  signal: AbortSignal | undefined;
  observer: RouteObserver;
  stats: GatewayStats;
  estimateTokens: () => number;
  attempt: AttemptFn<T>;
}): Promise<ServedCall<T>> {
  const { route, observer, stats } = p;
  const retry = p.config.retry;
  const backoffs = new ExponentialBackoff({ initialDelay: retry.initialDelayMs, maxDelay: retry.maxDelayMs });
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  let attempts = 0;
  let onCandidate = 0;
  let backoff: IBackoff<unknown> | undefined;
  let last: { failure: Failure; error: unknown; candidate: RouteCandidate } | undefined;
  const tried = new Set<string>();

  const switchTo = (index: number, failure: { reason: string; status?: number }) => {
    const from = route.candidates[route.current]!;
    route.switchTo(index);
    onCandidate = 0;
    backoff = undefined;
    stats.failovers++;
    observer.onFailover?.({
      from: from.spec,
      to: route.candidates[index]!.spec,
      reason: failure.reason,
      ...(failure.status !== undefined && { status: failure.status }),
    });
  };
  const giveUp = (candidate: RouteCandidate) => unavailable(candidate, last, attempts, elapsed(), tried);

  for (;;) {
    p.signal?.throwIfAborted();
    const candidate = route.candidates[route.current]!;
    const endpoint = candidate.endpoint;
    const admission = endpoint.admission();
    if (admission === 'open' || admission === 'busy') {
      const alternative = route.alternative();
      if (alternative !== undefined) {
        switchTo(alternative, { reason: 'circuit-open' });
        continue;
      }
      stats.openCircuitWaits++;
      if (admission === 'open') {
        const wait = endpoint.msUntilProbe();
        if (elapsed() + wait > retry.maxRetryTimeMs) throw giveUp(candidate);
        await sleep(wait, p.signal);
        continue;
      }
      // `busy`: cockatiel holds this call until the probe in flight succeeds or fails.
    }

    attempts++;
    tried.add(candidate.spec);
    const report = { provider: candidate.provider.id, model: candidate.spec, attempt: attempts };
    observer.beforeAttempt?.(report);
    const limiter = endpoint.limiter;
    const estimate = limiter?.limitsTokens ? p.estimateTokens() : 0;
    const queuedMs = limiter ? await limiter.acquire(estimate, p.signal) : 0;
    const t0 = performance.now();
    try {
      const result = await runAttempt(candidate, p.attempt, p.signal, p.config.timeouts.callMs);
      const latencyMs = performance.now() - t0;
      endpoint.health.record(true, latencyMs);
      observer.onAttempt?.({ ...report, outcome: 'ok', latencyMs, queuedMs });
      return { result, candidate, estimate };
    } catch (error) {
      const latencyMs = performance.now() - t0;
      if (p.signal?.aborted) throw error;
      const failure = classifyFailure(error);
      if (failure.kind === 'cancelled') throw error;
      const alternative = route.alternative();
      if (failure.reason === 'circuit-open') {
        // The circuit opened between our look and the call: nothing was sent, so no attempt is spent.
        attempts--;
        if (alternative !== undefined) switchTo(alternative, failure);
        continue; // Without an alternative, the top of the loop waits for the probe.
      }
      const message = describeFailure(error, candidate.provider, candidate.modelId);
      const details = {
        ...(failure.status !== undefined && { status: failure.status }),
        reason: failure.reason,
        error: message,
      };
      endpoint.health.recordError({ message, ...details });
      if (failure.kind === 'request') {
        observer.onAttempt?.({ ...report, outcome: 'failed', latencyMs, queuedMs, ...details });
        throw toProviderError(error, candidate.provider, candidate.modelId);
      }
      last = { failure, error, candidate };
      endpoint.health.record(false, latencyMs);
      onCandidate++;
      if (attempts >= retry.maxAttempts) {
        observer.onAttempt?.({ ...report, outcome: 'failed', latencyMs, queuedMs, ...details });
        throw giveUp(candidate);
      }
      const retryAfter =
        failure.retryAfterMs === undefined
          ? undefined
          : Math.min(failure.retryAfterMs, retry.retryAfterCapMs);
      const moveOn =
        onCandidate >= retry.failoverAfterAttempts ||
        endpoint.admission() === 'open' ||
        (retryAfter ?? 0) > retry.failoverIfRetryAfterOverMs;
      if (alternative !== undefined && moveOn) {
        observer.onAttempt?.({ ...report, outcome: 'failover', latencyMs, queuedMs, ...details });
        switchTo(alternative, failure);
        continue;
      }
      backoff = backoff ? backoff.next(undefined) : backoffs.next();
      // Never sooner than the provider asked; a little later, so a crowd told the same time spreads out.
      const waitMs =
        retryAfter !== undefined
          ? retryAfter + Math.random() * Math.min(retryAfter * 0.1, 1000)
          : backoff.duration;
      if (elapsed() + waitMs > retry.maxRetryTimeMs) {
        observer.onAttempt?.({ ...report, outcome: 'failed', latencyMs, queuedMs, ...details });
        throw giveUp(candidate);
      }
      stats.retries++;
      observer.onAttempt?.({ ...report, outcome: 'retry', latencyMs, queuedMs, ...details, waitMs });
      // With an alternative at hand, the wait ends early if this circuit opens meanwhile.
      await sleep(waitMs, p.signal, alternative !== undefined ? endpoint.openedSignal : undefined);
    }
  }
}

async function runAttempt<T>(
  candidate: RouteCandidate,
  attempt: AttemptFn<T>,
  outer: AbortSignal | undefined,
  callMs: number,
): Promise<T> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new CallTimeoutError(callMs));
  }, callMs);
  const onAbort = () => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onAbort, { once: true });
  let held = false;
  const release = () => {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onAbort);
  };
  const hold = () => {
    held = true;
    return release;
  };
  try {
    return await candidate.endpoint.breaker.execute(async () => {
      try {
        return await attempt(candidate, controller.signal, hold);
      } catch (error) {
        held = false;
        if (timedOut && !outer?.aborted) throw new CallTimeoutError(callMs, { cause: error });
        throw error;
      }
    });
  } finally {
    if (!held) release();
  }
}

function unavailable(
  candidate: RouteCandidate,
  last: { failure: Failure; error: unknown; candidate: RouteCandidate } | undefined,
  attempts: number,
  elapsedMs: number,
  tried: Set<string>,
): ProviderUnavailableError {
  const seconds = (elapsedMs / 1000).toFixed(1);
  const others = [...tried].filter((spec) => spec !== (last?.candidate ?? candidate).spec);
  const cause = last
    ? describeFailure(last.error, last.candidate.provider, last.candidate.modelId)
    : undefined;
  const circuitOpen = !last || last.failure.reason === 'circuit-open';
  const message = circuitOpen
    ? `${candidate.spec} is unavailable: its circuit is open after repeated failures${cause ? ` (last: ${cause})` : ''}`
    : `${cause} — gave up after ${attempts} attempt${attempts === 1 ? '' : 's'} over ${seconds} s${others.length ? `, also tried ${others.join(', ')}` : ''}`;
  const chainHint =
    tried.size > 1
      ? ''
      : ' Configure a failover chain for this model (`failover` in config) to move to another provider.';
  const hint =
    last?.failure.status === 429
      ? `Rate limited by ${last.candidate.provider.id}: lower the concurrency, set its requests/tokens per minute so calls queue, or wait.${chainHint}`
      : `${(last?.candidate ?? candidate).provider.id} is unavailable right now; try again later, or raise the retry budget (resilience.retry.maxRetryTimeMs).${chainHint}`;
  return new ProviderUnavailableError(
    message,
    { status: last?.failure.status, attempts, hint },
    { cause: last?.error },
  );
}

/** Resolves after `ms`, or early when `wake` aborts; rejects when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined, wake?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      wake?.removeEventListener('abort', done);
      resolve();
    };
    const onAbort = () => {
      clearTimeout(timer);
      wake?.removeEventListener('abort', done);
      reject(signal?.reason);
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    wake?.addEventListener('abort', done, { once: true });
  });
}
