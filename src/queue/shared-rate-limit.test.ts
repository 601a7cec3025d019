import { describe, expect, it } from 'vitest';
import { fixedWindow } from './shared-rate-limit.ts';

describe('the window a shared rate limit is counted in', () => {
  it('is a minute, or shorter to hold a burst, in whole seconds', () => {
    expect(fixedWindow(50)).toEqual({ points: 50, duration: 60 });
    expect(fixedWindow(60, 10)).toEqual({ points: 10, duration: 10 });
    expect(fixedWindow(120, 2)).toEqual({ points: 2, duration: 1 });
    // A burst over the rate, or none at all, changes nothing; one under a second's worth is a second's.
    expect(fixedWindow(60, 600)).toEqual({ points: 60, duration: 60 });
    expect(fixedWindow(60, 0)).toEqual({ points: 60, duration: 60 });
    expect(fixedWindow(6000, 1)).toEqual({ points: 100, duration: 1 });
    // Less than one a minute still lets one through.
    expect(fixedWindow(0.5)).toEqual({ points: 1, duration: 60 });
  });
});
