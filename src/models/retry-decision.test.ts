import { ExponentialBackoff, type IBackoff } from 'cockatiel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RESILIENCE_DEFAULTS } from '../config/defaults/index.ts';
import type { Failure } from './classify-failure.ts';
import type { RetryConfig } from './resilience-config.ts';
import {
  type AdmissionDecision,
  type BackoffState,
  type CircuitView,
  decideAdmission,
  decideRetry,
  type GiveUpReason,
  nextBackoff,
  type RetryDecision,
  type RetryState,
} from './retry-decision.ts';

// The defaults: maxAttempts 8, maxRetryTimeMs 30 s, backoff 250 ms → 8 s, Retry-After cap 60 s,
// failover after 2 failures here or on a Retry-After over 2 s.
const DEFAULT_CONFIG: RetryConfig = { ...RESILIENCE_DEFAULTS.retry };

interface Row<D> {
  name: string;
  state?: Partial<RetryState>;
  circuits?: Partial<CircuitView>;
  config?: Partial<RetryConfig>;
  /** ms on the loop's clock; the turn started at `state.startedAt` (0 unless given). */
  now?: number;
  expected: D;
}

const input = (row: Row<unknown>) => ({
  state: { attempts: 1, onCandidate: 0, startedAt: 0, backoff: undefined, ...row.state },
  circuits: { admission: 'closed' as const, alternative: undefined, msUntilProbe: 0, ...row.circuits },
  config: { ...DEFAULT_CONFIG, ...row.config },
  now: row.now ?? 1_000,
});

// The backoff's first two steps with every draw at 0.5 (exact: the draws are fixed).
const B1 = 224.35123389479998;
const S1: BackoffState = { step: 1, prev: 1.2563669098108798 };
const B2 = 273.25088684541976;
const S2: BackoffState = { step: 2, prev: 2.7865718761452305 };

const status503: Failure = { kind: 'availability', status: 503, reason: '503' };
const retryAfter = (ms: number): Failure => ({
  kind: 'availability',
  status: 429,
  reason: '429',
  retryAfterMs: ms,
});
const circuitOpen: Failure = { kind: 'availability', reason: 'circuit-open' };
const fresh = (attempts: number): RetryState => ({
  attempts,
  onCandidate: 0,
  startedAt: 0,
  backoff: undefined,
});
const retry = (afterMs: number, state: Partial<RetryState>, wakeOnOpen = false): RetryDecision => ({
  action: 'retry',
  afterMs,
  wakeOnOpen,
  state: { ...fresh(1), ...state },
});
/** The first retry on a candidate: one failure here, the backoff's first step taken. */
const firstRetry = (afterMs: number, wakeOnOpen = false) =>
  retry(afterMs, { onCandidate: 1, backoff: S1 }, wakeOnOpen);
const giveUp = <R extends GiveUpReason>(reason: R) => ({ action: 'give-up' as const, reason });

describe('decideAdmission', () => {
  it.each<Row<AdmissionDecision>>([
    { name: 'a closed circuit: attempt, even past the budget', now: 99_000, expected: { action: 'attempt' } },
    {
      name: 'an open circuit whose cool-down is over: attempt (the probe)',
      circuits: { admission: 'probe', alternative: 1 },
      expected: { action: 'attempt' },
    },
    {
      name: 'an open circuit with an alternative: fail over, fresh on the new candidate',
      state: { attempts: 3, onCandidate: 1, backoff: S1 },
      circuits: { admission: 'open', alternative: 2, msUntilProbe: 800 },
      expected: { action: 'failover', to: 2, state: fresh(3) },
    },
    {
      name: 'a probe in flight with an alternative: fail over',
      circuits: { admission: 'busy', alternative: 1 },
      expected: { action: 'failover', to: 1, state: fresh(1) },
    },
    {
      name: 'a probe in flight, nowhere else to go: attempt behind it',
      circuits: { admission: 'busy' },
      expected: { action: 'attempt-behind-probe' },
    },
    {
      name: 'an open circuit, nowhere else to go: wait for its probe',
      circuits: { admission: 'open', msUntilProbe: 1_200 },
      expected: { action: 'wait-for-probe', afterMs: 1_200 },
    },
    {
      name: 'a probe due exactly at the end of the budget: wait',
      state: { startedAt: 5_000 },
      circuits: { admission: 'open', msUntilProbe: 1_000 },
      now: 34_000,
      expected: { action: 'wait-for-probe', afterMs: 1_000 },
    },
    {
      name: 'a probe due past the budget: give up',
      state: { startedAt: 5_000 },
      circuits: { admission: 'open', msUntilProbe: 1_000 },
      now: 34_001,
      expected: giveUp('time-budget'),
    },
  ])('$name', (row) => {
    expect(decideAdmission(input(row))).toEqual(row.expected);
  });
});

