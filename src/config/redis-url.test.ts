import { describe, expect, it } from 'vitest';
import { redactRedisUrl, redisTarget } from './redis-url.ts';

describe('redactRedisUrl', () => {
  it('hides the password wherever a URL may carry one, and keeps the rest', () => {
    expect(redactRedisUrl('redis://:s3cret@redis.internal:6379/0')).toBe(
      'redis://:***@redis.internal:6379/0',
    );
    expect(redactRedisUrl('rediss://app:s3cret@redis.internal:6380')).toBe(
      'rediss://app:***@redis.internal:6380',
    );
    // ioredis authenticates with ?password= too.
    expect(redactRedisUrl('redis://127.0.0.1:6379/0?password=QUERY-PW&db=2')).toBe(
      'redis://127.0.0.1:6379/0?password=***&db=2',
    );
    expect(redactRedisUrl('rediss://h:6380?tls_passphrase=p1&authToken=t2&family=4')).toBe(
      'rediss://h:6380?tls_passphrase=***&authToken=***&family=4',
    );
    expect(redactRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });

  it('hides the user-info part of a URL it cannot parse', () => {
    expect(redactRedisUrl('redis://:pw@[bad')).toBe('redis://***@[bad');
  });
});

describe('redisTarget', () => {
  it('passes a one-server URL to ioredis as it is', () => {
    expect(redisTarget('rediss://:pw@h:6380/2')).toEqual({ url: 'rediss://:pw@h:6380/2' });
  });

  it('reads a Sentinel URL as ioredis options: sentinels, primary name, credentials, db, TLS', () => {
    expect(
      redisTarget('redis+sentinel://app:p%40ss@s1:26380,s2,[::1]:26381/tasks/3?sentinelPassword=sp'),
    ).toEqual({
      sentinel: {
        sentinels: [
          { host: 's1', port: 26380 },
          { host: 's2', port: 26379 },
          { host: '::1', port: 26381 },
        ],
        name: 'tasks',
        username: 'app',
        password: 'p@ss',
        sentinelPassword: 'sp',
        db: 3,
      },
    });
    expect(redisTarget('rediss+sentinel://:pw@s1/tasks')).toEqual({
      sentinel: {
        sentinels: [{ host: 's1', port: 26379 }],
        name: 'tasks',
        password: 'pw',
        tls: {},
        enableTLSForSentinelMode: true,
      },
    });
  });

  it('names what is wrong with a Sentinel URL, never its password', () => {
    expect(() => redisTarget('redis+sentinel://:s3cret@s1:26379')).toThrow(/primary name/);
    expect(() => redisTarget('redis+sentinel://:s3cret@s1:26379')).not.toThrow(/s3cret/);
    expect(() => redisTarget('redis+sentinel://s1:x/tasks')).toThrow(/sentinel #1 is not a host\[:port\]/);
  });

  it('redacts a Sentinel URL of several hosts: the password and sentinelPassword', () => {
    expect(redactRedisUrl('redis+sentinel://app:pw@s1:26379,s2/tasks?sentinelPassword=sp&db=1')).toBe(
      'redis+sentinel://***@s1:26379,s2/tasks?sentinelPassword=***&db=1',
    );
    expect(redactRedisUrl('redis+sentinel://:pw@s1/tasks')).toBe('redis+sentinel://:***@s1/tasks');
  });
});

describe('odd URLs never show a password', () => {
  it.each([
    'redis+sentinel://u:s3cret@/m',
    'redis+sentinel://u:s3/cret@h1,h2/m',
    'redis://u:s3/cret@h1/0',
    'redis+sentinel://u:s3@cret:x@h1,h2/m',
    'redis+sentinel://h1,h2/m?sentinel%50assword=s3cret',
    'redis+sentinel://:s3cret@h1:x,h2/m',
  ])('%s', (url) => {
    expect(redactRedisUrl(url)).not.toContain('s3');
    expect(redactRedisUrl(url)).not.toContain('cret');
    let message = '';
    try {
      redisTarget(url);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toContain('cret');
  });

  it('takes the user-info up to the last @ and decodes the sentinel password', () => {
    expect(redisTarget('redis+sentinel://u:p@w@h1/m?sentinelPassword=a%2Bb+c')).toEqual({
      sentinel: {
        sentinels: [{ host: 'h1', port: 26379 }],
        name: 'm',
        username: 'u',
        password: 'p@w',
        sentinelPassword: 'a+b+c',
      },
    });
  });
});
