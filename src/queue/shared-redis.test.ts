import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { redisLabel, sharedKey } from './shared-redis.ts';

describe('how a shared Redis is named', () => {
  it('shows where it points, never its password, for plain, TLS and Sentinel connections', () => {
    const clients = [
      new Redis('redis://:pw-1@cache.internal:6380/3', { lazyConnect: true }),
      new Redis('rediss://user:pw-2@cache.internal/0', { lazyConnect: true }),
      new Redis({
        lazyConnect: true,
        sentinels: [
          { host: 's1', port: 26379 },
          { host: 's2', port: 26380 },
        ],
        name: 'tasks',
      }),
    ];
    expect(clients.map(redisLabel)).toEqual([
      'redis://cache.internal:6380/3',
      'rediss://cache.internal:6379/0',
      'sentinel tasks via s1:26379,s2:26380',
    ]);
    for (const client of clients) client.disconnect();
  });

  it('keeps keys under the queue’s prefix (hash-tagged for Redis Cluster)', () => {
    const redis = new Redis({ lazyConnect: true });
    expect(sharedKey({ redis }, 'budget', 'run-1')).toBe('{codex-task}:budget:run-1');
    expect(sharedKey({ redis, prefix: '{ci}' }, 'ratelimit', 'openai')).toBe('{ci}:ratelimit:openai');
    redis.disconnect();
  });
});
