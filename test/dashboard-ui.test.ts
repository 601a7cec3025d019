import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { expect, it, vi } from 'vitest';
import { redirectPage } from '../src/cli/ui-command.ts';
import type { ScriptedRequest } from '../src/scripted-model/index.ts';
import {
  ARTIFACTS,
  describeWithChromium,
  inPage,
  openDashboard,
  pageErrors,
  shown,
  useBrowser,
} from './dashboard-support.ts';
import { useApi } from './http-support.ts';
import { agentFile, processAlive, useHarness } from './support.ts';

const h = useHarness();
const api = useApi();

const AGENTS = {
  '.claude/agents/lead.md': agentFile(
    { name: 'lead', description: 'delegates', tools: 'Task, Read' },
    'You are the LEAD.',
  ),
  '.claude/agents/worker.md': agentFile(
    { name: 'worker', description: 'does one part', tools: 'Task, Read' },
    'You are a WORKER.',
  ),
  '.claude/agents/leaf.md': agentFile(
    { name: 'leaf', description: 'answers', tools: 'Read' },
    'You are a LEAF.',
  ),
};

/** lead → two workers; the first worker → one leaf: three levels, each answering in turn. */
function nested(req: ScriptedRequest) {
  const task = (description: string, prompt: string, subagent_type: string) => ({
    name: 'Task',
    input: { description, prompt, subagent_type },
  });
  if (req.system.includes('LEAF')) return { text: `leaf answer to ${req.lastUserText}`, latencyMs: 50 };
  if (req.system.includes('WORKER')) {
    if (req.turn === 0 && req.lastUserText.includes('deep'))
      return { toolCalls: [task('look deeper', 'detail', 'leaf')] };
    return { text: `worker done: ${req.lastUserText}`, latencyMs: 50 };
  }
  if (req.turn === 0) {
    return {
      toolCalls: [task('review parser', 'deep parser', 'worker'), task('review lexer', 'lexer', 'worker')],
    };
  }
  return { text: 'All parts reviewed: parser fine, lexer fine.' };
}

/** The little of the page's globals a function run in it uses (Node's types have no DOM). */
type Browser = { document: { querySelectorAll(selector: string): { length: number } } };

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(ARTIFACTS, `dashboard-${name}.png`) });

