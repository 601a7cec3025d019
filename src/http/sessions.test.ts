import { describe, expect, it } from 'vitest';
import { DashboardSessions } from './sessions.ts';

describe('DashboardSessions', () => {
  const clock = () => {
    const c = { t: 1_000_000, now: () => c.t };
    return c;
  };

  it('opens one session per code, once, and only while the code is fresh', () => {
    const c = clock();
    const s = new DashboardSessions({ linkTtlMs: 60_000, sessionTtlMs: 3_600_000, max: 10, now: c.now });
    const { code, expiresAt } = s.issueCode();
    expect(expiresAt).toBe(c.t + 60_000);
    expect(code).toMatch(/^[\w-]{43}$/);
    const opened = s.redeem(code);
    expect(opened?.expiresAt).toBe(c.t + 3_600_000);
    expect(s.redeem(code)).toBeUndefined();
    expect(s.valid(opened!.sessionId)).toBe(true);

    const late = s.issueCode();
    c.t += 60_000;
    expect(s.redeem(late.code)).toBeUndefined();
    expect(s.redeem('made-up')).toBeUndefined();
  });

  it('ends a session at its expiry or on logout, and never knows an id it did not issue', () => {
    const c = clock();
    const s = new DashboardSessions({ linkTtlMs: 60_000, sessionTtlMs: 1_000, max: 10, now: c.now });
    const a = s.redeem(s.issueCode().code)!.sessionId;
    const b = s.redeem(s.issueCode().code)!.sessionId;
    expect(a).not.toBe(b);
    s.end(b);
    expect(s.valid(b)).toBe(false);
    expect(s.valid(`${a}x`)).toBe(false);
    c.t += 999;
    expect(s.valid(a)).toBe(true);
    c.t += 1;
    expect(s.valid(a)).toBe(false);
  });

  it('keeps at most `max` codes and sessions, dropping the oldest first', () => {
    const s = new DashboardSessions({ linkTtlMs: 60_000, sessionTtlMs: 60_000, max: 2 });
    const codes = [s.issueCode().code, s.issueCode().code, s.issueCode().code];
    expect(s.redeem(codes[0]!)).toBeUndefined();
    const ids = [s.redeem(codes[1]!)!.sessionId, s.redeem(codes[2]!)!.sessionId];
    const third = s.redeem(s.issueCode().code)!.sessionId;
    expect([s.valid(ids[0]!), s.valid(ids[1]!), s.valid(third)]).toEqual([false, true, true]);
  });
});
