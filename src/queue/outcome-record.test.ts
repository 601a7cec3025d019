import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRelayMessages } from './event-relay.ts';
import type { JobOutcome } from './job-data.ts';
import { finishRun, outcomeKey, recordedOutcome } from './outcome-record.ts';
import { startTestRedis, type TestRedis } from './testing.ts';

let server: TestRedis;
let redis: Redis;
let listener: Redis;
const heard: string[] = [];

beforeAll(async () => {
  server = await startTestRedis();
  redis = new Redis(server.url);
  listener = new Redis(server.url);
  listener.on('message', (_channel, text: string) => heard.push(text));
  await listener.subscribe('p:events:client-1');
});
afterAll(async () => {
  redis?.disconnect();
  listener?.disconnect();
  await server?.stop();
});

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
const heardAbout = async (taskId: string) => {
  // A message published before this round trip has reached the listener once the PING is answered.
  await listener.call('PING');
  return heard.flatMap(parseRelayMessages).filter((m) => m.task === taskId);
};

describe('the end of a run on Redis', () => {
  it('records the outcome and sends it to the client in one step while the run holds its job', async () => {
    await redis.set('p:tasks:t1:lock', 'token-a');
    expect(await finishRun(redis, run('t1', 'token-a', 'done "quoted" ✓'))).toBe(true);
    expect(await recordedOutcome(redis, 'p', 't1')).toEqual(outcome('done "quoted" ✓'));
    expect(await redis.ttl(outcomeKey('p', 't1'))).toBeGreaterThan(6 * 86_400);
    expect(await heardAbout('t1')).toEqual([{ task: 't1', attempt: 2, done: outcome('done "quoted" ✓') }]);
  });

  it('neither records nor sends anything for a run whose job went to another run', async () => {
    await redis.set('p:tasks:t2:lock', 'token-of-the-new-run');
    expect(await finishRun(redis, run('t2', 'token-a', 'stale'))).toBe(false);
    await redis.del('p:tasks:t2:lock');
    expect(await finishRun(redis, run('t2', 'token-a', 'stale'))).toBe(false);
    expect(await recordedOutcome(redis, 'p', 't2')).toBeUndefined();
    expect(await heardAbout('t2')).toEqual([]);
  });

  it('without a token (a job run outside a worker) does not check the lock', async () => {
    expect(await finishRun(redis, run('t3', undefined, 'plain'))).toBe(true);
    expect(await heardAbout('t3')).toEqual([{ task: 't3', attempt: 2, done: outcome('plain') }]);
  });
});
