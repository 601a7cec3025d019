import { describe, expect, it } from 'vitest';
import {
  checkRequest,
  type GuardRules,
  isJsonType,
  isLoopback,
  isLoopbackName,
  requireTokenOffLoopback,
  UnprotectedListenError,
} from './request-guard.ts';

const PORT = 10000;
const loopback: GuardRules = { listenHost: '127.0.0.1', port: PORT, requireJson: false };
const check = (headers: Record<string, string>, rules: Partial<GuardRules> = {}, method = 'GET') =>
  checkRequest({ method, headers: { host: `127.0.0.1:${PORT}`, ...headers } }, { ...loopback, ...rules });

describe('loopback', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['localhost', true],
    ['LOCALHOST.', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.5', false],
    ['127.evil.example', false],
    ['app.localhost', false],
  ])('binding to %s needs no token: %s', (host, expected) => {
    expect(isLoopback(host)).toBe(expected);
  });

  it('counts *.localhost as a loopback name (browsers pin the zone), not a lookalike', () => {
    expect(isLoopbackName('app.localhost')).toBe(true);
    expect(isLoopbackName('localhost.evil.example')).toBe(false);
    expect(isLoopbackName('evillocalhost')).toBe(false);
  });
});

describe('the listen policy', () => {
  it('refuses a bind off loopback without a token, with one error for every server', () => {
    expect(() => requireTokenOffLoopback('0.0.0.0', undefined, 'Set a token (--token)')).toThrow(
      UnprotectedListenError,
    );
    let thrown: unknown;
    try {
      requireTokenOffLoopback('::', undefined, 'Set a token (--token)');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({
      type: 'UnprotectedListen',
      message: expect.stringMatching(/^Refusing to listen on :: without a token/),
      hint: 'Set a token (--token), or bind to 127.0.0.1.',
    });
    expect(() => requireTokenOffLoopback('0.0.0.0', 'tok', '')).not.toThrow();
    expect(() => requireTokenOffLoopback('localhost', undefined, '')).not.toThrow();
  });
});

describe('Host', () => {
  it.each([
    `127.0.0.1:${PORT}`,
    '127.0.0.1',
    `localhost:${PORT}`,
    'LocalHost',
    `[::1]:${PORT}`,
    `app.localhost:${PORT}`,
    // Another port: a tap or port forward in front, never a rebinding page (those use a domain).
    'localhost:1',
  ])('serves %s on loopback', (host) => {
    expect(check({ host })).toBeUndefined();
  });

  it.each([
    'evil.example',
    `evil.example:${PORT}`,
    '127.0.0.1.evil.example',
    'localhost.evil.example',
    '192.168.1.5',
    '0.0.0.0',
    'bad host',
    '',
  ])('refuses %s on loopback with 403', (host) => {
    expect(check({ host })).toMatchObject({ status: 403, type: 'ForbiddenHost' });
  });

  it('refuses a request without Host', () => {
    expect(checkRequest({ headers: {} }, loopback)).toMatchObject({ status: 403, type: 'ForbiddenHost' });
  });

  it('off loopback serves address literals, the bound name and configured names only', () => {
    const off = { listenHost: '0.0.0.0', allowedHosts: ['tasks.internal'] };
    expect(check({ host: `192.168.1.5:${PORT}` }, off)).toBeUndefined();
    expect(check({ host: '[fd00::1]:80' }, off)).toBeUndefined();
    expect(check({ host: 'TASKS.internal:443' }, off)).toBeUndefined();
    expect(check({ host: 'evil.example' }, off)).toMatchObject({ type: 'ForbiddenHost' });
    expect(check({ host: 'box.lan' }, { listenHost: 'box.lan' })).toBeUndefined();
    // A configured name is served on loopback too (a name in /etc/hosts).
    expect(check({ host: 'tasks.internal' }, { allowedHosts: ['tasks.internal'] })).toBeUndefined();
  });
});

describe('Origin and Sec-Fetch-Site', () => {
  it('lets programs (no Origin) and this server’s own pages through', () => {
    expect(check({})).toBeUndefined();
    expect(check({ origin: `http://localhost:${PORT}`, 'sec-fetch-site': 'same-origin' })).toBeUndefined();
    expect(check({ origin: `http://127.0.0.1:${PORT}` })).toBeUndefined();
    expect(check({ origin: `http://[::1]:${PORT}` })).toBeUndefined();
    expect(check({ 'sec-fetch-site': 'none' })).toBeUndefined();
    // The very origin the request went to (its Host), e.g. a tap in front.
    expect(check({ host: 'localhost:9999', origin: 'http://localhost:9999' })).toBeUndefined();
  });

  it.each([
    ['another site', { origin: 'https://evil.example' }],
    ['a local page on another port', { origin: `http://localhost:${PORT + 1}` }],
    ['https on the same port', { origin: `https://localhost:${PORT}` }],
    ['a sandboxed frame or file', { origin: 'null' }],
    ['garbage', { origin: 'not a url' }],
    ['a cross-site fetch without Origin', { 'sec-fetch-site': 'cross-site' }],
    [
      'a cross-site fetch with our Origin',
      { origin: `http://localhost:${PORT}`, 'sec-fetch-site': 'cross-site' },
    ],
  ])('refuses %s with 403', (_what, headers) => {
    expect(check(headers)).toMatchObject({ status: 403, type: 'ForbiddenOrigin' });
  });

  it('lets configured origins through, cross-site as they are', () => {
    const rules = { allowedOrigins: ['https://tool.example'] };
    expect(check({ origin: 'https://tool.example', 'sec-fetch-site': 'cross-site' }, rules)).toBeUndefined();
    expect(check({ origin: 'https://tool.example:8443' }, rules)).toMatchObject({ type: 'ForbiddenOrigin' });
  });
});

describe('content type', () => {
  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'Application/JSON;charset=UTF-8',
    'application/merge-patch+json',
  ])('accepts %s', (type) => {
    expect(isJsonType(type)).toBe(true);
    expect(check({ 'content-type': type }, { requireJson: true }, 'POST')).toBeUndefined();
  });

  it.each([
    'text/plain',
    'text/plain;charset=UTF-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/jsonp',
    'text/json',
    undefined,
  ])('refuses %s with 415 where JSON is required', (type) => {
    const headers: Record<string, string> = type ? { 'content-type': type } : {};
    expect(check(headers, { requireJson: true }, 'POST')).toMatchObject({
      status: 415,
      type: 'UnsupportedMediaType',
    });
    expect(check(headers, { requireJson: false }, 'POST')).toBeUndefined();
  });

  it('checks Host and Origin before the body type', () => {
    expect(
      check({ host: 'evil.example', 'content-type': 'text/plain' }, { requireJson: true }),
    ).toMatchObject({
      status: 403,
    });
  });
});
