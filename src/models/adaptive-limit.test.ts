import { describe, expect, it } from 'vitest';
import {
  AdaptiveLimit,
  AIMD_DEFAULTS,
  type AimdConfig,
  type AimdSample,
  type AimdState,
  initialAimd,
  nextAimd,
  type Permit,
} from './adaptive-limit.ts';

const config = (extra: Partial<AimdConfig> = {}): AimdConfig => ({ ...AIMD_DEFAULTS, max: 20, ...extra });
const ok = (inFlight: number, cutsAtStart = 0, latencyMs = 100): AimdSample => ({
  outcome: 'ok',
  latencyMs,
  inFlight,
  cutsAtStart,
});
const overload = (inFlight: number, cutsAtStart = 0): AimdSample => ({
  outcome: 'overload',
  inFlight,
  cutsAtStart,
});

/** Runs a sequence of samples from the initial state; returns the limit after each. */
function limits(c: AimdConfig, samples: AimdSample[], from: AimdState = initialAimd(c)): number[] {
  let state = from;
  return samples.map((sample) => {
    state = nextAimd(state, sample, c);
    return Math.round(state.limit * 1000) / 1000;
  });
}

describe('nextAimd', () => {
  const full = (n: number, at = 18, cuts = 1) => Array.from({ length: n }, () => ok(at, cuts));
  it.each([
    {
      name: 'starts at 10 and, while used, slow-starts (one more per success) up to the ceiling',
      config: config({ max: 14 }),
      samples: full(6, 10, 0),
      expected: [11, 12, 13, 14, 14, 14],
    },
    {
      name: 'starts at a ceiling under 10',
      config: config({ max: 4 }),
      samples: [ok(4)],
      expected: [4],
    },
    {
      name: 'does not grow while less than half the limit is in use (an unused limit proves nothing)',
      config: config({ max: 20 }),
      samples: [ok(4), ok(5)],
      expected: [10, 11],
    },
    {
      name: 'cuts to β × the calls in flight, slow-starts back to β × the old limit, then adds one per round trip',
      config: config({ max: 20, initial: 20 }),
      samples: [overload(10), ...full(10)],
      expected: [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 18.056],
    },
    {
      name: 'above the threshold grows by 1/limit per success: one more call per round trip',
      config: config({ max: 20, initial: 20 }),
      samples: [overload(20), ...full(2)],
      expected: [18, 18.056, 18.111],
    },
    {
      name: 'cuts a window once: calls sent before the latest cut do not cut again',
      config: config({ max: 20, initial: 20 }),
      samples: [overload(20), overload(19), overload(18), overload(12, 1), overload(11, 1)],
      expected: [18, 18, 18, 10.8, 10.8],
    },
    {
      name: 'cuts from the limit when more are in flight than it allows (sent before a cut)',
      config: config({ max: 20, initial: 20 }),
      samples: [overload(20), overload(20, 1)],
      expected: [18, 16.2],
    },
    {
      name: 'without a ceiling grows only while used',
      config: config({ max: Number.POSITIVE_INFINITY }),
      samples: [ok(10), ok(11), ok(3), ok(3)],
      expected: [11, 12, 12, 12],
    },
    {
      name: 'never goes under the floor',
      config: config({ max: 20, min: 4 }),
      samples: [overload(3), overload(2, 1)],
      expected: [4, 4],
    },
    {
      name: 'a floor equal to the ceiling is a fixed limit',
      config: config({ max: 8, min: 8 }),
      samples: [overload(8), overload(8, 1), ok(8, 2)],
      expected: [8, 8, 8],
    },
  ])('$name', ({ config: c, samples, expected }) => {
    expect(limits(c, samples)).toEqual(expected);
  });

  it('adds about one call per round trip (a limit’s worth of successes) above the threshold', () => {
    const c = config({ max: 30, initial: 20 });
    const after = limits(c, [overload(20), ...full(18)]).at(-1)!;
    expect(after).toBeGreaterThan(18.9);
    expect(after).toBeLessThan(19);
  });

  it('cuts when latency grows past the tolerance, once a baseline is known, and not on steady latency', () => {
    const c = config({ max: 20, initial: 20 });
    const steady = Array.from({ length: 30 }, () => ok(20, 0, 300));
    expect(limits(c, steady).at(-1)).toBe(20);
    // Ten samples of 300 ms, then calls three times slower: the recent average passes 2 × 300 ms.
    const warm = steady.slice(0, 10);
    const slow = Array.from({ length: 3 }, () => ok(20, 0, 900));
    expect(limits(c, [...warm, ...slow])).toEqual([...Array(10).fill(20), 20, 20, 18]);
    // Calls of 10 ms slowed to 100 ms by a pause of the event loop: tenfold, but not queueing.
    const short = Array.from({ length: 10 }, () => ok(20, 0, 10));
    const paused = Array.from({ length: 5 }, () => ok(20, 0, 100));
    expect(limits(c, [...short, ...paused]).at(-1)).toBe(20);
  });

  it('a lasting step in latency costs a few cuts, not a collapse to the floor', () => {
    const c = config({ max: 20, initial: 20 });
    let state = initialAimd(c);
    for (let i = 0; i < 20; i++) state = nextAimd(state, ok(20, 0, 300), c);
    // From now on every call takes 5 × as long, whatever the concurrency.
    for (let i = 0; i < 300; i++) state = nextAimd(state, ok(state.limit, state.cuts, 1_500), c);
    expect(state.cuts).toBeGreaterThan(0);
    expect(state.cuts).toBeLessThanOrEqual(4);
    expect(state.limit).toBe(20);
  });
});

