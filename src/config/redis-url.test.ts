import { describe, expect, it } from 'vitest';
import { redactRedisUrl } from './redis-url.ts';

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
