import { describe, expect, it } from 'vitest';
import { RESILIENCE_DEFAULTS } from '../config/defaults/index.ts';
import { resolveResilience } from './resilience-config.ts';

describe('resolveResilience', () => {
  it('fills what is not given from the defaults, group by group', () => {
    const config = resolveResilience({ retry: { maxAttempts: 2 }, timeouts: { callMs: 1_000 } });
    expect(config.retry).toEqual({ ...RESILIENCE_DEFAULTS.retry, maxAttempts: 2 });
    expect(config.timeouts).toEqual({ ...RESILIENCE_DEFAULTS.timeouts, callMs: 1_000 });
    expect(config.breaker).toEqual(RESILIENCE_DEFAULTS.breaker);
  });

  it('refuses a negative or NaN setting, naming it', () => {
    expect(() => resolveResilience({ breaker: { halfOpenAfterMs: -1 } })).toThrow(
      new RangeError('resilience.breaker.halfOpenAfterMs must be a non-negative number, got -1'),
    );
    expect(() => resolveResilience({ timeouts: { idleMs: Number.NaN } })).toThrow(
      'resilience.timeouts.idleMs must be a non-negative number, got NaN',
    );
  });

  it('needs at least one attempt', () => {
    expect(() => resolveResilience({ retry: { maxAttempts: 0 } })).toThrow(
      new RangeError('resilience.retry.maxAttempts must be at least 1'),
    );
  });
});