/** A hand-driven clock. */
function clock() {
  let now = 0;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('AdaptiveLimit', () => {
  it('makes calls over the limit wait in order, and lets them go as slots free', async () => {
    const time = clock();
    const gate = new AdaptiveLimit({ max: 2, now: time.now });
    const first = await gate.acquire();
    const second = await gate.acquire();
    const order: number[] = [];
    const waiting = [3, 4].map((n) =>
      gate.acquire().then((permit) => {
        order.push(n);
        return permit;
      }),
    );
    expect(gate.snapshot()).toEqual({ limit: 2, inFlight: 2, waiting: 2, waited: 2, cuts: 0 });
    time.advance(50);
    first.settle('ok');
    first.release();
    const third = await waiting[0]!;
    expect(order).toEqual([3]);
    expect(third.waitedMs).toBe(50);
    second.release();
    await waiting[1];
    expect(order).toEqual([3, 4]);
    expect(gate.snapshot()).toMatchObject({ inFlight: 2, waiting: 0, waited: 2 });
  });

  it('holds new calls while more are in flight than a cut limit allows, and counts a call settled after its release', async () => {
    const gate = new AdaptiveLimit({ max: 10 });
    const permits: Permit[] = [];
    for (let i = 0; i < 10; i++) permits.push(await gate.acquire());
    // Released first (a reply read in full), then settled: it still counts among the 10 in flight.
    permits[0]!.release();
    permits[0]!.settle('overload');
    expect(gate.limit).toBe(9);
    permits[1]!.settle('overload'); // same window: no second cut
    expect(gate.limit).toBe(9);
    let granted = false;
    const next = gate.acquire().then((permit) => {
      granted = true;
      return permit;
    });
    await Promise.resolve();
    expect(granted).toBe(false); // 9 in flight, limit 9
    permits[1]!.release();
    await next;
    expect(granted).toBe(true);
    expect(gate.snapshot()).toMatchObject({ limit: 9, cuts: 1 });
  });

  it('ignores outcomes that say nothing about load, and settles and releases once', async () => {
    const gate = new AdaptiveLimit({ max: 4 });
    const permit = await gate.acquire();
    permit.settle('other');
    permit.settle('overload');
    permit.release();
    permit.release();
    expect(gate.snapshot()).toEqual({ limit: 4, inFlight: 0, waiting: 0, waited: 0, cuts: 0 });
  });

  it('stops waiting when the call is cancelled, and refuses an already-cancelled one', async () => {
    const gate = new AdaptiveLimit({ max: 1 });
    const held = await gate.acquire();
    const abort = new AbortController();
    const waiting = gate.acquire(abort.signal);
    abort.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    await expect(gate.acquire(abort.signal)).rejects.toThrow('stop');
    expect(gate.snapshot()).toMatchObject({ inFlight: 1, waiting: 0 });
    held.release();
    expect(gate.snapshot().inFlight).toBe(0);
  });

  it('without a ceiling starts at 10, and lets a waiting call go as soon as the limit grows', async () => {
    const gate = new AdaptiveLimit();
    const permits = await Promise.all(Array.from({ length: 10 }, () => gate.acquire()));
    const eleventh = gate.acquire();
    expect(gate.snapshot()).toMatchObject({ limit: 10, inFlight: 10, waiting: 1, waited: 1 });
    permits[0]!.settle('ok'); // still in flight: the limit grows to 11 and the waiting call goes
    await eleventh;
    expect(gate.snapshot()).toMatchObject({ limit: 11, inFlight: 11, waiting: 0 });
  });
});
