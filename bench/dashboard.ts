/**
 * `npm run bench:dashboard -- [--json]`: the dashboard on loopback with 10,000 recorded tasks, in
 * Debian's chromium (CHROMIUM_PATH, else `chromium` on the PATH).
 *   interactiveMs   navigation to /ui/ → the task list rendered, its first row clickable (median of
 *                   warm loads; `firstLoadMs` is the first, with nothing cached)
 *   detailMs        click on a row → its detail (tree and transcript) shown
 *   stateChangeMs   engine event → the change visible in the page (median over tasks started one
 *                   by one: `task.queued` → row shown, `task.finished` → row marked completed)
 * Targets: interactive < 1000 ms, state change < 100 ms. `BENCH_DEBUG=1` also prints the page's
 * resource timings (what was fetched when, ms from navigation).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { TaskEngine, type TaskResult } from '../src/engine/index.ts';
import { startHttpServer } from '../src/http/index.ts';
import { observe } from '../src/observe/index.ts';
import { startScriptedModel } from '../src/scripted-model/index.ts';
import { RunStore } from '../src/store/index.ts';
import { chromiumPath } from '../test/dashboard-support.ts';
import { median, wallClock } from './stats.ts';

const json = process.argv.includes('--json');
const log = (line: string) => {
  if (!json) process.stdout.write(`${line}\n`);
};
const TASKS = 10_000;
const LOADS = 7;
const CHANGES = 15;
const TARGETS = { interactiveMs: 1000, stateChangeMs: 100 };

/** 10,000 finished tasks over the last day: a mix of agents, models, states, errors and subagents. */
function seed(path: string): void {
  const store = new RunStore({ path });
  const agents = ['general-purpose', 'code-reviewer', 'Explore', 'test-writer', 'Plan'];
  const models = ['openai:gpt-5.5', 'anthropic:claude-sonnet-4-5', 'google:gemini-2.5-pro'];
  const now = Date.now();
  store.transaction(() => {
    for (let i = 0; i < TASKS; i++) {
      const id = `seed${i.toString(16).padStart(12, '0')}`;
      const queuedAt = now - 86_400_000 + Math.floor((i / TASKS) * 86_000_000);
      const status: TaskResult['status'] = i % 23 === 0 ? 'failed' : i % 41 === 0 ? 'cancelled' : 'completed';
      const agentType = agents[i % agents.length]!;
      const model = models[i % models.length]!;
      const parentId = i % 5 === 4 ? `seed${(i - 1).toString(16).padStart(12, '0')}` : undefined;
      store.taskQueued({
        id,
        agentType,
        description: `recorded task ${i}: review module ${i % 97}`,
        spawnDepth: parentId ? 2 : 1,
        queuedAt,
        parentId,
        input: { description: `task ${i}`, prompt: `review module ${i % 97}` },
      });
      const usage = {
        inputTokens: 1000 + (i % 700),
        outputTokens: 200 + (i % 90),
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        totalTokens: 0,
        costUsd: 0.001 * (i % 13),
      };
      store.taskFinished(
        {
          taskId: id,
          agentId: id,
          status,
          agentType,
          description: '',
          content: status === 'completed' ? `Module ${i % 97} reviewed.` : '',
          resolvedModel: model,
          modelsUsed: [],
          failovers: [],
          retries: 0,
          totalDurationMs: 800 + (i % 3000),
          totalToolUseCount: i % 6,
          turns: 1 + (i % 4),
          usage,
          toolStats: {},
          timings: { queuedMs: 1, modelMs: 500, toolMs: 100 },
          ...(status === 'failed'
            ? { error: { type: 'ProviderUnavailable', message: 'openai answered 503', hint: 'Retry later.' } }
            : {}),
        } as TaskResult,
        queuedAt + 800 + (i % 3000),
      );
    }
  });
  store.close();
}

