import { chmod, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRuntimeSettings } from '../src/config/index.ts';
import type { HttpServer } from '../src/http/index.ts';
import { type ProxyServer, startProxy } from '../src/proxy/index.ts';
import { jsonServer, useInProcessCli, useLoopbackServers } from './cli-in-process-support.ts';
import { rawHttp, useApi } from './http-support.ts';
import { useHarness } from './support.ts';

// The dashboard's home on real loopback servers: one-time login links, the session cookie, the
// checks a cookie needs (CSRF, other pages of the site), the security headers, the proxy serving
// the same dashboard behind its own token, and `codex-task ui`.

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

/** Follows a login link the way a browser does up to the redirect: the cookie it sets, if any. */
async function login(url: string) {
  const res = await fetch(url, { redirect: 'manual', headers: { accept: 'text/html' } });
  const setCookie = res.headers.getSetCookie()[0];
  return { res, setCookie, cookie: setCookie?.split(';')[0] };
}

async function session(server: HttpServer | ProxyServer, headers?: Record<string, string>): Promise<string> {
  const { json } = await link(server, headers);
  const { cookie } = await login(json.url);
  return cookie!;
}

describe('login links', () => {
  it('are given only for the token, sent in a header; the link carries a code, never the token', async () => {
    const server = await serve({ token: TOKEN });
    expect((await link(server, {})).status).toBe(401);
    expect((await link(server, { authorization: 'Bearer wrong-token-of-same-size' })).status).toBe(401);
    const given = await link(server);
    expect(given.status).toBe(200);
    expect(given.json.url).toMatch(new RegExp(`^${server.url}/ui/login\\?code=[\\w-]{43}$`));
    expect(given.json.url).not.toContain(TOKEN);
    expect(Date.parse(given.json.expiresAt) - Date.now()).toBeGreaterThan(50_000);
  });

  it('are given to any local program when the server itself has no token (loopback only)', async () => {
    const server = await serve();
    expect((await link(server, {})).status).toBe(200);
  });

  it('work once: the first visit sets a strict session cookie and redirects (303) to /ui/', async () => {
    const server = await serve({ token: TOKEN });
    const { json } = await link(server);
    const first = await login(json.url);
    expect(first.res.status).toBe(303);
    expect(first.res.headers.get('location')).toBe('/ui/');
    const attributes = first.setCookie!.split(';').map((a) => a.trim());
    expect(attributes[0]).toMatch(new RegExp(`^codex_task_ui_${server.port}=[\\w-]{43}$`));
    expect(attributes).toEqual(
      expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${12 * 3600}`]),
    );
    // Plain HTTP: a Secure cookie would never come back.
    expect(attributes).not.toContain('Secure');
    expect(first.res.headers.get('referrer-policy')).toBe('no-referrer');

    const again = await login(json.url);
    expect(again.res.status).toBe(401);
    expect(again.setCookie).toBeUndefined();
    expect(await again.res.text()).toContain('codex-task ui');
  });

  it('expire: a code past its time opens nothing, and neither does a session past its own', async () => {
    const stale = await serve({ token: TOKEN, loginLinkTtlMs: 0 });
    expect((await login((await link(stale)).json.url)).res.status).toBe(401);

    const brief = await serve({ token: TOKEN, sessionTtlMs: 0 });
    const cookie = await session(brief);
    const page = await fetch(`${brief.url}/ui/`, { headers: { cookie } });
    expect(page.status).toBe(401);
    // The dead cookie is cleared.
    expect(page.headers.getSetCookie()[0]).toMatch(/Max-Age=0/);
  });

  it('are printed by the server itself (what `serve` shows at start)', async () => {
    const server = await serve({ token: TOKEN });
    const printed = server.loginLink();
    expect(printed.url).toMatch(new RegExp(`^${server.url}/ui/login\\?code=`));
    expect((await login(printed.url)).res.status).toBe(303);
  });
});

describe('the session guard of /ui/*', () => {
  it('refuses /ui/ without a session: a page saying how to get a link, or JSON for scripts', async () => {
    const server = await serve({ token: TOKEN });
    const page = await fetch(`${server.url}/ui/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(401);
    const html = await page.text();
    expect(html).toContain('codex-task ui');
    expect(html).not.toMatch(/<script|style=|on\w+=/i);
    const data = await fetch(`${server.url}/ui/api/tasks`);
    expect(data.status).toBe(401);
    expect(await data.json()).toMatchObject({
      error: { type: 'Unauthorized', hint: expect.stringContaining('codex-task ui') },
    });
  });

  it('lets a session in, and a program that sends the token in a header', async () => {
    const server = await serve({ token: TOKEN });
    const cookie = await session(server);
    expect((await fetch(`${server.url}/ui/`, { headers: { cookie } })).status).not.toBe(401);
    const program = await fetch(`${server.url}/ui/session/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    });
    expect(program.status).toBe(204);
  });

  it('never takes the token from a URL', async () => {
    const server = await serve({ token: TOKEN });
    for (const path of [
      `/ui/?token=${TOKEN}`,
      `/ui/?access_token=${TOKEN}`,
      `/ui/login?code=${TOKEN}`,
      `/ui/login?token=${TOKEN}`,
      `/v1/agents?token=${TOKEN}`,
      `/v1/agents?access_token=${TOKEN}`,
    ]) {
      const res = await fetch(`${server.url}${path}`, { redirect: 'manual' });
      expect(res.status, path).toBe(401);
      expect(res.headers.getSetCookie(), path).toEqual([]);
    }
  });

  it('is not got around by another spelling of a path (encoded, dot segments, double slashes)', async () => {
    const server = await serve({ token: TOKEN });
    for (const path of [
      '/%75i/api/tasks',
      '/ui/%61pi/tasks',
      '/ui//api/tasks',
      '/ui/./api/tasks',
      '/x/../ui/api/tasks',
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
      expect(res, path).toBe(401);
    }
  });

  it('refuses a state change with the cookie unless it comes from the dashboard page itself (CSRF)', async () => {
    const server = await serve({ token: TOKEN });
    const cookie = await session(server);
    const logout = (headers: Record<string, string>) =>
      rawHttp(`${server.url}/ui/session/logout`, {
        method: 'POST',
        headers: { host: `127.0.0.1:${server.port}`, 'content-type': 'application/json', cookie, ...headers },
        body: '{}',
      });
    const refusals = [
      await logout({}),
      await logout({ origin: 'https://evil.example' }),
      await logout({ origin: `http://127.0.0.1:${server.port + 1}`, 'sec-fetch-site': 'same-site' }),
      await logout({ origin: 'null' }),
    ];
    for (const res of refusals) {
      expect(res.status).toBe(403);
      expect(JSON.parse(res.text).error.type).toBe('ForbiddenOrigin');
    }
    // Still logged in: none of them got through.
    expect((await fetch(`${server.url}/ui/`, { headers: { cookie } })).status).not.toBe(401);
    const own = await logout({ origin: `http://127.0.0.1:${server.port}`, 'sec-fetch-site': 'same-origin' });
    expect(own.status).toBe(204);
    expect((await fetch(`${server.url}/ui/`, { headers: { cookie } })).status).toBe(401);
  });

  it('refuses another page of the site (another port) reading with the cookie, but follows its links', async () => {
    const server = await serve({ token: TOKEN });
    const cookie = await session(server);
    const read = await rawHttp(`${server.url}/ui/api/tasks`, {
      headers: {
        host: `127.0.0.1:${server.port}`,
        cookie,
        'sec-fetch-site': 'same-site',
        'sec-fetch-mode': 'no-cors',
      },
    });
    expect(read.status).toBe(403);
    const navigation = await rawHttp(`${server.url}/ui/`, {
      headers: {
        host: `127.0.0.1:${server.port}`,
        cookie,
        'sec-fetch-site': 'same-site',
        'sec-fetch-mode': 'navigate',
      },
    });
    expect(navigation.status).not.toBe(401);
    expect(navigation.status).not.toBe(403);
  });

  it('checks the Host before anything: a rebinding page cannot spend a code', async () => {
    const server = await serve({ token: TOKEN });
    const { json } = await link(server);
    const path = new URL(json.url);
    const rebound = await rawHttp(json.url, { headers: { host: `evil.example:${server.port}` } });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.text).error.type).toBe('ForbiddenHost');
    const linkByRebinding = await rawHttp(`${server.url}/ui/session/link`, {
      method: 'POST',
      headers: { host: 'evil.example', 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: '{}',
    });
    expect(linkByRebinding.status).toBe(403);
    // The refused visit did not use the code up.
    expect((await login(`${server.url}${path.pathname}${path.search}`)).res.status).toBe(303);
  });
});

