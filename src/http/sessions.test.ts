import { describe, expect, it } from 'vitest';
import { DashboardSessions, type StreamLease } from './sessions.ts';

describe('DashboardSessions', () => {
  const clock = () => {
    const c = { t: 1_000_000, now: () => c.t };
    return c;
  };
  const lease = (value: ReturnType<DashboardSessions['openStream']>): StreamLease => {
    if (typeof value === 'string') throw new Error(`refused: ${value}`);
    return value;
  };

  it('opens one session per code, once, and only while the code is fresh', () => {
    const c = clock();
    const s = new DashboardSessions({ linkTtlMs: 60_000, sessionTtlMs: 3_600_000, max: 10, now: c.now });
    const { code, expiresAt } = s.issueCode()!;
    expect(expiresAt).toBe(c.t + 60_000);
    expect(code).toMatch(/^[\w-]{43}$/);
    const opened = s.redeem(code);
    expect(opened?.expiresAt).toBe(c.t + 3_600_000);
    expect(s.valid(opened!.sessionId)).toBe(true);

    const late = s.issueCode()!;
    c.t += 60_000;
    expect(s.redeem(late.code)).toBeUndefined();
    expect(s.redeem('made-up')).toBeUndefined();
  });

  it('ends the session a code opened when the code is redeemed again (a stolen or replayed link)', () => {
    const s = new DashboardSessions({ linkTtlMs: 60_000, sessionTtlMs: 60_000, max: 10 });
    const { code } = s.issueCode()!;
    const first = s.redeem(code)!.sessionId;
    expect(s.redeem(code)).toBeUndefined();
    expect(s.valid(first)).toBe(false);
    // Spent for good: a third try opens nothing either.
    expect(s.redeem(code)).toBeUndefined();
  });

  it('ends a session at its expiry or on logout, and never knows an id it did not issue', () => {
    const c = clock();
    const s = new DashboardSessions({ linkTtlMs: 60_000, sessionTtlMs: 1_000, max: 10, now: c.now });
    const a = s.redeem(s.issueCode()!.code)!.sessionId;
    const b = s.redeem(s.issueCode()!.code)!.sessionId;
    expect(a).not.toBe(b);
    s.end(b);
    expect(s.valid(b)).toBe(false);
    expect(s.valid(`${a}x`)).toBe(false);
    c.t += 999;
    expect(s.valid(a)).toBe(true);
    c.t += 1;
    expect(s.valid(a)).toBe(false);
  });

  it('refuses new codes at `max` (codes and sessions together) instead of pushing a live session out', () => {
    const c = clock();
    const s = new DashboardSessions({ linkTtlMs: 100, sessionTtlMs: 1_000, max: 2, now: c.now });
    const live = s.redeem(s.issueCode()!.code)!.sessionId;
    const pending = s.issueCode()!;
    expect(s.issueCode()).toBeUndefined();
    expect(s.valid(live)).toBe(true);
    // The outstanding code still opens its session: it had its place from issue.
    expect(s.redeem(pending.code)).toBeDefined();
    // Room again once sessions end or expire, and unused codes run out.
    s.end(live);
    expect(s.issueCode()).toBeDefined();
    c.t += 1_000;
    expect(s.issueCode()).toBeDefined();
  });

  it("limits a holder's event streams and all of them; logout, expiry and release free them", () => {
    const c = clock();
    const s = new DashboardSessions({
      linkTtlMs: 60_000,
      sessionTtlMs: 60_000,
      max: 10,
      streamsPerHolder: 2,
      streams: 3,
      now: c.now,
    });
    const a = s.redeem(s.issueCode()!.code)!.sessionId;
    const b = s.redeem(s.issueCode()!.code)!.sessionId;
    const a1 = lease(s.openStream(a));
    const a2 = lease(s.openStream(a));
    expect(s.openStream(a)).toBe('holder');
    const b1 = lease(s.openStream(b));
    expect(s.openStream(b)).toBe('server');
    expect(s.openStream(undefined)).toBe('server');
    expect(s.openStream('not-a-session')).toBe('holder');

    s.end(a);
    expect([a1.signal.aborted, a2.signal.aborted, b1.signal.aborted]).toEqual([true, true, false]);
    a1.release();
    a1.release(); // twice is once
    a2.release();
    // The token's programs are one holder of their own.
    const t1 = lease(s.openStream(undefined));
    const t2 = lease(s.openStream(undefined));
    expect(s.openStream(undefined)).toBe('holder');
    t1.release();
    t2.release();
    expect(lease(s.openStream(undefined)).signal.aborted).toBe(false);

    c.t += 60_000;
    expect(s.openStream(b)).toBe('holder');
    expect(b1.signal.aborted).toBe(true);
  });

  it('closes a stream when its session expires, without anyone asking', async () => {
    const c = clock();
    const s = new DashboardSessions({ linkTtlMs: 60_000, sessionTtlMs: 60_000, max: 10, now: c.now });
    const id = s.redeem(s.issueCode()!.code)!.sessionId;
    // 20 ms of the session left: the stream's timer ends it then (real time, this clock stands still).
    c.t += 59_980;
    const stream = lease(s.openStream(id));
    c.t += 20;
    await new Promise((resolve) => stream.signal.addEventListener('abort', resolve));
    expect(s.valid(id)).toBe(false);
  });
});