type RetryRow = Row<RetryDecision> & { failure: Failure; draws?: number[] };

describe('decideRetry', () => {
  it.each<RetryRow>([
    // Failures that are not the provider's.
    {
      name: 'a cancelled call gives up at once, even with an alternative',
      failure: { kind: 'cancelled', reason: 'cancelled' },
      circuits: { alternative: 1 },
      expected: giveUp('cancelled'),
    },
    {
      name: 'a request failure (400) gives up at once, with attempts and an alternative left',
      failure: { kind: 'request', status: 400, reason: '400' },
      circuits: { alternative: 1 },
      expected: giveUp('request'),
    },
    {
      name: 'an unknown error (a bug) gives up at once too',
      failure: { kind: 'request', reason: 'TypeError' },
      expected: giveUp('request'),
    },
    // The circuit refused the call before it went out.
    {
      name: 'refused by an open circuit, nowhere else to go: attempt given back, look again',
      failure: circuitOpen,
      state: { attempts: 3, onCandidate: 1, backoff: S1 },
      expected: {
        action: 'not-sent',
        failoverTo: undefined,
        state: { ...fresh(2), onCandidate: 1, backoff: S1 },
      },
    },
    {
      name: 'refused by an open circuit, with an alternative: attempt given back, move on',
      failure: circuitOpen,
      state: { attempts: 3, onCandidate: 1, backoff: S1 },
      circuits: { admission: 'open', alternative: 1 },
      expected: { action: 'not-sent', failoverTo: 1, state: fresh(2) },
    },
    {
      name: 'a refusal is no attempt, so it never hits maxAttempts',
      failure: circuitOpen,
      state: { attempts: 8 },
      expected: { action: 'not-sent', failoverTo: undefined, state: fresh(7) },
    },
    // Backoff.
    { name: 'a 503: back off with jitter', failure: status503, expected: firstRetry(B1) },
    {
      name: 'a timeout: the same',
      failure: { kind: 'availability', reason: 'timeout' },
      expected: firstRetry(B1),
    },
    {
      name: 'the second backoff grows from the first',
      failure: { kind: 'availability', reason: 'connection' },
      state: { attempts: 2, onCandidate: 1, backoff: S1 },
      expected: retry(B2, { attempts: 2, onCandidate: 2, backoff: S2 }),
    },
    {
      name: 'the backoff is capped at maxDelayMs',
      failure: status503,
      state: { attempts: 5, onCandidate: 4, backoff: { step: 10, prev: 1 } },
      expected: retry(8_000, {
        attempts: 5,
        onCandidate: 5,
        backoff: { step: 11, prev: 1448.1478841868704 },
      }),
    },
    // maxAttempts.
    {
      name: 'the 8th failed attempt gives up, even with an alternative',
      failure: status503,
      state: { attempts: 8 },
      circuits: { alternative: 1 },
      expected: giveUp('attempts'),
    },
    {
      name: 'the 7th still retries',
      failure: status503,
      state: { attempts: 7 },
      expected: retry(B1, { attempts: 7, onCandidate: 1, backoff: S1 }),
    },
    {
      name: 'maxAttempts 1: the first failure gives up',
      failure: status503,
      config: { maxAttempts: 1 },
      expected: giveUp('attempts'),
    },
    // Failover.
    {
      name: 'with an alternative, the first failure retries here; an opening circuit ends the wait',
      failure: status503,
      circuits: { alternative: 1 },
      expected: firstRetry(B1, true),
    },
    {
      name: 'the second failure here (failoverAfterAttempts) fails over, fresh on the new candidate',
      failure: status503,
      state: { attempts: 2, onCandidate: 1, backoff: S1 },
      circuits: { alternative: 2 },
      expected: { action: 'failover', to: 2, state: fresh(2) },
    },
    {
      name: 'failoverAfterAttempts 1: the first failure fails over',
      failure: status503,
      config: { failoverAfterAttempts: 1 },
      circuits: { alternative: 1 },
      expected: { action: 'failover', to: 1, state: fresh(1) },
    },
    {
      name: 'nowhere else to go: keeps retrying here past failoverAfterAttempts',
      failure: status503,
      state: { attempts: 2, onCandidate: 1, backoff: S1 },
      expected: retry(B2, { attempts: 2, onCandidate: 2, backoff: S2 }),
    },
    {
      name: 'this candidate’s circuit is now open: fail over at once',
      failure: status503,
      circuits: { admission: 'open', alternative: 1 },
      expected: { action: 'failover', to: 1, state: fresh(1) },
    },
    {
      name: 'its circuit is open, nowhere else to go: back off here',
      failure: status503,
      circuits: { admission: 'open', msUntilProbe: 5_000 },
      expected: firstRetry(B1),
    },
    {
      name: 'a probe in flight (busy) is no reason to move on',
      failure: status503,
      circuits: { admission: 'busy', alternative: 1 },
      expected: firstRetry(B1, true),
    },
    {
      name: 'a failover is not held to the time budget (maxAttempts bounds it)',
      failure: status503,
      state: { attempts: 2, onCandidate: 1 },
      circuits: { alternative: 1 },
      now: 60_000,
      expected: { action: 'failover', to: 1, state: fresh(2) },
    },
    // Retry-After.
    {
      name: 'Retry-After: never sooner, up to 10% later; the backoff steps on anyway',
      failure: retryAfter(300),
      expected: firstRetry(315),
    },
    {
      name: 'the backoff draws first, the Retry-After jitter second',
      failure: retryAfter(300),
      draws: [0.1, 0.9],
      expected: retry(327, { onCandidate: 1, backoff: { step: 1, prev: 0.5999152528544485 } }),
    },
    { name: 'Retry-After 0: at once', failure: retryAfter(0), expected: firstRetry(0) },
    {
      name: 'the jitter on a Retry-After is at most 1 s; nowhere else to go, so it is waited out',
      failure: retryAfter(20_000),
      expected: firstRetry(20_500),
    },
    {
      name: 'a Retry-After over failoverIfRetryAfterOverMs fails over at once',
      failure: retryAfter(2_001),
      circuits: { alternative: 1 },
      expected: { action: 'failover', to: 1, state: fresh(1) },
    },
    {
      name: 'a Retry-After of exactly failoverIfRetryAfterOverMs is waited here',
      failure: retryAfter(2_000),
      circuits: { alternative: 1 },
      expected: firstRetry(2_100, true),
    },
    {
      name: 'a Retry-After is capped at retryAfterCapMs',
      failure: retryAfter(120_000),
      config: { maxRetryTimeMs: 120_000 },
      expected: firstRetry(60_500),
    },
    {
      name: 'capped under failoverIfRetryAfterOverMs: a long Retry-After is cut and waited here',
      failure: retryAfter(5_000),
      config: { retryAfterCapMs: 1_000 },
      circuits: { alternative: 1 },
      expected: firstRetry(1_050, true),
    },
    // The time budget.
    {
      name: 'a backoff that would end past maxRetryTimeMs gives up',
      failure: status503,
      now: 29_800,
      expected: giveUp('time-budget'),
    },
    {
      name: 'a (capped) Retry-After longer than the budget gives up',
      failure: retryAfter(120_000),
      expected: giveUp('time-budget'),
    },
    {
      name: 'a wait ending exactly at the budget is allowed (elapsed counts from startedAt)',
      failure: retryAfter(100),
      draws: [0.5, 0],
      state: { startedAt: 5_000 },
      now: 34_900,
      expected: retry(100, { startedAt: 5_000, onCandidate: 1, backoff: S1 }),
    },
    {
      name: 'one ms more gives up',
      failure: retryAfter(100),
      draws: [0.5, 0],
      state: { startedAt: 5_000 },
      now: 34_901,
      expected: giveUp('time-budget'),
    },
  ])('$name', (row) => {
    const draws = [...(row.draws ?? [0.5, 0.5])];
    const random = () => draws.shift() ?? 0.5;
    expect(decideRetry({ ...input(row), failure: row.failure, random })).toEqual(row.expected);
  });
});

describe('nextBackoff', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('is cockatiel’s ExponentialBackoff (decorrelated jitter), draw for draw, up to its cap', () => {
    const draws = [0.13, 0.97, 0.5, 0, 0.71, 0.42, 0.999, 0.25, 0.6, 0.05, 0.8];
    let i = 0;
    vi.spyOn(Math, 'random').mockImplementation(() => draws[i++ % draws.length]!);
    let theirs: IBackoff<unknown> = new ExponentialBackoff({ initialDelay: 250, maxDelay: 8_000 }).next();
    const expected = [theirs.duration];
    for (let step = 1; step < draws.length; step++) {
      theirs = theirs.next(undefined);
      expected.push(theirs.duration);
    }
    let state: BackoffState | undefined;
    const ours = draws.map((draw) => {
      const next = nextBackoff(state, { initialDelayMs: 250, maxDelayMs: 8_000 }, () => draw);
      state = next.state;
      return next.delayMs;
    });
    expect(ours).toEqual(expected);
    expect(ours.at(-1)).toBe(8_000);
  });
});