describe('security headers', () => {
  it('are on every dashboard answer: the redirect from /, the 401, the login, the page', async () => {
    const server = await serve({ token: TOKEN });
    const root = await fetch(`${server.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/ui/');
    expect((await fetch(`${server.url}/ui`, { redirect: 'manual' })).headers.get('location')).toBe('/ui/');
    const { json } = await link(server);
    const { res: loginRes, cookie } = await login(json.url);
    const refused = await fetch(`${server.url}/ui/`, { headers: { accept: 'text/html' } });
    const page = await fetch(`${server.url}/ui/`, { headers: { cookie: cookie! } });
    const answers = [root, loginRes, refused, page];
    for (const res of answers) {
      expect(res.headers.get('content-security-policy'), res.url).toBe(CSP);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('strict-transport-security')).toBeNull();
    }
    expect(refused.headers.get('content-type')).toContain('text/html');
  });

  it('leave the API as it was', async () => {
    const server = await serve();
    const res = await fetch(`${server.url}/v1/agents`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBeNull();
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });
});

describe('the proxy serves the same dashboard behind its own token', () => {
  const proxies: ProxyServer[] = [];
  afterEach(async () => {
    for (const p of proxies.splice(0)) await p.close();
  });

  it('gives a link for x-codex-task-token (or the bearer), and forwards everything else as before', async () => {
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
    expect((await fetch(`${proxy.url}/ui/`)).status).toBe(401);
    expect((await link(proxy, {})).status).toBe(401);
    expect((await link(proxy, { 'x-codex-task-token': 'nope' })).status).toBe(401);
    const cookie = await session(proxy, { 'x-codex-task-token': TOKEN });
    const page = await fetch(`${proxy.url}/ui/`, { headers: { cookie } });
    expect(page.status).not.toBe(401);
    expect(page.headers.get('content-security-policy')).toBe(CSP);
    expect((await login(proxy.loginLink().url)).res.status).toBe(303);
    expect((await link(proxy)).status).toBe(200);
    // Codex's path is untouched: the token in its header, the request forwarded to the upstream.
    const models = await fetch(`${proxy.baseUrl}/models`, { headers: { 'x-codex-task-token': TOKEN } });
    expect(models.status).not.toBe(401);
    expect((await fetch(`${proxy.baseUrl}/models`)).status).toBe(401);
  });
});

describe('codex-task ui', () => {
  it('prints a working one-time link with --print', async () => {
    const server = await serve({ token: TOKEN });
    const run = await t.cli(['ui', '--url', server.url, '--token', TOKEN, '--print']);
    expect(run.code).toBe(0);
    const url = run.stdout.trim();
    expect(url).toMatch(new RegExp(`^${server.url}/ui/login\\?code=`));
    expect(run.stderr).toMatch(/works once/);
    expect((await login(url)).res.status).toBe(303);
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

  it('opens the link with $BROWSER, detached', async () => {
    const server = await serve();
    const out = join(t.home, 'opened.txt');
    const browser = join(t.home, 'browser.sh');
    await writeFile(browser, `#!/bin/sh\nprintf '%s' "$1" > '${out}'\n`);
    await chmod(browser, 0o755);
    process.env.BROWSER = browser;
    const run = await t.cli(['ui', '--url', server.url]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Opened the dashboard');
    const opened = await until(() => readFile(out, 'utf8').catch(() => undefined));
    expect((await login(opened)).res.status).toBe(303);
  });

  it.runIf(process.platform === 'linux')(
    'on Linux runs xdg-open when there is a display, and prints the link when there is none or no opener',
    async () => {
      const server = await serve();
      const bin = await t.workspace();
      const out = join(bin, 'opened.txt');
      await writeFile(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${out}'\n`);
      await chmod(join(bin, 'xdg-open'), 0o755);
      for (const name of ['BROWSER', 'CI', 'DISPLAY', 'WAYLAND_DISPLAY']) delete process.env[name];
      process.env.PATH = bin;
      const headless = await t.cli(['ui', '--url', server.url]);
      expect(headless.stdout).toContain('/ui/login?code=');

      process.env.DISPLAY = ':0';
      const opened = await t.cli(['ui', '--url', server.url]);
      expect(opened.stderr).toContain('Opened the dashboard');
      expect(await until(() => readFile(out, 'utf8').catch(() => undefined))).toContain('/ui/login?code=');

      process.env.PATH = join(bin, 'nothing-here');
      const noOpener = await t.cli(['ui', '--url', server.url]);
      expect(noOpener.code).toBe(0);
      expect(noOpener.stdout).toContain('/ui/login?code=');
    },
  );

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
    expect(notOurs.stderr).toContain('did not give a login link (HTTP 404)');
  });

  it('names the token as the problem when the server refuses it, and --url when it is not a URL', async () => {
    const server = await serve({ token: TOKEN });
    const none = await t.cli(['ui', '--url', server.url, '--print']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--token');
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
    expect((await login(printed)).res.status).toBe(303);
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
