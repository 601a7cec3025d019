import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TaskCancelledError } from '../src/errors/index.ts';
import { SharedRateLimiter, sharedRateLimiter } from '../src/queue/shared-rate-limit.ts';
import { freePort, startTestRedis, type TestRedis } from '../src/queue/testing.ts';
import { useHarness } from './support.ts';

// Each limiter has its own Redis connection, as two workers would; a test's keys are its own
// (a prefix per test), so a window one test filled does not hold up the next.
const h = useHarness();
let server: TestRedis;
const clients: Redis[] = [];
const stops: AbortController[] = [];
let n = 0;

/** A connection as a worker's are: made on first use, failing at once (no offline queue) while down. */
function connect(url = server.url): Redis {
  const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  clients.push(redis);
  return redis;
}

/** Another worker's limiter for the same provider, under this test's prefix. */
function limiter(
  limit: ConstructorParameters<typeof SharedRateLimiter>[2],
  prefix: string,
  redis = connect(),
) {
  return new SharedRateLimiter({ redis, prefix, timeoutMs: 300 }, 'openai', limit);
}

/** A call the test may leave waiting: it is cancelled after the test, and that rejection is expected. */
function pending<T>(call: Promise<T>): Promise<T> {
  call.catch(() => {});
  return call;
}

function stopper(): AbortController {
  const stop = new AbortController();
  stops.push(stop);
  return stop;
}

beforeAll(async () => {
  server = await startTestRedis();
});
afterEach(() => {
  for (const stop of stops.splice(0)) stop.abort();
  for (const redis of clients.splice(0)) redis.disconnect();
});
afterAll(async () => {
  await server?.stop();
});

describe('a provider rate limit shared by several workers', () => {
  it('lets exactly R requests per minute through across two workers; the rest wait, and stop when cancelled', async () => {
    const prefix = `{rl-${++n}}`;
    const workers = [limiter({ requestsPerMinute: 4 }, prefix), limiter({ requestsPerMinute: 4 }, prefix)];
    const stop = stopper();
    let granted = 0;
    const calls = Array.from({ length: 10 }, (_, i) =>
      pending(
        workers[i % 2]!.acquire(0, stop.signal).then(() => {
          granted++;
        }),
      ),
    );
    const waiting = () => workers.reduce((sum, w) => sum + w.snapshot().queued, 0);
    await vi.waitFor(() => expect(granted + waiting()).toBe(10));
    expect(granted).toBe(4);
    expect(workers.map((w) => w.snapshot().requestsAvailable)).toEqual([0, 0]);

    stop.abort(new TaskCancelledError('stopped by the test'));
    const outcomes = await Promise.allSettled(calls);
    const cancelled = outcomes.filter((o) => o.status === 'rejected');
    expect(cancelled).toHaveLength(6);
    for (const o of cancelled)
      expect((o as PromiseRejectedResult).reason).toMatchObject({ type: 'TaskCancelled' });
    expect(workers.map((w) => w.insuranceUses)).toEqual([0, 0]);
    // An aborted signal is refused before Redis is asked.
    await expect(workers[0]!.acquire(0, stop.signal)).rejects.toMatchObject({ type: 'TaskCancelled' });
  });

  it('makes a waiting call go in the next window rather than fail', async () => {
    const prefix = `{rl-${++n}}`;
    // 120/min with a burst of 2: 2 per 1-second window.
    const a = limiter({ requestsPerMinute: 120, burst: 2 }, prefix);
    const b = limiter({ requestsPerMinute: 120, burst: 2 }, prefix);
    const waited = await Promise.all([a.acquire(0), b.acquire(0), a.acquire(0)]);
    expect(waited).toHaveLength(3);
    expect(a.insuranceUses + b.insuranceUses).toBe(0);
  });

  it('counts tokens by estimate and corrects them by what the reply used', async () => {
    const prefix = `{rl-${++n}}`;
    const a = limiter({ tokensPerMinute: 100 }, prefix);
    const b = limiter({ tokensPerMinute: 100 }, prefix);
    expect(a.limitsTokens).toBe(true);
    await a.acquire(80);
    expect(a.snapshot()).toEqual({ queued: 0, tokensAvailable: 20 });
    // The reply used 20: 60 come back, so B's 70 go at once.
    a.settle(80, 20);
    await vi.waitFor(async () =>
      expect(await clients[0]!.get(`${prefix}:ratelimit:openai:tokens:100per60s`)).toBe('20'),
    );
    await b.acquire(70);
    expect(b.snapshot().tokensAvailable).toBe(10);
    // An estimate over the limit takes the whole window, and an under-estimate is charged afterwards.
    b.settle(70, 95);
    b.settle(0, 0);
    await vi.waitFor(async () =>
      expect(await clients[1]!.get(`${prefix}:ratelimit:openai:tokens:100per60s`)).toBe('115'),
    );
    const stop = stopper();
    const held = pending(a.acquire(500, stop.signal));
    await vi.waitFor(() => expect(a.snapshot().queued).toBe(1));
    stop.abort(new TaskCancelledError());
    await expect(held).rejects.toBeInstanceOf(TaskCancelledError);
    // No token limit: no estimate taken, nothing to settle.
    const requestsOnly = limiter({ requestsPerMinute: 10 }, prefix);
    expect(requestsOnly.limitsTokens).toBe(false);
    requestsOnly.settle(10, 20);
    expect(requestsOnly.snapshot()).toEqual({ queued: 0, requestsAvailable: 10 });
  });

  it('paces the calls of two engines through one shared limit, and a cancelled task stops waiting', async () => {
    const prefix = `{rl-${++n}}`;
    await h.setup({}, () => ({ text: 'ok' }));
    const engines = [0, 1].map(() =>
      h.engine({
        rateLimits: { openai: { requestsPerMinute: 2 } },
        rateLimiter: sharedRateLimiter({ redis: connect(), prefix }),
      }),
    );
    const input = { description: 'd', prompt: 'p' };
    const first = await Promise.all([engines[0]!.run(input), engines[1]!.run(input)]);
    expect(first.map((r) => r.status)).toEqual(['completed', 'completed']);
    const third = engines[1]!.start(input);
    const openai = () => engines[1]!.providerHealth().find((p) => p.provider === 'openai')!;
    await vi.waitFor(() => expect(openai().rateLimit).toMatchObject({ queued: 1, requestsAvailable: 0 }));
    third.cancel('not needed');
    expect(await third.result).toMatchObject({ status: 'cancelled' });
    expect(h.model.stats.requests).toBe(2);
  });
});

