import { APICallError } from 'ai';
import { BrokenCircuitError } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { CallTimeoutError, classifyFailure, retryAfterFromHeaders } from './classify-failure.ts';

const apiError = (statusCode: number | undefined, responseHeaders?: Record<string, string>) =>
  new APICallError({
    message: 'x',
    url: 'http://127.0.0.1/v1/messages',
    requestBodyValues: {},
    ...(statusCode !== undefined && { statusCode }),
    ...(responseHeaders && { responseHeaders }),
  });

describe('classifyFailure', () => {
  it.each([408, 409, 429, 500, 502, 503, 529])(
    '%i is an availability failure (retried, may fail over)',
    (status) => {
      expect(classifyFailure(apiError(status))).toMatchObject({ kind: 'availability', status });
    },
  );

  it.each([400, 401, 403, 404, 422, 413])('%i is a request failure (never retried)', (status) => {
    expect(classifyFailure(apiError(status))).toMatchObject({ kind: 'request', status });
  });

  it('treats connection errors, timeouts, unreadable bodies and open circuits as availability', () => {
    expect(classifyFailure(apiError(undefined)).kind).toBe('availability');
    expect(classifyFailure(apiError(200)).reason).toBe('malformed');
    expect(classifyFailure(new CallTimeoutError(5)).reason).toBe('timeout');
    expect(classifyFailure(new BrokenCircuitError()).reason).toBe('circuit-open');
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classifyFailure(reset)).toMatchObject({ kind: 'availability', reason: 'connection' });
  });

  it('treats aborts as cancellation and unknown errors as not retryable', () => {
    expect(classifyFailure(new DOMException('aborted', 'AbortError')).kind).toBe('cancelled');
    expect(classifyFailure(new TypeError('x is not a function')).kind).toBe('request');
  });

  it('reads the Retry-After of a retryable answer', () => {
    expect(classifyFailure(apiError(429, { 'retry-after': '2' })).retryAfterMs).toBe(2000);
  });
});

describe('retryAfterFromHeaders', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('prefers retry-after-ms, then seconds, then an HTTP date', () => {
    expect(retryAfterFromHeaders({ 'retry-after-ms': '150.5', 'retry-after': '3' }, now)).toBe(150.5);
    expect(retryAfterFromHeaders({ 'retry-after': '3' }, now)).toBe(3000);
    expect(retryAfterFromHeaders({ 'retry-after': 'Thu, 01 Jan 2026 00:00:07 GMT' }, now)).toBe(7000);
  });
  it('ignores absent or unreadable values, and never goes negative', () => {
    expect(retryAfterFromHeaders(undefined)).toBeUndefined();
    expect(retryAfterFromHeaders({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(retryAfterFromHeaders({ 'retry-after': 'Wed, 31 Dec 2025 23:59:00 GMT' }, now)).toBe(0);
  });
});
