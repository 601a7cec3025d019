import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadRuntimeSettings } from '../src/config/index.ts';
import { UnprotectedListenError } from '../src/http/index.ts';
import { type ProxyOptions, type ProxyServer, startProxy } from '../src/proxy/index.ts';
import { makeWorkspace } from './support.ts';

// Forwarding with real loopback servers: a raw node:http upstream whose every byte, header and
// status the test controls, and the proxy in front of it.
type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>;
let upstream: Server;
let upstreamUrl: string;
let handler: Handler;
const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer }[] = [];
let workspace: string;
const proxies: ProxyServer[] = [];

beforeAll(async () => {
  workspace = await makeWorkspace();
  upstream = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    await handler(req, res, body);
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterEach(async () => {
  for (const p of proxies.splice(0)) await p.close();
  seen.length = 0;
});
afterAll(async () => {
  upstream.closeAllConnections();
  upstream.close();
});

async function proxy(options: Partial<ProxyOptions> = {}): Promise<ProxyServer> {
  const settings = loadRuntimeSettings({ cwd: workspace, homeDir: workspace, env: {} });
  const p = await startProxy({
    settings,
    port: 0,
    upstream: `${upstreamUrl}/v1`,
    observe: { store: ':memory:', logger: false, audit: false, tracing: false },
    ...options,
  });
  proxies.push(p);
  return p;
}

/** A raw HTTP/1.1 exchange on a socket, for targets no client library would send. */
async function rawRequest(port: number, head: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(head);
  let text = '';
  socket.on('data', (d) => {
    text += d;
  });
  await once(socket, 'close');
  return text;
}

describe('proxy forwarding', () => {
  it('relays an SSE stream byte for byte, each event as it comes', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // CRLF framing, a UTF-8 character split across two writes, comments and an unknown event.
    const first = Buffer.from(
      'event: response.created\r\ndata: {"type":"response.created","response":{"id":"r1"}}\r\n\r\n',
    );
    const euro = Buffer.from('data: {"type":"response.output_text.delta","delta":"€ 5"}\n\n');
    const rest = [
      euro.subarray(0, 47),
      euro.subarray(47),
      Buffer.from(': comment\n\nevent: x\ndata: {"type":"x"}\n\n'),
    ];
    const last = Buffer.from('data: {"type":"response.completed","response":{"id":"r1"}}\n\n');
    handler = async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req_123' });
      res.write(first);
      await gate;
      for (const part of rest) {
        res.write(part);
        await new Promise((r) => setTimeout(r, 5));
      }
      res.end(last);
    };
    const p = await proxy();
    const response = await fetch(`${p.baseUrl}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-up' },
      body: JSON.stringify({ model: 'gpt-5.5', stream: true, input: 'hi' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('req_123');
    const reader = response.body!.getReader();
    // The first event arrives while the upstream is still holding the rest back: nothing buffered.
    const { value } = await reader.read();
    expect(Buffer.from(value!).equals(first)).toBe(true);
    release();
    const received: Buffer[] = [Buffer.from(value!)];
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      received.push(Buffer.from(next.value));
    }
    expect(Buffer.concat(received).equals(Buffer.concat([first, ...rest, last]))).toBe(true);
  });

  it('forwards method, path, query, body and end-to-end headers; drops hop-by-hop ones both ways', async () => {
    handler = (_req, res) => {
      res.writeHead(201, {
        'content-type': 'application/json',
        'x-upstream': 'yes',
        'keep-alive': 'timeout=5',
        connection: 'x-private',
        'x-private': 'hop',
      });
      res.end('{"ok":true}');
    };
    const p = await proxy();
    // Raw, because fetch will not send Connection or TE.
    const answer = await rawRequest(
      p.port,
      'PUT /v1/files/abc?purpose=batch&x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        'Content-Type: application/octet-stream\r\nContent-Length: 4\r\nAuthorization: Bearer sk-up\r\n' +
        'OpenAI-Organization: org_1\r\nConnection: close, x-hop\r\nX-Hop: secret-hop\r\nTE: trailers\r\n\r\n' +
        '\u0000\u0001\u0002\u007f',
    );
    const [head, body] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 201 /);
    expect(body).toContain('{"ok":true}'); // chunked or not, as the proxy's connection frames it
    expect(head).toMatch(/\r\nx-upstream: yes/i);
    expect(head).not.toMatch(/x-private/i);
    expect(head).not.toMatch(/keep-alive: timeout/i);
    const [req] = seen;
    expect(req).toMatchObject({ method: 'PUT', url: '/v1/files/abc?purpose=batch&x=1' });
    expect([...req!.body]).toEqual([0, 1, 2, 127]);
    expect(req!.headers).toMatchObject({ authorization: 'Bearer sk-up', 'openai-organization': 'org_1' });
    expect(req!.headers['x-hop']).toBeUndefined();
    expect(req!.headers.te).toBeUndefined();
    expect(req!.headers.host).toBe(new URL(upstreamUrl).host);
  });

  it('asks for an uncompressed stream where it reads Task calls, and only there', async () => {
    handler = (_req, res) => void res.end('{}');
    const p = await proxy();
    const headers = { 'content-type': 'application/json', 'accept-encoding': 'gzip' };
    await fetch(`${p.baseUrl}/responses`, {
      method: 'POST',
      headers,
      body: '{"model":"gpt-5.5","stream":true,"input":"hi"}',
    });
    await fetch(`${p.baseUrl}/models`, { headers });
    expect(seen.map((s) => s.headers['accept-encoding'])).toEqual([undefined, 'gzip']);
  });

  it('passes error statuses, their headers and bodies through unchanged', async () => {
    const body = '{"error":{"message":"Rate limit reached","type":"rate_limit_exceeded"}}';
    handler = (_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
      res.end(body);
    };
    const p = await proxy();
    const response = await fetch(`${p.baseUrl}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-5.5', stream: true, input: 'hi' }),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(await response.text()).toBe(body);
  });

  it('answers 502 with an OpenAI-style error naming the upstream when it is down', async () => {
    const settings = loadRuntimeSettings({ cwd: workspace, homeDir: workspace, env: {} });
    const p = await startProxy({
      settings,
      port: 0,
      upstream: 'http://127.0.0.1:9/v1',
      observe: { store: ':memory:', logger: false, audit: false, tracing: false },
    });
    proxies.push(p);
    const started = Date.now();
    const response = await fetch(`${p.baseUrl}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-5.5', stream: true, input: 'hi' }),
    });
    expect(response.status).toBe(502);
    const json = (await response.json()) as { error: { message: string; type: string } };
    expect(json.error.type).toBe('upstream_unavailable');
    expect(json.error.message).toContain('http://127.0.0.1:9/v1 is not reachable');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses bodies over the limit with 413 before forwarding', async () => {
    handler = (_req, res) => void res.end('{}');
    const p = await proxy({ bodyLimitBytes: 1000 });
    for (const path of ['/responses', '/files']) {
      const response = await fetch(`${p.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: 'x'.repeat(2000) }),
      });
      expect(response.status).toBe(413);
    }
    expect(seen).toHaveLength(0);
  });

  it('cannot be made to forward anywhere but under the configured upstream base', async () => {
    handler = (_req, res) => void res.end('{}');
    const p = await proxy();
    const targets = [
      'GET http://169.254.169.254/latest/meta-data HTTP/1.1',
      'GET //evil.example/v1/models HTTP/1.1',
      'GET /v1/../admin HTTP/1.1',
      'GET /v1/%2e%2e/admin HTTP/1.1',
      'GET /v1/a%2f..%2f..%2fadmin HTTP/1.1',
      'GET /v1\\..\\admin HTTP/1.1',
    ];
    for (const target of targets) {
      const answer = await rawRequest(p.port, `${target}\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
      expect(answer, target).toMatch(/^HTTP\/1\.1 40[04] /);
    }
    const outside = await fetch(`${p.url}/admin`);
    expect(outside.status).toBe(404);
    expect(seen).toHaveLength(0);
    // The Host header never picks the destination: another name is refused (DNS rebinding), and
    // a loopback one on another port still goes to the configured upstream.
    const rebound = await rawRequest(
      p.port,
      'GET /v1/models HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n',
    );
    expect(rebound).toMatch(/^HTTP\/1\.1 403 /);
    expect(seen).toHaveLength(0);
    const answer = await rawRequest(
      p.port,
      'GET /v1/models HTTP/1.1\r\nHost: localhost:1\r\nConnection: close\r\n\r\n',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(seen.map((s) => s.url)).toEqual(['/v1/models']);
  });

  it('serves /health, /ready and /metrics itself', async () => {
    handler = (_req, res) => void res.end('{}');
    const p = await proxy();
    expect((await fetch(`${p.url}/health`)).status).toBe(200);
    expect((await fetch(`${p.url}/ready`)).status).toBe(200);
    await fetch(`${p.baseUrl}/models`);
    const metrics = await (await fetch(`${p.url}/metrics`)).text();
    expect(metrics).toContain('codex_task_proxy_requests_total{kind="other",status="200"} 1');
    expect(seen.map((s) => s.url)).toEqual(['/v1/models']);
  });

  it('needs a token off loopback, taken from its own header (Authorization still goes upstream)', async () => {
    const refused = proxy({ host: '0.0.0.0' });
    await expect(refused).rejects.toThrow(UnprotectedListenError);
    await expect(refused).rejects.toThrow(/^Refusing to listen on 0\.0\.0\.0 without a token/);
    handler = (_req, res) => void res.end('{}');
    const p = await proxy({ token: 'proxy-secret' });
    const denied = await fetch(`${p.baseUrl}/models`, { headers: { authorization: 'Bearer proxy-secret' } });
    expect(denied.status).toBe(401);
    const allowed = await fetch(`${p.baseUrl}/models`, {
      headers: { 'x-codex-task-token': 'proxy-secret', authorization: 'Bearer sk-up' },
    });
    expect(allowed.status).toBe(200);
    expect(seen[0]!.headers.authorization).toBe('Bearer sk-up');
    expect(seen[0]!.headers['x-codex-task-token']).toBeUndefined();
  });

  it('logs requests without their Authorization header or body', async () => {
    handler = (_req, res) => void res.end('{}');
    const log = join(workspace, 'proxy.log');
    const p = await proxy({
      observe: {
        store: ':memory:',
        audit: false,
        tracing: false,
        logger: { level: 'debug', destination: log, sync: true },
      },
    });
    await fetch(`${p.baseUrl}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-very-secret-key' },
      body: JSON.stringify({ model: 'gpt-5.5', input: 'BODY-SECRET-TEXT' }),
    });
    await p.close();
    proxies.splice(proxies.indexOf(p), 1);
    const text = await readFile(log, 'utf8');
    expect(text).toContain('"path":"/v1/responses"');
    expect(text).not.toContain('sk-very-secret-key');
    expect(text).not.toContain('BODY-SECRET-TEXT');
  });
});

describe('codex-task doctor and the proxy port', () => {
  it('recognises a running proxy on the configured port', async () => {
    const { runCli } = await import('./cli-support.ts');
    handler = (_req, res) => void res.end('{}');
    const p = await proxy();
    const run = await runCli(['doctor', '--json'], {
      cwd: workspace,
      env: { CODEX_TASK_PROXY_PORT: String(p.port) },
    });
    const checks = JSON.parse(run.stdout) as { check: string; status: string; detail: string }[];
    expect(checks.find((c) => c.check === 'proxy port')).toMatchObject({
      status: 'ok',
      detail: `a codex-task proxy already answers on 127.0.0.1:${p.port}`,
    });
  }, 30_000);
});