describe('a shared rate limit without Redis', () => {
  it('goes on with the local limit when Redis stops answering, after its timeout', async () => {
    const admin = connect();
    await admin.connect();
    const worker = limiter({ requestsPerMinute: 10 }, `{rl-${++n}}`);
    await worker.acquire(0);
    await admin.client('PAUSE', 5_000, 'WRITE');
    try {
      await worker.acquire(0);
      expect(worker.insuranceUses).toBe(1);
    } finally {
      await admin.client('UNPAUSE');
    }
  });

  it('holds the limit in each worker’s memory instead, without waiting on the dead server', async () => {
    const gone = await startTestRedis();
    const redis = connect(gone.url);
    await redis.connect();
    await gone.stop();
    const worker = limiter({ requestsPerMinute: 2 }, '{rl-down}', redis);
    await worker.acquire(0);
    await worker.acquire(0);
    expect(worker.insuranceUses).toBe(2);
    const stop = stopper();
    const third = pending(worker.acquire(0, stop.signal));
    await vi.waitFor(() => expect(worker.snapshot().queued).toBe(1));
    stop.abort();
    await expect(third).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('waits for a connection still being made only as long as its timeout, and stops waiting when cancelled', async () => {
    const nowhere = `redis://127.0.0.1:${await freePort()}`;
    const worker = limiter({ requestsPerMinute: 2 }, '{rl-never}', connect(nowhere));
    await worker.acquire(0);
    expect(worker.insuranceUses).toBe(1);
    const stop = stopper();
    const waiting = pending(
      limiter({ requestsPerMinute: 2 }, '{rl-never}', connect(nowhere)).acquire(0, stop.signal),
    );
    stop.abort(new TaskCancelledError('gave up'));
    await expect(waiting).rejects.toMatchObject({ message: 'gave up' });
  });
});
