import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.ts';

describe('TokenBucket', () => {
  it('lets a burst through at once, then queues in order at the refill rate', async () => {
    const bucket = new TokenBucket({ perMinute: 6000, capacity: 2 }); // 1 token every 10 ms
    const order: number[] = [];
    const started = performance.now();
    await Promise.all([1, 2, 3, 4].map((n) => bucket.take(1).then(() => order.push(n))));
    expect(order).toEqual([1, 2, 3, 4]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(15); // two refills; lower bound only
  });

  it('does not let small requests overtake a large one waiting first', async () => {
    const bucket = new TokenBucket({ perMinute: 60_000, capacity: 10 });
    await bucket.take(10);
    const order: string[] = [];
    await Promise.all([
      bucket.take(8).then(() => order.push('large')),
      bucket.take(1).then(() => order.push('small')),
    ]);
    expect(order).toEqual(['large', 'small']);
  });

  it('settles an estimate against the real amount (going negative makes callers wait)', () => {
    const bucket = new TokenBucket({ perMinute: 60, capacity: 100 });
    bucket.settle(10, 150);
    expect(bucket.level).toBeLessThan(0);
  });

  it('clamps a request larger than the capacity instead of waiting forever, and cancels waiters', async () => {
    const bucket = new TokenBucket({ perMinute: 60, capacity: 5 });
    await bucket.take(50);
    const abort = new AbortController();
    const waiting = bucket.take(1, abort.signal);
    abort.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    expect(bucket.queued).toBe(0);
  });
});
