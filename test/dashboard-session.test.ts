import { existsSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openerTiming } from '../src/cli/ui-command.ts';
import { loadRuntimeSettings } from '../src/config/index.ts';
import type { HttpServer } from '../src/http/index.ts';
import { type ProxyServer, startProxy } from '../src/proxy/index.ts';
import { jsonServer, useInProcessCli, useLoopbackServers } from './cli-in-process-support.ts';
import { rawHttp, useApi } from './http-support.ts';
import { useHarness } from './support.ts';

// The dashboard's home on real loopback servers: one-time login links traded for a session secret
// sent in a header (never a cookie), the limits of codes, sessions and event streams, redaction,
// the security headers, the proxy serving the same dashboard behind its own token, and
// `codex-task ui`.

const h = useHarness();
const api = useApi();
const t = useInProcessCli();
const holdPort = useLoopbackServers();
const TOKEN = 's3cret-dashboard-token';
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

async function serve(options: Parameters<ReturnType<typeof useApi>>[2] = {}) {
  await h.setup();
  return (await api(h.engine(), h.workspace, options)).server;
}

/** A one-time link from POST /ui/session/link, as `codex-task ui` asks for it. */
async function link(
  server: { url: string },
  headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
) {
  const res = await fetch(`${server.url}/ui/session/link`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: '{}',
  });
  // biome-ignore lint/suspicious/noExplicitAny: the answer is read field by field
  return { status: res.status, json: (await res.json()) as any };
}