describeWithChromium('the dashboard in a real browser', () => {
  const b = useBrowser();

  it('shows a batch of tasks as they start, run and finish, live', async () => {
    await h.setup({}, (req: ScriptedRequest) => ({ text: `done: ${req.lastUserText}`, latencyMs: 400 }));
    const { server, call } = await api(h.engine({ concurrency: 2 }), h.workspace);
    const { page, context } = await openDashboard(b.browser, server);
    await page.waitForSelector('.empty');
    // The list's first page came from the page's preload, fetched once with the modules.
    const firstPageFetches = await inPage(
      page,
      `() => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/ui/api/tasks?limit=100')).length`,
    );
    expect(firstPageFetches).toBe(1);

    const started = await call('POST', '/v1/tasks', {
      tasks: Array.from({ length: 5 }, (_, i) => ({ description: `batch item ${i}`, prompt: `item ${i}` })),
    });
    expect(started.status).toBe(202);
    // Concurrency 2: some run while the others wait; the page shows both states as they happen.
    await page.waitForSelector('tr[data-status="running"]');
    await page.waitForSelector('tr[data-status="queued"]');
    await shot(page, 'batch-running');
    // A function, not text: the page's CSP refuses to evaluate strings.
    await page.waitForFunction(
      () =>
        (globalThis as unknown as Browser).document.querySelectorAll('tr[data-status="completed"]').length ===
        5,
      undefined,
      { timeout: 15_000 },
    );
    const rows = await page.$$eval('tr[data-task-id] .title', (cells) => cells.map((c) => c.textContent));
    expect(rows.sort()).toEqual([0, 1, 2, 3, 4].map((i) => `batch item ${i}`));
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });

  it('filters and searches the list, and pages through it', async () => {
    await h.setup({}, (req) =>
      req.lastUserText === 'boom' ? { fault: { kind: 'status', status: 401 } } : { text: 'ok' },
    );
    const engine = h.engine();
    const { server, obs } = await api(engine, h.workspace);
    const now = Date.now();
    for (let i = 0; i < 130; i++) {
      obs.store!.taskQueued({
        id: `rec${String(i).padStart(4, '0')}`,
        agentType: i % 2 ? 'reviewer' : 'writer',
        description: `recorded ${i}`,
        spawnDepth: 1,
        queuedAt: now - 60_000 - i,
      });
    }
    await engine.run({ description: 'the broken one', prompt: 'boom' });
    const { page, context } = await openDashboard(b.browser, server);
    const count = () => page.locator('tr[data-task-id]').count();
    await shown(page, 'button.more');
    expect(await count()).toBe(100);
    await page.click('button.more');
    await page.waitForFunction(
      () => (globalThis as unknown as Browser).document.querySelectorAll('tr[data-task-id]').length === 131,
    );
    await page.selectOption('select[name="status"]', 'failed,timed_out,interrupted');
    await shown(page, 'tr[data-status="failed"]:only-child');
    await page.selectOption('select[name="status"]', '');
    await page.fill('input[name="q"]', 'recorded 12');
    // recorded 12 and 120…129
    await page.waitForFunction(
      () => (globalThis as unknown as Browser).document.querySelectorAll('tr[data-task-id]').length === 11,
    );
    await page.selectOption('select[name="agent"]', 'writer');
    await page.waitForFunction(
      () => (globalThis as unknown as Browser).document.querySelectorAll('tr[data-task-id]').length === 6,
    );
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });

  it("shows a failed task's error and its hint, prominently", async () => {
    await h.setup({}, () => ({ fault: { kind: 'status', status: 401 } }));
    const { server, call } = await api(h.engine(), h.workspace);
    const failed = await call('POST', '/v1/tasks?wait=true', { description: 'bad key', prompt: 'hi' });
    expect(failed.json.status).toBe('failed');
    const { page, context } = await openDashboard(b.browser, server);
    await page.click(`tr[data-task-id="${failed.json.id}"]`);
    const box = await page.waitForSelector('.error-box');
    expect(await box.$eval('.error-type', (e) => e.textContent)).toBe(failed.json.error.type);
    expect(await box.$eval('.error-message', (e) => e.textContent)).toBe(failed.json.error.message);
    expect(failed.json.error.hint).toBeTruthy();
    expect(await box.$eval('.error-hint', (e) => e.textContent)).toContain(failed.json.error.hint);
    await shot(page, 'failed');
    await context.close();
  });

  it('cancels a running task from the page: its Bash process group is gone', async () => {
    const ws = await h.setup({}, (req) =>
      req.turn === 0
        ? {
            toolCalls: [
              { name: 'Bash', input: { command: 'sleep 30 & echo $! > bg.pid; echo $$ > sh.pid; sleep 30' } },
            ],
          }
        : { text: 'never' },
    );
    // Unsandboxed, so the PIDs the shell writes are the host's.
    const { server, call } = await api(h.engine({ sandbox: { mode: 'off' } }), ws);
    const started = await call('POST', '/v1/tasks', { description: 'long sleep', prompt: 'sleep' });
    const pidOf = (f: string) => Number(/^(\d+)\n$/.exec(readFileSync(join(ws, f), 'utf8'))?.[1]);
    const pids = await vi.waitFor(
      () => {
        const found = ['bg.pid', 'sh.pid'].map(pidOf);
        expect(found.every((pid) => pid > 1)).toBe(true);
        return found;
      },
      { timeout: 10_000, interval: 20 },
    );
    expect(pids.filter(processAlive)).toEqual(pids);
    const { page, context } = await openDashboard(b.browser, server, { hash: `#/tasks/${started.json.id}` });
    await page.waitForSelector('.detail-pane[data-status="running"] .entry.tool.running');
    await page.click('button[name="cancel"]');
    await page.waitForSelector('.detail-pane[data-status="cancelled"]');
    await page.waitForSelector(`tr[data-task-id="${started.json.id}"][data-status="cancelled"]`);
    await vi.waitFor(() => expect(pids.filter(processAlive)).toEqual([]), { timeout: 10_000, interval: 20 });
    await shot(page, 'cancelled');
    await context.close();
  });

  it('continues a finished task with a follow-up message and re-runs it, from the page', async () => {
    await h.setup({}, (req) => ({ text: `heard: ${req.lastUserText}` }));
    const engine = h.engine();
    const { server } = await api(engine, h.workspace);
    const first = await engine.run({ description: 'ask once', prompt: 'first question' });
    const { page, context } = await openDashboard(b.browser, server, { hash: `#/tasks/${first.taskId}` });
    await shown(page, '.detail-pane[data-status="completed"] .entry.result');
    await page.fill('input[name="message"]', 'second question');
    await page.click('button[name="continue"]');
    // The page moves to the follow-up: a new task that carries the conversation on, linked to the first.
    const followUp = await page.waitForFunction((firstId) => {
      const { hash } = (globalThis as unknown as { location: { hash: string } }).location;
      return hash.startsWith('#/tasks/') && !hash.endsWith(firstId) && hash.slice('#/tasks/'.length);
    }, first.taskId);
    const followUpId = (await followUp.jsonValue()) as string;
    await shown(page, `.detail-pane[data-task-id="${followUpId}"][data-status="completed"] .entry.result`);
    expect(await page.textContent('.detail-pane .entry.result pre')).toBe('heard: second question');
    expect(await page.getAttribute('.detail-pane .facts a.mono', 'href')).toBe(`#/tasks/${first.taskId}`);

    // Re-run the first: a new task with its input, and its own answer.
    await page.click(`tr[data-task-id="${first.taskId}"]`);
    await shown(page, `.detail-pane[data-task-id="${first.taskId}"]`);
    await page.click('button[name="rerun"]');
    await shown(
      page,
      `.detail-pane:not([data-task-id="${first.taskId}"])[data-status="completed"] .entry.result`,
    );
    const rerunId = await page.getAttribute('.detail-pane', 'data-task-id');
    expect([first.taskId, followUpId]).not.toContain(rerunId);
    expect(await page.textContent('.detail-pane h2')).toBe('ask once');
    expect(await page.textContent('.detail-pane .entry.result pre')).toBe('heard: first question');
    expect(await page.$$('tr[data-task-id]')).toHaveLength(3);
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });

  it("shows a nested Task's tree under the client's thread, with state, model and numbers per node", async () => {
    await h.setup(AGENTS, nested);
    const engine = h.engine();
    const { server } = await api(engine, h.workspace);
    const lead = engine.start(
      { description: 'review the compiler', prompt: 'review', subagent_type: 'lead' },
      { caller: { threadId: 'thread-7f3a', callId: 'call-1' } },
    );
    expect((await lead.result).status).toBe('completed');
    const { page, context } = await openDashboard(b.browser, server, { hash: `#/tasks/${lead.id}` });
    await page.waitForSelector('.tree .thread');
    const tree = await inPage(
      page,
      `() => {
        const walk = (li) => ({
          agent: li.querySelector(':scope > .node-row .node-agent')?.textContent ?? 'thread',
          status: li.querySelector(':scope > .node-row .pill')?.getAttribute('data-status') ?? null,
          children: [...li.querySelectorAll(':scope > ul > li')].map(walk),
        });
        return walk(document.querySelector('.tree > li'));
      }`,
    );
    const done = (agent: string, children: unknown[] = []) => ({ agent, status: 'completed', children });
    expect(tree).toEqual({
      agent: 'thread',
      status: null,
      children: [done('lead', [done('worker', [done('leaf')]), done('worker')])],
    });
    expect(await page.textContent('.tree .thread')).toContain('thread-7f3a');
    expect(await page.textContent('.tree a[data-node-id] .node-nums')).toContain('gpt-5.5');
    await context.close();
  });

  it('plots the tasks per minute with data; shows provider health and the queue (dark scheme)', async () => {
    await h.setup({}, (req) => ({
      text: `ok ${req.lastUserText}`,
      usage: { inputTokens: 1200, outputTokens: 300 },
    }));
    const engine = h.engine();
    const queue = {
      overview: async () => ({
        counts: { waiting: 12, active: 3, failed: 1 },
        workers: [{ id: 'w1', name: 'build-01', addr: '10.0.0.7', running: 3, concurrency: 4 }],
      }),
    };
    const { server } = await api(engine, h.workspace, { queue });
    await engine.runAll(Array.from({ length: 4 }, (_, i) => ({ description: `plot ${i}`, prompt: `p${i}` })));
    const { page, context } = await openDashboard(b.browser, server, {
      hash: '#/plots',
      colorScheme: 'dark',
    });
    await shown(page, 'figure[data-chart="tasks"] canvas');
    const chart = await inPage<{ series: string; points: number; drawn: number }>(
      page,
      `() => {
        const figure = document.querySelector('figure[data-chart="tasks"]');
        const canvas = figure.querySelector('canvas');
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let drawn = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) drawn++;
        return { series: figure.getAttribute('data-series'), points: Number(figure.getAttribute('data-points')), drawn };
      }`,
    );
    expect(chart.series).toBe('1'); // completed only
    expect(chart.points).toBeGreaterThan(0);
    expect(chart.drawn).toBeGreaterThan(100);
    expect(await page.textContent('.group-table')).toContain('general-purpose');
    await shot(page, 'plots-dark');
    // The other views of figures: provider health, and the queue's workers.
    await page.click('a.tab[href="#/providers"]');
    await shown(page, 'tr[data-provider="openai"] .pill.circuit-closed');
    expect(await page.textContent('tr[data-provider="openai"]')).toMatch(/openai\s*openai/);
    await shot(page, 'providers-dark');
    await page.click('a.tab[href="#/queue"]');
    await shown(page, 'tr[data-worker="w1"]');
    expect(await page.textContent('[data-count="waiting"]')).toContain('12');
    await shot(page, 'queue-dark');
    expect(pageErrors(page)).toEqual([]);
    await context.close();
  });

  // The README's screenshot: `UPDATE_DOCS_IMAGES=1 npx vitest run test/dashboard-ui.test.ts` copies it
  // to docs/images/ (not on every run: the image would change in every checkout that runs the tests).
  it('shows a mixed day at a glance: live, failed, finished and nested tasks (the README screenshot)', async () => {
    await h.setup(AGENTS, (req) => {
      if (req.lastUserText === 'flaky') return { fault: { kind: 'status', status: 401 } };
      if (req.lastUserText === 'slow') return { fault: { kind: 'hang' } };
      if (req.system.includes('LEAD') || req.system.includes('WORKER') || req.system.includes('LEAF')) {
        return nested(req);
      }
      return { text: `summary of ${req.lastUserText}`, usage: { inputTokens: 5400, outputTokens: 800 } };
    });
    const engine = h.engine();
    const { server, call } = await api(engine, h.workspace);
    await call('POST', '/v1/tasks?wait=true', {
      tasks: ['api', 'cli', 'store'].map((m) => ({ description: `summarise ${m} module`, prompt: m })),
    });
    await call('POST', '/v1/tasks?wait=true', { description: 'triage flaky test', prompt: 'flaky' });
    const lead = engine.start(
      { description: 'review the compiler', prompt: 'review', subagent_type: 'lead' },
      { caller: { threadId: 'codex-thread-7f3a', callId: 'call-1' } },
    );
    await lead.result;
    const slow = await call('POST', '/v1/tasks', { description: 'migrate config loader', prompt: 'slow' });
    const { page, context } = await openDashboard(b.browser, server, { hash: `#/tasks/${lead.id}` });
    await page.waitForSelector(`tr[data-task-id="${slow.json.id}"][data-status="running"]`);
    await page.waitForSelector('.tree .thread');
    await page.waitForSelector('.transcript .entry.result');
    const path = join(ARTIFACTS, 'dashboard-overview.png');
    await page.screenshot({ path });
    if (process.env.UPDATE_DOCS_IMAGES)
      await copyFile(path, join(import.meta.dirname, '..', 'docs', 'images', 'dashboard.png'));
    expect(pageErrors(page)).toEqual([]);
    await call('DELETE', `/v1/tasks/${slow.json.id}`);
    await context.close();
  });

  it('without a session the page says how to get a link, and its API refuses', async () => {
    await h.setup();
    const { server } = await api(h.engine(), h.workspace);
    const context = await b.browser.newContext();
    const page = await context.newPage();
    const answer = await page.goto(`${server.url}/ui/`);
    expect(answer?.status()).toBe(200);
    await shown(page, '[data-login="needed"]');
    expect(await page.textContent('body')).toContain('codex-task ui');
    const api401 = await inPage(page, `() => fetch('/ui/api/tasks').then((r) => r.status)`);
    expect(api401).toBe(401);
    const used = await openDashboard(b.browser, server);
    // A link already used: its page says so, and how to get another.
    const again = await context.newPage();
    const link = server.loginLink().url;
    await used.page.goto(link);
    await used.page.waitForSelector('[data-connection="live"]');
    await again.goto(link);
    await shown(again, '[data-login="needed"]');
    expect(await again.textContent('body')).toContain('codex-task ui');
    expect(again.url()).toBe(`${server.url}/ui/`);
    await used.context.close();
    await context.close();
  });

  it('ends the page when its session ends: the stream closes and the page says how to log in again', async () => {
    await h.setup();
    const { server } = await api(h.engine(), h.workspace);
    const { page, context } = await openDashboard(b.browser, server);
    const status = await inPage<number>(
      page,
      `() => fetch('/ui/session/logout', { method: 'POST', headers: { 'content-type': 'application/json', 'x-codex-task-session': localStorage.getItem('codex-task-session') }, body: '{}' }).then((r) => r.status)`,
    );
    expect(status).toBe(204);
    await shown(page, '[data-login="needed"]');
    expect(await page.textContent('body')).toContain('codex-task ui');
    expect(await inPage(page, `() => localStorage.getItem('codex-task-session')`)).toBeNull();
    await context.close();
  });

  it('gives a page on another port of 127.0.0.1 nothing to replay: no cookie, no readable secret', async () => {
    await h.setup();
    const { server } = await api(h.engine(), h.workspace, { token: 'serve-token-0123456789' });
    const { page, context } = await openDashboard(b.browser, server);
    const seen: { cookie?: string | undefined; storage?: string }[] = [];
    // Another user's server: it keeps every Cookie header it gets, and its page reports what it can
    // read of localStorage (its own origin's: the port is part of it).
    const other = createServer((req, res) => {
      seen.push({ cookie: req.headers.cookie });
      if (req.url?.startsWith('/report')) {
        seen.push({ storage: decodeURIComponent(req.url.slice('/report?'.length)) });
        return void res.end('ok');
      }
      if (req.url === '/probe.js') {
        res.setHeader('content-type', 'text/javascript');
        return void res.end(`fetch('/report?' + encodeURIComponent(JSON.stringify({ ...localStorage })))`);
      }
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><script src="/probe.js"></script>');
    });
    await new Promise<void>((done) => other.listen(0, '127.0.0.1', done));
    try {
      await page.goto(`http://127.0.0.1:${(other.address() as { port: number }).port}/`);
      await vi.waitFor(() => expect(seen.some((s) => s.storage !== undefined)).toBe(true));
      expect(seen.every((s) => s.cookie === undefined)).toBe(true);
      expect(seen.find((s) => s.storage)?.storage).toBe('{}');
      expect(await context.cookies()).toEqual([]);
    } finally {
      await new Promise((done) => other.close(done));
      await context.close();
    }
  });

  it('opens from the local file `codex-task ui` writes (a navigation from file://), and a planted cookie changes nothing', async () => {
    await h.setup();
    const { server } = await api(h.engine(), h.workspace);
    const context = await b.browser.newContext();
    // Another page of this host may set cookies for it (cookies ignore ports): none is read.
    await context.addCookies([
      { name: `codex_task_ui_${server.port}`, value: 'junk', domain: '127.0.0.1', path: '/ui' },
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'codex-task-ui-test-'));
    try {
      const file = join(dir, 'open-dashboard.html');
      writeFileSync(file, redirectPage(server.loginLink().url), { mode: 0o600 });
      const page = await context.newPage();
      await page.goto(pathToFileURL(file).href);
      await page.waitForURL(`${server.url}/ui/`);
      await shown(page, '[data-connection="live"]');
      expect(await inPage(page, `() => localStorage.getItem('codex-task-session')`)).toMatch(/^[\w-]{43}$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await context.close();
    }
  });
});
