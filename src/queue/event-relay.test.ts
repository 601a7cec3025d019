import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseRelayMessages, RelayPublisher } from './event-relay.ts';
import { type RedisWithListener, startRedisWithListener } from './testing.ts';

let r: RedisWithListener;
beforeAll(async () => {
  r = await startRedisWithListener('relay-test');
});
afterAll(() => r?.stop());

describe('relaying a task’s events to its client', () => {
  it('sends the events of one turn of the event loop together, in order, redacted, after that turn', async () => {
    const relay = new RelayPublisher(r.redis, 'relay-test', 'task-1', 2, {
      value: <T>(v: T) => JSON.parse(JSON.stringify(v).replaceAll('sk-secret', '[REDACTED]')) as T,
    });
    const publish = vi.spyOn(r.redis, 'publish');
    const data = { taskId: 'task-1', output: 'key sk-secret' };
    relay.event('task.started', { taskId: 'task-1' });
    relay.event('task.tool', data);
    // Written out as the event was: a later change to the object is not sent.
    data.output = 'changed';
    expect(publish).not.toHaveBeenCalled();
    await new Promise((resolve) => setImmediate(resolve));
    expect(publish).toHaveBeenCalledTimes(1);
    const texts = await r.take();
    expect(texts).toHaveLength(1);
    expect(parseRelayMessages(texts[0]!)).toEqual([
      { task: 'task-1', attempt: 2, event: 'task.started', data: { taskId: 'task-1' } },
      {
        task: 'task-1',
        attempt: 2,
        event: 'task.tool',
        data: { taskId: 'task-1', output: 'key [REDACTED]' },
      },
    ]);
  });

  it('flush() sends at once what is pending (before the end goes out), and nothing twice', async () => {
    const relay = new RelayPublisher(r.redis, 'relay-test', 'task-2', 1);
    relay.event('task.turn', { turn: 1 });
    relay.flush();
    relay.flush();
    await new Promise((resolve) => setImmediate(resolve));
    expect((await r.take()).map(parseRelayMessages)).toEqual([
      [{ task: 'task-2', attempt: 1, event: 'task.turn', data: { turn: 1 } }],
    ]);
  });

  it('reads one message, an array of them, and leaves out what is not one', () => {
    const one = { task: 't', attempt: 1, done: { result: {} } };
    expect(parseRelayMessages(JSON.stringify(one))).toEqual([one]);
    expect(parseRelayMessages(JSON.stringify([one, { task: 7 }, null, 'x', one]))).toEqual([one, one]);
    expect(parseRelayMessages('not json')).toEqual([]);
    expect(parseRelayMessages('null')).toEqual([]);
  });
});