/** What the login page's script does with a link: POSTs its code to /ui/session, from its own origin. */
async function login(url: string) {
  const target = new URL(url);
  const res = await fetch(`${target.origin}/ui/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: target.origin },
    body: JSON.stringify({ code: target.searchParams.get('code') ?? '' }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the answer is read field by field
  const json = (await res.json()) as any;
  return { res, json, secret: json.session as string | undefined };
}

async function session(server: HttpServer | ProxyServer, headers?: Record<string, string>): Promise<string> {
  const { json } = await link(server, headers);
  const { secret } = await login(json.url);
  return secret!;
}

const withSession = (secret: string) => ({ 'x-codex-task-session': secret });

/** An open dashboard event stream: its text so far, and `ended` once the server ends it. */
async function follow(server: { url: string }, headers: Record<string, string>) {
  const stop = new AbortController();
  const res = await fetch(`${server.url}/ui/api/events`, { headers, signal: stop.signal });
  const state = { text: '' };
  const ended =
    res.status === 200
      ? (async () => {
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>)
            state.text += Buffer.from(chunk).toString('utf8');
        })().catch(() => {})
      : res.text().then(() => {});
  return { status: res.status, state, ended, stop: () => stop.abort() };
}

describe('login links', () => {
  it('are given only for the token, sent in a header; the link carries a code, never the token', async () => {
    const server = await serve({ token: TOKEN });
    expect((await link(server, {})).status).toBe(401);
    expect((await link(server, { authorization: 'Bearer wrong-token-of-same-size' })).status).toBe(401);
    const given = await link(server);
    expect(given.status).toBe(200);
    expect(given.json.code).toMatch(/^[\w-]{43}$/);
    expect(given.json.url).toBe(`${server.url}/ui/login?code=${given.json.code}`);
    expect(given.json.url).not.toContain(TOKEN);
    expect(Date.parse(given.json.expiresAt) - Date.now()).toBeGreaterThan(50_000);
  });

  it('are given to any local program when the server itself has no token (loopback only)', async () => {
    const server = await serve();
    expect((await link(server, {})).status).toBe(200);
  });

  it('open a static page that spends nothing; its POST trades the code, once, for a secret (no cookie)', async () => {
    const server = await serve({ token: TOKEN });
    const { json } = await link(server);
    for (let i = 0; i < 2; i++) {
      const page = await fetch(json.url, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<script type="module" src="/ui/assets/app.js">');
      expect(page.headers.getSetCookie()).toEqual([]);
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    }
    const first = await login(json.url);
    expect(first.res.status).toBe(200);
    expect(first.secret).toMatch(/^[\w-]{43}$/);
    expect(first.res.headers.getSetCookie()).toEqual([]);
    expect(first.res.headers.get('cache-control')).toBe('no-store');
    expect(Date.parse(first.json.expiresAt) - Date.now()).toBeGreaterThan(11 * 3600_000);
    const tasks = await fetch(`${server.url}/ui/api/tasks`, { headers: withSession(first.secret!) });
    expect(tasks.status).toBe(200);
    expect((await login(`${server.url}/ui/login?code=not-a-code`)).res.status).toBe(401);
    const text = await fetch(`${server.url}/ui/session`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ code: 'x' }),
    });
    expect(text.status).toBe(415);
  });

  it('redeemed twice, ends the session the first redemption opened (a stolen or replayed link)', async () => {
    const server = await serve({ token: TOKEN });
    const { json } = await link(server);
    const thief = await login(json.url);
    expect(thief.res.status).toBe(200);
    const victim = await login(json.url);
    expect(victim.res.status).toBe(401);
    expect(victim.json.error.hint).toContain('codex-task ui');
    const after = await fetch(`${server.url}/ui/api/tasks`, { headers: withSession(thief.secret!) });
    expect(after.status).toBe(401);
  });

  it('open from a local file: a navigation with Sec-Fetch-Site none or cross-site, Origin null', async () => {
    const server = await serve({ token: TOKEN });
    const { json } = await link(server);
    for (const headers of [
      {
        'sec-fetch-site': 'cross-site',
        'sec-fetch-mode': 'navigate',
        'sec-fetch-dest': 'document',
      } as Record<string, string>,
      { 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate', origin: 'null' },
    ]) {
      const page = await rawHttp(json.url, { headers: { host: `127.0.0.1:${server.port}`, ...headers } });
      expect(page.status).toBe(200);
    }
    // Only the page: another site's page still may not trade a code, nor read anything.
    const trade = await rawHttp(`${server.url}/ui/session`, {
      method: 'POST',
      headers: {
        host: `127.0.0.1:${server.port}`,
        'content-type': 'application/json',
        origin: 'null',
        'sec-fetch-site': 'cross-site',
      },
      body: JSON.stringify({ code: json.code }),
    });
    expect(trade.status).toBe(403);
    const otherSite = await rawHttp(json.url, {
      headers: { host: `127.0.0.1:${server.port}`, origin: 'https://evil.example' },
    });
    expect(otherSite.status).toBe(403);
    expect((await login(json.url)).res.status).toBe(200);
  });

  it('expire: a code past its time opens nothing, and neither does a session past its own', async () => {
    const stale = await serve({ token: TOKEN, loginLinkTtlMs: 0 });
    expect((await login((await link(stale)).json.url)).res.status).toBe(401);

    const brief = await serve({ token: TOKEN, sessionTtlMs: 0 });
    const secret = await session(brief);
    const data = await fetch(`${brief.url}/ui/api/tasks`, { headers: withSession(secret) });
    expect(data.status).toBe(401);
    expect(((await data.json()) as { error: { message: string } }).error.message).toContain('ended');
  });

  it('are refused when codes and sessions are at their limit, and no live session is pushed out', async () => {
    const server = await serve({ token: TOKEN, sessionsKept: 2 });
    const secrets = [await session(server), await session(server)];
    const full = await link(server);
    expect(full.status).toBe(429);
    expect(full.json.error.type).toBe('TooManyRequests');
    for (const secret of secrets)
      expect((await fetch(`${server.url}/ui/api/meta`, { headers: withSession(secret) })).status).toBe(200);
    expect(() => server.loginLink()).toThrow(/as many login links/);
    await fetch(`${server.url}/ui/session/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...withSession(secrets[0]!) },
      body: '{}',
    });
    expect((await link(server)).status).toBe(200);
  });

  it('are printed by the server itself (what `serve` shows at start)', async () => {
    const server = await serve({ token: TOKEN });
    const printed = server.loginLink();
    expect(printed.url).toMatch(new RegExp(`^${server.url}/ui/login\\?code=`));
    expect((await login(printed.url)).res.status).toBe(200);
  });
});

