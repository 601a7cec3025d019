import { ProviderUnavailableError } from '../errors/index.ts';
import type { Permit } from './adaptive-limit.ts';
import { CallTimeoutError, classifyFailure, type Failure } from './classify-failure.ts';
import type { ModelRoute, RouteCandidate } from './model-route.ts';
import { describeFailure, toProviderError } from './provider-errors.ts';
import type { ResilienceConfig } from './resilience-config.ts';
import { type DecisionInput, decideAdmission, decideRetry, type RetryState } from './retry-decision.ts';

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
  /** Time queued by this provider's rate limits and its limit on calls in flight before the attempt. */
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
  beforeAttempt?(candidate: { provider: string; model: string }): Promise<void> | undefined | void;
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
  const config = p.config.retry;
  let state: RetryState = { attempts: 0, onCandidate: 0, startedAt: performance.now(), backoff: undefined };
  let last: { failure: Failure; error: unknown; candidate: RouteCandidate } | undefined;
  const tried = new Set<string>();

  const look = (): DecisionInput => {
    const endpoint = route.candidates[route.current]!.endpoint;
    const circuits = {
      admission: endpoint.admission(),
      alternative: route.alternative(),
      msUntilProbe: endpoint.msUntilProbe(),
    };
    return { state, circuits, config, now: performance.now() };
  };
  const switchTo = (index: number, failure: { reason: string; status?: number }) => {
    const from = route.candidates[route.current]!;
    route.switchTo(index);
    stats.failovers++;
    observer.onFailover?.({
      from: from.spec,
      to: route.candidates[index]!.spec,
      reason: failure.reason,
      ...(failure.status !== undefined && { status: failure.status }),
    });
  };
  const giveUp = (candidate: RouteCandidate) =>
    unavailable(candidate, last, state.attempts, performance.now() - state.startedAt, tried);

  for (;;) {
    p.signal?.throwIfAborted();
    const candidate = route.candidates[route.current]!;
    const endpoint = candidate.endpoint;
    const admit = decideAdmission(look());
    if (admit.action === 'failover') {
      state = admit.state;
      switchTo(admit.to, { reason: 'circuit-open' });
      continue;
    }
    if (admit.action !== 'attempt') stats.openCircuitWaits++;
    if (admit.action === 'give-up') throw giveUp(candidate);
    if (admit.action === 'wait-for-probe') {
      await sleep(admit.afterMs, p.signal);
      continue;
    }
    // `attempt-behind-probe`: cockatiel holds this call until the probe in flight succeeds or fails.

    state = { ...state, attempts: state.attempts + 1 };
    tried.add(candidate.spec);
    const report = { provider: candidate.provider.id, model: candidate.spec, attempt: state.attempts };
    const before = observer.beforeAttempt?.(report);
    if (before) await before;
    const limiter = endpoint.limiter;
    const estimate = limiter?.limitsTokens ? p.estimateTokens() : 0;
    const paced = limiter ? await limiter.acquire(estimate, p.signal) : 0;
    const permit = await endpoint.concurrency.acquire(p.signal);
    const queuedMs = paced + permit.waitedMs;
    const t0 = performance.now();
    try {
      const result = await runAttempt(candidate, p.attempt, p.signal, p.config.timeouts.callMs, permit);
      const latencyMs = performance.now() - t0;
      permit.settle('ok');
      endpoint.health.record(true, latencyMs);
      observer.onAttempt?.({ ...report, outcome: 'ok', latencyMs, queuedMs });
      return { result, candidate, estimate };
    } catch (error) {
      const latencyMs = performance.now() - t0;
      if (p.signal?.aborted) throw error;
      const failure = classifyFailure(error);
      const decision = decideRetry({ ...look(), failure, random: Math.random });
      if (decision.action === 'give-up' && decision.reason === 'cancelled') throw error;
      if (decision.action === 'not-sent') {
        state = decision.state;
        if (decision.failoverTo !== undefined) switchTo(decision.failoverTo, failure);
        continue; // Without an alternative, the top of the loop waits for the probe.
      }
      const message = describeFailure(error, candidate.provider, candidate.modelId);
      const details = {
        ...(failure.status !== undefined && { status: failure.status }),
        reason: failure.reason,
        error: message,
      };
      const done = { ...report, latencyMs, queuedMs, ...details };
      endpoint.health.recordError({ message, ...details });
      if (failure.kind === 'availability') {
        last = { failure, error, candidate };
        endpoint.health.record(false, latencyMs);
      }
      switch (decision.action) {
        case 'give-up':
          observer.onAttempt?.({ ...done, outcome: 'failed' });
          if (decision.reason === 'request')
            throw toProviderError(error, candidate.provider, candidate.modelId);
          throw giveUp(candidate);
        case 'failover':
          observer.onAttempt?.({ ...done, outcome: 'failover' });
          state = decision.state;
          switchTo(decision.to, failure);
          continue;
        case 'retry':
          stats.retries++;
          observer.onAttempt?.({ ...done, outcome: 'retry', waitMs: decision.afterMs });
          state = decision.state;
          await sleep(decision.afterMs, p.signal, decision.wakeOnOpen ? endpoint.openedSignal : undefined);
      }
    }
  }
}

/**
 * `permit` (a slot among the calls in flight) is freed with the attempt: for a stream, when it ends.
 * A failure is settled inside the breaker, which may then leave it uncounted (`Endpoint.settleFailure`).
 */
async function runAttempt<T>(
  candidate: RouteCandidate,
  attempt: AttemptFn<T>,
  outer: AbortSignal | undefined,
  callMs: number,
  permit: Permit,
): Promise<T> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    // A stream nobody reads to its end would otherwise keep its slot.
    permit.release();
    controller.abort(new CallTimeoutError(callMs));
  }, callMs);
  const onAbort = () => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onAbort, { once: true });
  let held = false;
  const release = () => {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onAbort);
    permit.release();
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
        candidate.endpoint.settleFailure(permit, error);
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
    {
      provider: (last?.candidate ?? candidate).provider.id,
      model: (last?.candidate ?? candidate).modelId,
      status: last?.failure.status,
      attempts,
      hint,
    },
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
