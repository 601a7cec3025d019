import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeepAliveFetch } from './http-fetch.ts';

/** The keep-alive fetch the providers' SDKs call, against a real loopback server. */
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/empty') {
      res.writeHead(204, { 'x-request-id': 'r1' });
      res.end();
    } else {
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ method: req.method, url: req.url }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('createKeepAliveFetch', () => {
  it('answers 204 and HEAD with no body, keeps the headers, and reads other bodies whole', async () => {
    const fetch = createKeepAliveFetch();
    const empty = await fetch(`${base}/empty`, { method: 'POST', body: '{}' });
    expect(empty.status).toBe(204);
    expect(empty.headers.get('x-request-id')).toBe('r1');
    expect(await empty.text()).toBe('');

    const head = await fetch(new URL(`${base}/models?x=1`), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('application/json');
    expect(head.body).toBeNull();

    const got = await fetch(`${base}/models?x=1`);
    expect(await got.json()).toEqual({ method: 'GET', url: '/models?x=1' });
    expect(got.headers.get('set-cookie')).toBe('a=1, b=2');
  });
});