describe('the session guard of /ui/api/*', () => {
  it('refuses the API without a session, saying how to get a link; the page and its files are public', async () => {
    const server = await serve({ token: TOKEN });
    const page = await fetch(`${server.url}/ui/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).not.toMatch(/<script>|style=|\son\w+=/i);
    expect((await fetch(`${server.url}/ui/assets/app.js`)).status).toBe(200);
    const data = await fetch(`${server.url}/ui/api/tasks`);
    expect(data.status).toBe(401);
    expect(await data.json()).toMatchObject({
      error: { type: 'Unauthorized', hint: expect.stringContaining('codex-task ui') },
    });
  });

  it('takes only the header: a cookie, even one holding a valid secret, with our own Origin, is refused', async () => {
    const server = await serve({ token: TOKEN });
    const secret = await session(server);
    const cookie = `codex_task_ui_${server.port}=${secret}`;
    for (const [method, path] of [
      ['GET', '/ui/api/tasks'],
      ['GET', '/ui/api/events'],
      ['POST', '/ui/api/tasks/x/rerun'],
      ['POST', '/ui/session/logout'],
    ] as const) {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { cookie, origin: server.url, 'content-type': 'application/json' },
        ...(method === 'POST' ? { body: '{}' } : {}),
      });
      expect(res.status, path).toBe(401);
    }
    expect((await fetch(`${server.url}/ui/api/tasks`, { headers: withSession(secret) })).status).toBe(200);
  });

  it('lets a program with the token in a header in, and logs a session out with its own header', async () => {
    const server = await serve({ token: TOKEN });
    const secret = await session(server);
    const program = await fetch(`${server.url}/ui/api/meta`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(program.status).toBe(200);
    const out = await fetch(`${server.url}/ui/session/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...withSession(secret) },
      body: '{}',
    });
    expect(out.status).toBe(204);
    expect((await fetch(`${server.url}/ui/api/meta`, { headers: withSession(secret) })).status).toBe(401);
    const byProgram = await fetch(`${server.url}/ui/session/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: '{}',
    });
    expect(byProgram.status).toBe(204);
  });

  it('never takes the token from a URL', async () => {
    const server = await serve({ token: TOKEN });
    for (const path of [
      `/ui/api/tasks?token=${TOKEN}`,
      `/ui/api/tasks?access_token=${TOKEN}`,
      `/v1/agents?token=${TOKEN}`,
      `/v1/agents?access_token=${TOKEN}`,
    ]) {
      const res = await fetch(`${server.url}${path}`, { redirect: 'manual' });
      expect(res.status, path).toBe(401);
    }
    expect((await login(`${server.url}/ui/login?code=${TOKEN}`)).res.status).toBe(401);
  });

  it('is not got around by another spelling of a path (encoded, dot segments, double slashes)', async () => {
    const server = await serve({ token: TOKEN });
    for (const path of [
      '/%75i/api/tasks',
      '/ui/%61pi/tasks',
      '/ui//api/tasks',
      '/ui/./api/tasks',
      '/x/../ui/api/tasks',
      '/ui/assets/../api/tasks',
      '/ui/assets/%2e%2e/api/tasks',
      '/ui/login/../api/tasks',
    ]) {
      const res = await new Promise<number>((resolve, reject) => {
        // node:http sends the path as written (fetch and URL would normalise it first).
        const req = request({ host: '127.0.0.1', port: server.port, path }, (r) => {
          r.resume();
          resolve(r.statusCode!);
        });
        req.on('error', reject);
        req.end();
      });
      expect([401, 404], path).toContain(res);
    }
  });

  it('checks the Host before anything: a rebinding page cannot spend a code', async () => {
    const server = await serve({ token: TOKEN });
    const { json } = await link(server);
    const rebound = await rawHttp(`${server.url}/ui/session`, {
      method: 'POST',
      headers: { host: `evil.example:${server.port}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code: json.code }),
    });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.text).error.type).toBe('ForbiddenHost');
    const page = await rawHttp(json.url, { headers: { host: `evil.example:${server.port}` } });
    expect(page.status).toBe(403);
    const linkByRebinding = await rawHttp(`${server.url}/ui/session/link`, {
      method: 'POST',
      headers: { host: 'evil.example', 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: '{}',
    });
    expect(linkByRebinding.status).toBe(403);
    // The refused request did not use the code up.
    expect((await login(json.url)).res.status).toBe(200);
  });
});

