import selfsigned from 'selfsigned';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ToolDeniedError, ToolExecutionError } from '../errors/index.ts';
import { STRICT_TOOL_PERMISSIONS, type ToolPermissions } from './permissions.ts';
import { makeWorkspace, startTestSite, type TestSite, type TestWorkspace } from './testing.ts';
import type { ToolContext } from './types.ts';
import { createWebFetchTool } from './web-fetch.ts';

/** A certificate made for this run, naming `localhost` only (not 127.0.0.1 or ::1). */
async function localhostCertificate() {
  const { private: key, cert } = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] },
    ],
  });
  return { key, cert };
}

const PAGE =
  '<!doctype html><html><head><title>T</title></head><body><h1>Over TLS</h1><p>It <em>works</em>.</p></body></html>';

let tls: TestSite;
let stranger: TestSite;
let trusted: string;
let plain: TestSite;
let ws: TestWorkspace | undefined;

beforeAll(async () => {
  plain = await startTestSite({ '/plain': (_req, res) => res.end('private text') });
  const certificate = await localhostCertificate();
  trusted = certificate.cert;
  tls = await startTestSite(
    {
      '/page': (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE),
      '/to-private': (_req, res) =>
        res.writeHead(302, { location: `http://127.0.0.1:${plain.port}/plain` }).end(),
      '/to-metadata': (_req, res) => res.writeHead(301, { location: 'http://169.254.169.254/latest/' }).end(),
    },
    { tls: certificate },
  );
  // Another self-signed certificate for the same name, which nobody told WebFetch to trust.
  stranger = await startTestSite(
    { '/page': (_req, res) => res.end('should never be read') },
    { tls: await localhostCertificate() },
  );
}, 30_000);
afterAll(async () => {
  await Promise.all([tls.close(), stranger.close(), plain.close()]);
});
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
  for (const site of [tls, stranger, plain]) {
    site.connections = 0;
    site.requests.length = 0;
  }
});

async function context(...allowedHosts: string[]): Promise<ToolContext> {
  ws = await makeWorkspace();
  const permissions: ToolPermissions = {
    ...STRICT_TOOL_PERMISSIONS,
    allowsPrivateHost: (host) => allowedHosts.includes(host),
  };
  return { ...ws.ctx, permissions };
}

// Trusts the first server's certificate only, as a private CA given to Node would be.
const tool = () => createWebFetchTool({ trustedCertificates: [trusted] });
const fetchWith = (ctx: ToolContext, url: string) => tool().execute({ url, prompt: 'What is it?' }, ctx);

describe('WebFetch over https', () => {
  it('reads and converts a page from an allowed host whose certificate is trusted', async () => {
    const ctx = await context('localhost');
    expect(await fetchWith(ctx, `https://localhost:${tls.port}/page`)).toBe('# Over TLS\n\nIt *works*.');
    expect(tls.requests).toEqual(['/page']);
  });

  it.each([
    ['an IPv4 literal', () => `https://127.0.0.1:${tls.port}/page`, /127\.0\.0\.1: the address is loopback/],
    ['an IPv6 literal', () => `https://[::1]:${tls.port}/page`, /::1: the address is loopback/],
    ['a name', () => `https://localhost:${tls.port}/page`, /localhost \(.+\): the address is loopback/],
  ])(
    'refuses a private address given as %s before any connection, so before any handshake',
    async (_name, url, message) => {
      const ctx = await context();
      const error = await fetchWith(ctx, url()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ToolDeniedError);
      expect((error as Error).message).toMatch(message);
      expect(tls.connections).toBe(0);
    },
  );

  it('refuses a redirect from an allowed https host to a private http address', async () => {
    const ctx = await context('localhost');
    await expect(fetchWith(ctx, `https://localhost:${tls.port}/to-private`)).rejects.toThrow(
      /WebFetch refused 127\.0\.0\.1: the address is loopback/,
    );
    await expect(fetchWith(ctx, `https://localhost:${tls.port}/to-metadata`)).rejects.toThrow(
      /169\.254\.169\.254: the address is cloud metadata service/,
    );
    expect(tls.requests).toEqual(['/to-private', '/to-metadata']);
    expect(plain.connections).toBe(0);
  });

  it('fails with a tool error, not a crash, when the certificate is not trusted', async () => {
    const ctx = await context('localhost');
    const error = await fetchWith(ctx, `https://localhost:${stranger.port}/page`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolExecutionError);
    expect((error as Error).message).toMatch(
      /^The certificate of localhost is not trusted \(self[- ]signed certificate\); WebFetch did not read https:\/\/localhost:\d+\/page\.$/,
    );
    expect((error as ToolExecutionError).hint).toMatch(/NODE_EXTRA_CA_CERTS/);
    expect(stranger.connections).toBeGreaterThan(0);
    expect(stranger.requests).toEqual([]);
    // The tool still works afterwards.
    expect(await fetchWith(ctx, `https://localhost:${tls.port}/page`)).toContain('# Over TLS');
  });

  it('fails with a tool error when the certificate does not name the host', async () => {
    const ctx = await context('127.0.0.1');
    const error = await fetchWith(ctx, `https://127.0.0.1:${tls.port}/page`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolExecutionError);
    expect((error as Error).message).toMatch(
      /^The certificate of 127\.0\.0\.1 is not trusted \(.*127\.0\.0\.1.*\)/,
    );
    expect(tls.requests).toEqual([]);
  });
});
