import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRelayMessages } from './event-relay.ts';
import type { JobOutcome } from './job-data.ts';
import { finishRun, outcomeKey, recordedOutcome } from './outcome-record.ts';
import { type RedisWithListener, startRedisWithListener } from './testing.ts';

let r: RedisWithListener;
beforeAll(async () => {
  r = await startRedisWithListener('p:events:client-1');
});
afterAll(() => r?.stop());

const outcome = (content: string) => ({ result: { status: 'completed', content } }) as unknown as JobOutcome;
const run = (taskId: string, token: string | undefined, content: string) => ({
  prefix: 'p',
  taskId,
  lockKey: `p:tasks:${taskId}:lock`,
  token,
  outcome: outcome(content),
  channel: 'p:events:client-1',
  attempt: 2,
});
const heardAbout = async (taskId: string) =>
  (await r.take()).flatMap(parseRelayMessages).filter((m) => m.task === taskId);

describe('the end of a run on Redis', () => {
  it('records the outcome and sends it to the client in one step while the run holds its job', async () => {
    await r.redis.set('p:tasks:t1:lock', 'token-a');
    expect(await finishRun(r.redis, run('t1', 'token-a', 'done "quoted" ✓'))).toBe(true);
    expect(await recordedOutcome(r.redis, 'p', 't1')).toEqual(outcome('done "quoted" ✓'));
    expect(await r.redis.ttl(outcomeKey('p', 't1'))).toBeGreaterThan(6 * 86_400);
    expect(await heardAbout('t1')).toEqual([{ task: 't1', attempt: 2, done: outcome('done "quoted" ✓') }]);
  });

  it('neither records nor sends anything for a run whose job went to another run', async () => {
    await r.redis.set('p:tasks:t2:lock', 'token-of-the-new-run');
    expect(await finishRun(r.redis, run('t2', 'token-a', 'stale'))).toBe(false);
    await r.redis.del('p:tasks:t2:lock');
    expect(await finishRun(r.redis, run('t2', 'token-a', 'stale'))).toBe(false);
    expect(await recordedOutcome(r.redis, 'p', 't2')).toBeUndefined();
    expect(await heardAbout('t2')).toEqual([]);
  });

  it('without a token (a job run outside a worker) does not check the lock', async () => {
    expect(await finishRun(r.redis, run('t3', undefined, 'plain'))).toBe(true);
    expect(await heardAbout('t3')).toEqual([{ task: 't3', attempt: 2, done: outcome('plain') }]);
  });
});
