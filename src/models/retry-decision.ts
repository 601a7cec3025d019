import type { Failure } from './classify-failure.ts';
import type { EndpointAdmission } from './endpoint.ts';
import type { RetryConfig } from './resilience-config.ts';

/**
 * What the retry loop of one model turn remembers between attempts. Plain data: the loop carries it
 * and takes the next one from each decision, so every choice below can be tested without a clock.
 */
export interface RetryState {
  /** Attempts sent in this turn (across candidates), counting the one that just failed. */
  attempts: number;
  /** Failed attempts on the current candidate before the one that just failed. */
  onCandidate: number;
  /** When the turn began, on the clock `now` is read from (`performance.now()`). */
  startedAt: number;
  /** The current candidate's backoff so far; none before its first retry. */
  backoff: BackoffState | undefined;
}

/** Decorrelated-jitter state: steps taken and the last formula value (cockatiel's `[attempt, prev]`). */
export interface BackoffState {
  step: number;
  prev: number;
}

/** The route's circuits as seen at the moment of the decision. */
export interface CircuitView {
  /** The current candidate's circuit. */
  admission: EndpointAdmission;
  /** The next candidate whose circuit lets a call through (`ModelRoute.alternative()`), if any. */
  alternative: number | undefined;
  /** Until the current candidate's open circuit lets its probe through (0 unless open). */
  msUntilProbe: number;
}

export interface DecisionInput {
  state: RetryState;
  circuits: CircuitView;
  config: RetryConfig;
  now: number;
}

/** `attempts`/`time-budget` end as ProviderUnavailable; `request` as ProviderError; `cancelled` rethrows. */
export type GiveUpReason = 'cancelled' | 'request' | 'attempts' | 'time-budget';

export type AdmissionDecision =
  /** The circuit lets the call through. */
  | { action: 'attempt' }
  /** A probe is in flight and there is nowhere else to go: cockatiel holds the call until it settles. */
  | { action: 'attempt-behind-probe' }
  | { action: 'failover'; to: number; state: RetryState }
  | { action: 'wait-for-probe'; afterMs: number }
  | { action: 'give-up'; reason: 'time-budget' };

export type RetryDecision =
  /** Same candidate after `afterMs`; `wakeOnOpen`: end the wait early if its circuit opens meanwhile. */
  | { action: 'retry'; afterMs: number; wakeOnOpen: boolean; state: RetryState }
  | { action: 'failover'; to: number; state: RetryState }
  /** An open circuit refused the call before it went out: no attempt spent, nothing to report. */
  | { action: 'not-sent'; failoverTo: number | undefined; state: RetryState }
  | { action: 'give-up'; reason: GiveUpReason };

/** Before each attempt: go ahead, move off an open circuit, or wait for its probe within the budget. */
export function decideAdmission({ state, circuits, config, now }: DecisionInput): AdmissionDecision {
  const { admission, alternative } = circuits;
  if (admission === 'closed' || admission === 'probe') return { action: 'attempt' };
  if (alternative !== undefined) return failover(state, alternative);
  if (admission === 'busy') return { action: 'attempt-behind-probe' };
  if (now - state.startedAt + circuits.msUntilProbe > config.maxRetryTimeMs)
    return { action: 'give-up', reason: 'time-budget' };
  return { action: 'wait-for-probe', afterMs: circuits.msUntilProbe };
}

/**
 * After a failed attempt. A request failure gives up at once (the same request fails the same way
 * everywhere). An availability failure retries here after a backoff (exponential with jitter, or the
 * provider's Retry-After, capped), or fails over after `failoverAfterAttempts` failures here, an open
 * circuit, or a Retry-After over `failoverIfRetryAfterOverMs` — bounded by `maxAttempts` and, for
 * waits, `maxRetryTimeMs`. `random` draws the jitter (`Math.random` in use; fixed in tests).
 */
export function decideRetry(
  input: DecisionInput & { failure: Failure; random: () => number },
): RetryDecision {
  const { state, circuits, config, now, failure, random } = input;
  const { alternative } = circuits;
  if (failure.kind === 'cancelled') return { action: 'give-up', reason: 'cancelled' };
  if (failure.reason === 'circuit-open') {
    // Nothing was sent, so the attempt is given back.
    const unspent = { ...state, attempts: state.attempts - 1 };
    if (alternative === undefined) return { action: 'not-sent', failoverTo: undefined, state: unspent };
    return { action: 'not-sent', failoverTo: alternative, state: failover(unspent, alternative).state };
  }
  if (failure.kind === 'request') return { action: 'give-up', reason: 'request' };
  const onCandidate = state.onCandidate + 1;
  if (state.attempts >= config.maxAttempts) return { action: 'give-up', reason: 'attempts' };
  // Capped before the failover test: a cap under `failoverIfRetryAfterOverMs` means a long
  // Retry-After is waited out (capped) here rather than failed over.
  const retryAfter =
    failure.retryAfterMs === undefined ? undefined : Math.min(failure.retryAfterMs, config.retryAfterCapMs);
  const moveOn =
    onCandidate >= config.failoverAfterAttempts ||
    circuits.admission === 'open' ||
    (retryAfter ?? 0) > config.failoverIfRetryAfterOverMs;
  if (alternative !== undefined && moveOn) return failover(state, alternative);
  // The backoff steps on even when Retry-After sets the wait, and draws before the Retry-After jitter.
  const backoff = nextBackoff(state.backoff, config, random);
  // Never sooner than the provider asked; a little later, so a crowd told the same time spreads out.
  const afterMs =
    retryAfter !== undefined ? retryAfter + random() * Math.min(retryAfter * 0.1, 1000) : backoff.delayMs;
  // Only a wait is held to the time budget: a failover goes at once, bounded by `maxAttempts`.
  if (now - state.startedAt + afterMs > config.maxRetryTimeMs)
    return { action: 'give-up', reason: 'time-budget' };
  return {
    action: 'retry',
    afterMs,
    wakeOnOpen: alternative !== undefined,
    state: { ...state, onCandidate, backoff: backoff.state },
  };
}

/** A new candidate starts with no failures and a fresh backoff. */
function failover(state: RetryState, to: number): { action: 'failover'; to: number; state: RetryState } {
  return { action: 'failover', to, state: { ...state, onCandidate: 0, backoff: undefined } };
}

/** Exponent of the backoff (cockatiel's default). */
const EXPONENT = 2;
/** Smooths the first delay (Polly's pFactor). */
const P_FACTOR = 4;
/** Puts the median delays near 1, 2, 4… × initialDelayMs instead of 1.4, 2.8, 5.6… */
const RP_SCALING = 1 / 1.4;

/**
 * cockatiel's `decorrelatedJitterGenerator` (Polly's DecorrelatedJitterV2, the default of its
 * `ExponentialBackoff`), step for step. cockatiel reads `Math.random` itself, so the formula is
 * restated here with the draw injected; `retry-decision.test.ts` checks the two agree.
 */
export function nextBackoff(
  state: BackoffState | undefined,
  config: Pick<RetryConfig, 'initialDelayMs' | 'maxDelayMs'>,
  random: () => number,
): { delayMs: number; state: BackoffState } {
  const { step, prev } = state ?? { step: 0, prev: 0 };
  const t = step + random();
  const next = EXPONENT ** t * Math.tanh(Math.sqrt(P_FACTOR * t));
  const intrinsic = Number.isFinite(next) ? Math.max(0, next - prev) : Number.POSITIVE_INFINITY;
  return {
    delayMs: Math.min(intrinsic * RP_SCALING * config.initialDelayMs, config.maxDelayMs),
    state: { step: step + 1, prev: next },
  };
}
