import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getDefaultAutoSelectFamily, setDefaultAutoSelectFamily } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ToolDeniedError } from '../../errors/index.ts';
import { createGuardedAgent, type ResolveHost } from './guarded-agent.ts';

/**
 * The SSRF guard at the connection itself, on its own (WebFetch checks literals earlier too): a real
 * loopback server that counts the connections and requests that reach it, and scripted DNS answers.
 */
let server: Server;
let port: number;
let connections = 0;
let requests = 0;

beforeAll(async () => {
  server = createServer((_req, res) => {
    requests++;
    res.end('hello');
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  connections = 0;
  requests = 0;
});

const toLoopback: ResolveHost = async () => [{ address: '127.0.0.1', family: 4 }];

async function get(host: string, options: Parameters<typeof createGuardedAgent>[0]) {
  const agent = createGuardedAgent(options);
  try {
    const response = await request(`http://${host}:${port}/`, { dispatcher: agent });
    return await response.body.text();
  } finally {
    await agent.close();
  }
}

const LOOPBACK_HINT =
  'Fetch public http(s) URLs only. If this host really must be reachable, the user can allow it with a permission rule such as WebFetch(domain:docs.test).';

describe('the guarded agent', () => {
  it('refuses a private IP literal before connecting, whoever asked for it', async () => {
    const error = await get('127.0.0.1', { allowsPrivateHost: () => false, connectTimeoutMs: 5_000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ToolDeniedError);
    expect((error as ToolDeniedError).message).toBe(
      'WebFetch refused 127.0.0.1: the address is loopback, which WebFetch never connects to on its own.',
    );
    expect(connections).toBe(0);
  });

  it('refuses a name whose DNS answer is private, naming the address and the rule that would allow it', async () => {
    const error = await get('docs.test', {
      allowsPrivateHost: () => false,
      resolve: toLoopback,
      connectTimeoutMs: 5_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolDeniedError);
    expect((error as ToolDeniedError).message).toBe(
      'WebFetch refused docs.test (127.0.0.1): the address is loopback, which WebFetch never connects to on its own.',
    );
    expect((error as ToolDeniedError).hint).toBe(LOOPBACK_HINT);
    expect(connections).toBe(0);
  });

  it('checks the connected peer again: an allowance gone by then refuses before a byte is sent', async () => {
    // The lookup is allowed; by the time the socket is connected the host no longer is.
    let asked = 0;
    const closed = new Promise<void>((resolve) =>
      server.once('connection', (socket) => socket.once('close', () => resolve())),
    );
    const error = await get('docs.test', {
      allowsPrivateHost: () => asked++ === 0,
      resolve: toLoopback,
      connectTimeoutMs: 5_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolDeniedError);
    expect((error as ToolDeniedError).message).toBe(
      'WebFetch refused docs.test (127.0.0.1): the address is loopback, which WebFetch never connects to on its own.',
    );
    // The server saw the connection open and close with no request on it.
    await closed;
    expect(connections).toBe(1);
    expect(requests).toBe(0);
  });

  it('a name with no address fails as not found; a DNS failure is passed on as it came', async () => {
    const none = await get('docs.test', {
      allowsPrivateHost: () => true,
      resolve: async () => [],
      connectTimeoutMs: 5_000,
    }).catch((e: unknown) => e);
    expect(none).toMatchObject({ code: 'ENOTFOUND', message: 'No address found for docs.test' });

    const dnsDown = Object.assign(new Error('getaddrinfo EAI_AGAIN docs.test'), { code: 'EAI_AGAIN' });
    const failed = await get('docs.test', {
      allowsPrivateHost: () => true,
      resolve: () => Promise.reject(dnsDown),
      connectTimeoutMs: 5_000,
    }).catch((e: unknown) => e);
    expect(failed).toBe(dnsDown);
    expect(connections).toBe(0);
  });

  it('connects to an allowed host with or without happy-eyeballs (one address or all of them)', async () => {
    const allowed = { allowsPrivateHost: (host: string) => host === 'docs.test', resolve: toLoopback };
    expect(await get('docs.test', { ...allowed, connectTimeoutMs: 5_000 })).toBe('hello');
    const before = getDefaultAutoSelectFamily();
    setDefaultAutoSelectFamily(!before);
    try {
      expect(await get('docs.test', { ...allowed, connectTimeoutMs: 5_000 })).toBe('hello');
    } finally {
      setDefaultAutoSelectFamily(before);
    }
    expect(requests).toBe(2);
  });
});