describe('event streams', () => {
  it('end when their session is logged out, or expires', async () => {
    const server = await serve({ token: TOKEN, sessionTtlMs: 400 });
    const secret = await session(server);
    const stream = await follow(server, withSession(secret));
    expect(stream.status).toBe(200);
    await until(() => (stream.state.text.includes('event: hello') ? true : undefined));
    await fetch(`${server.url}/ui/session/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...withSession(secret) },
      body: '{}',
    });
    await stream.ended;

    const expiring = await follow(server, withSession(await session(server)));
    expect(expiring.status).toBe(200);
    await expiring.ended;
    expect(expiring.state.text).toContain('event: hello');
  });

  it('are limited per session and in all (429), and a closed one frees its place', async () => {
    const server = await serve({ token: TOKEN, dashboardStreamsPerSession: 2, dashboardStreams: 3 });
    const [a, b] = [await session(server), await session(server)];
    const open = [await follow(server, withSession(a)), await follow(server, withSession(a))];
    const third = await follow(server, withSession(a));
    expect(third.status).toBe(429);
    open.push(await follow(server, withSession(b)));
    const overall = await follow(server, withSession(b));
    expect(overall.status).toBe(429);
    expect(open.map((s) => s.status)).toEqual([200, 200, 200]);
    open[0]!.stop();
    await open[0]!.ended;
    const again = await until(async () => {
      const s = await follow(server, withSession(b));
      if (s.status === 200) return s;
      return undefined;
    });
    for (const s of [...open.slice(1), again]) s.stop();
  });
});

describe('secrets the logs redact', () => {
  it('are redacted in every /ui/api answer, the dashboard event stream and /v1 (health, error hints)', async () => {
    const KEY = 'sk-proj-REALKEY0123456789abcdefABCDEF';
    await h.setup({}, (req) => ({
      fault: {
        kind: 'status',
        status: 401,
        body: {
          error: { message: `Incorrect API key provided: ${String(req.headers.authorization).slice(7)}` },
        },
      },
    }));
    const engine = h.engine({
      providers: [{ id: 'openai', kind: 'openai', baseURL: h.model.baseUrls.openai, apiKey: KEY }],
    });
    const { server } = await api(engine, h.workspace, {});
    const secret = await session(server);
    const stream = await follow(server, withSession(secret));
    const failed = engine.start({ description: 'echoes the key', prompt: 'hi' });
    await failed.result;
    // An agent name holding the key: its AgentNotFound hint quotes it.
    const unknown = engine.start({ description: 'unknown agent', prompt: 'hi', subagent_type: `x-${KEY}` });
    await unknown.result;
    await until(() => (stream.state.text.includes(unknown.id) ? true : undefined));
    const get = async (path: string, headers: Record<string, string> = withSession(secret)) =>
      (await fetch(`${server.url}${path}`, { headers })).text();
    // The provider's error echoed the key: nothing about that task or the provider may show it.
    const whole = [
      await get('/ui/api/health'),
      await get(`/ui/api/tasks/${failed.id}`),
      await get(`/ui/api/tasks/${failed.id}/transcript`),
      await get(`/v1/tasks/${failed.id}`, {}),
    ];
    expect(JSON.parse(whole[0]!).providers[0].lastError).toBeDefined();
    for (const text of whole) expect(text).not.toContain(KEY);
    // The agent name is the caller's (shown as given, as in the logs); the error's hint quoting it is redacted.
    const events = stream.state.text
      .split('\n\n')
      .filter((e) => e.startsWith('event: tasks'))
      .flatMap((e) => JSON.parse(e.slice(e.indexOf('data: ') + 6)).tasks);
    const errors = [
      ...events
        .filter((t: { id: string; error?: unknown }) => [unknown.id, failed.id].includes(t.id) && t.error)
        .map((t: { error?: unknown }) => t.error),
      JSON.parse(await get('/ui/api/tasks')).tasks.find((t: { id: string }) => t.id === unknown.id).error,
      JSON.parse(await get(`/ui/api/tasks/${unknown.id}/transcript`)).task.error,
      JSON.parse(await get(`/v1/tasks/${unknown.id}`, {})).error,
    ];
    expect(errors.length).toBeGreaterThanOrEqual(5);
    for (const error of errors) {
      expect(error).toBeDefined();
      expect(JSON.stringify(error)).not.toContain(KEY);
    }
    stream.stop();
  });
});

describe('security headers', () => {
  it('are on every dashboard answer: the redirect from /, the login page, a refusal, the page', async () => {
    const server = await serve({ token: TOKEN });
    const root = await fetch(`${server.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/ui/');
    expect((await fetch(`${server.url}/ui`, { redirect: 'manual' })).headers.get('location')).toBe('/ui/');
    const { json } = await link(server);
    const loginPage = await fetch(json.url);
    const { res: loginRes } = await login(json.url);
    const refused = await fetch(`${server.url}/ui/api/tasks`);
    const page = await fetch(`${server.url}/ui/`);
    const answers = [root, loginPage, loginRes, refused, page];
    for (const res of answers) {
      expect(res.headers.get('content-security-policy'), res.url).toBe(CSP);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('strict-transport-security')).toBeNull();
    }
  });

  it('leave the API as it was; /health says which server this is', async () => {
    const server = await serve();
    const res = await fetch(`${server.url}/v1/agents`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBeNull();
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await (await fetch(`${server.url}/health`)).json()).toMatchObject({
      status: 'ok',
      service: 'codex-task',
      kind: 'serve',
    });
  });
});

describe('the proxy serves the same dashboard behind its own token', () => {
  const proxies: ProxyServer[] = [];
  afterEach(async () => {
    for (const p of proxies.splice(0)) await p.close();
  });

  it('gives a link for x-codex-task-token (or the bearer), requires JSON on /ui POSTs, and forwards the rest as before', async () => {
    await h.setup();
    const proxy = await startProxy({
      settings: loadRuntimeSettings({ cwd: h.workspace, homeDir: h.workspace, env: {} }),
      port: 0,
      upstream: h.model.baseUrls.openai,
      token: TOKEN,
      injectTask: false,
      observe: { store: ':memory:', logger: false, audit: false, tracing: false },
    });
    proxies.push(proxy);
    expect(await (await fetch(`${proxy.url}/health`)).json()).toMatchObject({ kind: 'proxy' });
    expect((await fetch(`${proxy.url}/ui/api/tasks`)).status).toBe(401);
    expect((await link(proxy, {})).status).toBe(401);
    expect((await link(proxy, { 'x-codex-task-token': 'nope' })).status).toBe(401);
    const secret = await session(proxy, { 'x-codex-task-token': TOKEN });
    const data = await fetch(`${proxy.url}/ui/api/tasks`, { headers: withSession(secret) });
    expect(data.status).toBe(200);
    expect(data.headers.get('content-security-policy')).toBe(CSP);
    expect((await login(proxy.loginLink().url)).res.status).toBe(200);
    expect((await link(proxy)).status).toBe(200);
    for (const path of ['/ui/session/link', '/ui/api/tasks/x/rerun', '/ui/session']) {
      const res = await fetch(`${proxy.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'x-codex-task-token': TOKEN, ...withSession(secret) },
        body: '{}',
      });
      expect(res.status, path).toBe(415);
    }
    // Codex's path is untouched: the token in its header, the request forwarded to the upstream.
    const models = await fetch(`${proxy.baseUrl}/models`, { headers: { 'x-codex-task-token': TOKEN } });
    expect(models.status).not.toBe(401);
    expect((await fetch(`${proxy.baseUrl}/models`)).status).toBe(401);
  });
});

describe('codex-task ui', () => {
  beforeEach(() => {
    // Tests' openers read the file before they exit: no need to wait for a browser.
    openerTiming.graceMs = 0;
  });
  afterEach(() => {
    openerTiming.graceMs = 2_000;
  });

  /** An opener (for $BROWSER or xdg-open) that records its arguments and the file it was given. */
  async function recordingOpener(dir: string, name = 'browser.sh') {
    const path = join(dir, name);
    const out = join(dir, `${name}.out`);
    await writeFile(
      path,
      // Absolute paths: a test may leave only this opener on the PATH.
      `#!/bin/sh\nfile="$(eval echo \\$$#)"\n{ printf 'args:%s\\n' "$*"; /usr/bin/stat -c 'mode:%a' "$file"; /usr/bin/stat -c 'dirmode:%a' "$(/usr/bin/dirname "$file")"; /usr/bin/cat "$file"; } > '${out}'\n`,
    );
    await chmod(path, 0o755);
    return { path, read: () => until(() => readFile(out, 'utf8').catch(() => undefined)) };
  }

  it('prints a working one-time link with --print', async () => {
    const server = await serve({ token: TOKEN });
    process.env.CODEX_TASK_API_TOKEN = TOKEN;
    const run = await t.cli(['ui', '--url', server.url, '--print']);
    expect(run.code).toBe(0);
    const url = run.stdout.trim();
    expect(url).toMatch(new RegExp(`^${server.url}/ui/login\\?code=[\\w-]{43}$`));
    expect(run.stderr).toMatch(/works once/);
    expect((await login(url)).res.status).toBe(200);
  });

  it('takes the token from CODEX_TASK_API_TOKEN, and prints the link where no browser can open (CI)', async () => {
    const server = await serve({ token: TOKEN });
    process.env.CODEX_TASK_API_TOKEN = TOKEN;
    process.env.CI = 'true';
    delete process.env.BROWSER;
    const run = await t.cli(['ui', '--url', server.url]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('/ui/login?code=');
  });

  it('opens a private file that redirects to the link, never the link on a command line, and deletes it', async () => {
    const server = await serve();
    const opener = await recordingOpener(t.home);
    process.env.BROWSER = opener.path;
    const run = await t.cli(['ui', '--url', server.url]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Opened the dashboard');
    const seen = await opener.read();
    const args = /^args:(.*)$/m.exec(seen)![1]!;
    expect(args).not.toContain('code=');
    expect(args).toMatch(/codex-task-ui-\w+\/open-dashboard\.html$/);
    expect(seen).toContain('mode:600');
    expect(seen).toContain('dirmode:700');
    const url = /content="0;url=([^"]+)"/.exec(seen)![1]!;
    expect(url).toMatch(new RegExp(`^${server.url}/ui/login\\?code=[\\w-]{43}$`));
    expect(existsSync(args.trim())).toBe(false);
    expect((await login(url)).res.status).toBe(200);
  });

  it.runIf(process.platform === 'linux')(
    'on Linux runs xdg-open when there is a display, and prints the link when there is none or no opener',
    async () => {
      const server = await serve();
      const bin = await t.workspace();
      const opener = await recordingOpener(bin, 'xdg-open');
      for (const name of ['BROWSER', 'CI', 'DISPLAY', 'WAYLAND_DISPLAY']) delete process.env[name];
      process.env.PATH = bin;
      const headless = await t.cli(['ui', '--url', server.url]);
      expect(headless.stdout).toContain('/ui/login?code=');

      process.env.DISPLAY = ':0';
      const opened = await t.cli(['ui', '--url', server.url]);
      expect(opened.stderr).toContain('Opened the dashboard');
      expect(await opener.read()).toContain('/ui/login?code=');

      process.env.PATH = join(bin, 'nothing-here');
      const noOpener = await t.cli(['ui', '--url', server.url]);
      expect(noOpener.code).toBe(0);
      expect(noOpener.stdout).toContain('/ui/login?code=');
    },
  );

  it.runIf(process.platform !== 'win32')(
    'on Windows opens the file with rundll32 url.dll,FileProtocolHandler (no cmd.exe parsing)',
    async () => {
      const server = await serve();
      const bin = await t.workspace();
      const opener = await recordingOpener(bin, 'rundll32');
      for (const name of ['BROWSER', 'CI']) delete process.env[name];
      process.env.PATH = `${bin}:${process.env.PATH}`;
      const platform = Object.getOwnPropertyDescriptor(process, 'platform')!;
      Object.defineProperty(process, 'platform', { value: 'win32' });
      let run: Awaited<ReturnType<typeof t.cli>>;
      try {
        run = await t.cli(['ui', '--url', server.url]);
      } finally {
        Object.defineProperty(process, 'platform', platform);
      }
      expect(run.code).toBe(0);
      const seen = await opener.read();
      expect(seen).toMatch(/^args:url\.dll,FileProtocolHandler \S+open-dashboard\.html$/m);
    },
  );

  it('sends one token, the one of the kind of server /health names, and never through a redirect', async () => {
    const seen: Record<string, string | undefined>[] = [];
    const fake = (kind: string, answer: (path: string) => [number, Record<string, string>, string]) =>
      createHttpServer((req, res) => {
        seen.push({
          path: req.url,
          authorization: req.headers.authorization,
          proxy: req.headers['x-codex-task-token'] as string | undefined,
        });
        const [status, headers, body] =
          req.url === '/health'
            ? [200, {}, JSON.stringify({ status: 'ok', service: 'codex-task', kind })]
            : answer(req.url ?? '');
        res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
      });
    process.env.CODEX_TASK_API_TOKEN = 'api-token-aaaaaaaa';
    process.env.CODEX_TASK_PROXY_TOKEN = 'proxy-token-bbbbbbbb';
    const code = 'c'.repeat(43);
    const proxy = await holdPort(
      fake('proxy', () => [200, {}, JSON.stringify({ code, url: 'http://x/&calc.exe' })]),
    );
    const run = await t.cli(['ui', '--url', `http://127.0.0.1:${proxy}`, '--print']);
    expect(run.code).toBe(0);
    // The link is built here from --url and the code: the server's `url` is not used.
    expect(run.stdout.trim()).toBe(`http://127.0.0.1:${proxy}/ui/login?code=${code}`);
    expect(seen.at(-1)).toEqual({
      path: '/ui/session/link',
      authorization: undefined,
      proxy: 'proxy-token-bbbbbbbb',
    });

    seen.length = 0;
    const target = await holdPort(fake('serve', () => [500, {}, '{}']));
    const redirecting = await holdPort(
      fake('serve', () => [307, { location: `http://localhost:${target}/ui/session/link` }, '']),
    );
    const redirected = await t.cli(['ui', '--url', `http://127.0.0.1:${redirecting}`, '--print']);
    expect(redirected.code).toBe(1);
    expect(seen.map((r) => r.path)).toEqual(['/health', '/ui/session/link']);
    expect(seen[1]).toMatchObject({ authorization: 'Bearer api-token-aaaaaaaa', proxy: undefined });
    expect(redirected.stderr).toContain('answered with a redirect: not followed');
    seen.length = 0;
    const elsewhere = createHttpServer((_req, res) =>
      res.writeHead(307, { location: `http://localhost:${target}/health` }).end(),
    );
    const whole = await t.cli(['ui', '--url', `http://127.0.0.1:${await holdPort(elsewhere)}`, '--print']);
    expect(whole.stderr).toContain('answered with a redirect: not followed');
    expect(seen).toEqual([]);

    // A code that is not one is refused: nothing of the answer reaches a link or an opener.
    const hostile = await holdPort(fake('serve', () => [200, {}, JSON.stringify({ code: 'x&calc.exe' })]));
    const refused = await t.cli(['ui', '--url', `http://127.0.0.1:${hostile}`, '--print']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
  });

  it('refuses plain http off this machine unless --insecure', async () => {
    const run = await t.cli(['ui', '--url', 'http://192.0.2.1:8790', '--print']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--insecure');
  });

  it('says which server is not running and how to start it, and when a server is not ours', async () => {
    const probe = createServer();
    await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
    const free = (probe.address() as { port: number }).port;
    await new Promise((done) => probe.close(done));
    const run = await t.cli(['ui', '--url', `http://127.0.0.1:${free}`, '--print']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`No codex-task server answers at http://127.0.0.1:${free} (ECONNREFUSED)`);
    expect(run.stderr).toContain('Start one with `codex-task serve`');
    const other = await holdPort(jsonServer(404, { message: 'not here' }));
    const notOurs = await t.cli(['ui', '--url', `http://127.0.0.1:${other}`, '--print']);
    expect(notOurs.code).toBe(1);
    expect(notOurs.stderr).toContain('is not a codex-task serve or proxy');
  });

  it('names the token as the problem when the server refuses it, and --url when it is not a URL', async () => {
    const server = await serve({ token: TOKEN });
    const none = await t.cli(['ui', '--url', server.url, '--print']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('CODEX_TASK_API_TOKEN');
    const wrong = await t.cli(['ui', '--url', server.url, '--token', 'wrong', '--print']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('refused the token given with --token');
    const bad = await t.cli(['ui', '--url', 'localhost:8790']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--url');
  });

  it('serve prints the dashboard link next to the API URL at start', async () => {
    const ws = await t.workspace();
    const serving = t.start(['serve', '--port', '0'], { cwd: ws });
    const printed = await until(() => /Dashboard: (http:\/\/\S+)/.exec(serving.output().stderr)?.[1]);
    expect(serving.output().stderr).toMatch(/codex-task API on http:\/\/127\.0\.0\.1:\d+/);
    expect((await login(printed)).res.status).toBe(200);
    serving.interrupt();
    expect((await serving.done).code).toBe(0);
  });
});

async function until<T>(fn: () => T | undefined | Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(10);
  }
}