async function main() {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('chromium not found: set CHROMIUM_PATH or install chromium');
  const dir = mkdtempSync(join(tmpdir(), 'codex-task-bench-dashboard-'));
  const db = join(dir, 'runs.db');
  const seedStart = performance.now();
  seed(db);
  log(`seeded ${TASKS} tasks in ${(performance.now() - seedStart).toFixed(0)} ms`);

  const model = await startScriptedModel({ handler: () => ({ text: 'done', latencyMs: 30 }) });
  const engine = new TaskEngine({
    cwd: dir,
    homeDir: dir,
    env: {},
    providers: [
      { id: 'openai', kind: 'openai', baseURL: model.baseUrls.openai, apiKey: 'bench-key-0123456789' },
    ],
    callerModel: 'openai:gpt-5.5',
    agentRescanIntervalMs: 0,
  });
  const obs = observe(engine, { env: {}, store: db, logger: false, tracing: false, audit: false });
  const server = await startHttpServer({ engine, observability: obs, port: 0 });
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();

    // Navigation → the list rendered and a row clickable; the first load fetches every file.
    const loads: number[] = [];
    // The login page trades the link's code for the session (kept in localStorage), then lands on /ui/.
    await page.goto(server.loginLink().url, { waitUntil: 'commit' });
    for (let i = 0; i < LOADS; i++) {
      const t0 = performance.now();
      if (i > 0) await page.goto(`${server.url}/ui/`, { waitUntil: 'commit' });
      await page.waitForSelector('tr[data-task-id]', { state: 'visible' });
      loads.push(performance.now() - t0);
    }
    const rows = await page.locator('tr[data-task-id]').count();
    if (process.env.BENCH_DEBUG) {
      const entries = (await page.evaluate(
        `performance.getEntriesByType('resource').map((e) => [e.name.replace(/^.*\\/ui\\//, ''), Math.round(e.startTime), Math.round(e.responseEnd)])`,
      )) as unknown[];
      log(JSON.stringify(entries));
    }
    const c0 = performance.now();
    await page.locator('tr[data-task-id]').first().click();
    await page.waitForSelector('.detail-pane .tree');
    const detailMs = performance.now() - c0;
    await page.goto(`${server.url}/ui/`);
    await page.waitForSelector('[data-connection="live"]');

    // Engine event → visible: the page notes when each row appears or changes (its own clock is
    // this machine's wall clock, as wallClock() is here).
    await page.evaluate(`(() => {
      window.__seen = {};
      new MutationObserver(() => {
        const now = performance.timeOrigin + performance.now();
        for (const row of document.querySelectorAll('tr[data-task-id]')) {
          const key = row.dataset.taskId + ':' + row.dataset.status;
          window.__seen[key] ??= now;
        }
      }).observe(document.querySelector('main'), { subtree: true, childList: true, attributes: true });
    })()`);
    const queued: number[] = [];
    const finished: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const at: Record<string, number> = {};
      const onQueued = (e: { taskId: string }) => {
        at[`${e.taskId}:queued`] = wallClock();
      };
      const onFinished = (e: { taskId: string }) => {
        at[`${e.taskId}:completed`] = wallClock();
      };
      engine.events.on('task.queued', onQueued);
      engine.events.on('task.finished', onFinished);
      const handle = engine.start({ description: `live ${i}`, prompt: `live ${i}` });
      await handle.result;
      const key = `${handle.id}:completed`;
      // A function, not text: the page's CSP refuses to evaluate strings.
      await page.waitForFunction(
        (k) => (globalThis as unknown as { __seen: Record<string, number> }).__seen[k] !== undefined,
        key,
      );
      const seen = (await page.evaluate('window.__seen')) as Record<string, number>;
      engine.events.off('task.queued', onQueued);
      engine.events.off('task.finished', onFinished);
      queued.push(seen[`${handle.id}:queued`]! - at[`${handle.id}:queued`]!);
      finished.push(seen[key]! - at[key]!);
    }
    const result = {
      tasks: obs.store!.count(),
      rowsShown: rows,
      firstLoadMs: round(loads[0]!),
      interactiveMs: round(median(loads.slice(1))),
      detailMs: round(detailMs),
      stateChangeMs: round(median([...queued, ...finished])),
      queuedToVisibleMs: round(median(queued)),
      finishedToVisibleMs: round(median(finished)),
      targets: TARGETS,
    };
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      log(`recorded tasks: ${result.tasks}, rows on the first page: ${rows}`);
      log(
        `interactive: first load ${result.firstLoadMs} ms, then median ${result.interactiveMs} ms (target < ${TARGETS.interactiveMs})`,
      );
      log(`detail shown after a click: ${result.detailMs} ms`);
      log(
        `state change → page: median ${result.stateChangeMs} ms (queued ${result.queuedToVisibleMs}, finished ${result.finishedToVisibleMs}; target < ${TARGETS.stateChangeMs})`,
      );
    }
  } finally {
    await browser.close();
    await server.close();
    await obs.close();
    await engine.close();
    await model.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;

await main();
