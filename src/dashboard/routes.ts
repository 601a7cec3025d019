import { setTimeout as sleep } from 'node:timers/promises';
import { type Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import type { TaskEngine } from '../engine/index.ts';
import type { HubEvent, TaskView } from '../http/index.ts';
import { LIVE_STATUSES, type RunStore } from '../store/index.ts';
import type { CircuitReport, Redactor } from '../telemetry/index.ts';
import { LiveTasks } from './live-tasks.ts';
import { Problem } from './problem.ts';
import { healthView, WaitCounter } from './provider-health.ts';
import { readJson } from './request-json.ts';
import { continueBody, issueText, listQuery, seriesQuery } from './schemas.ts';
import { buildSeries } from './series.ts';
import { staticFiles } from './static-files.ts';
import { type ActionContext, cancelTask, continueTask, rerunTask } from './task-actions.ts';
import { TaskSource } from './task-source.ts';
import type { TaskSummary } from './task-summary.ts';
import { taskTree } from './task-tree.ts';
import { transcriptOf } from './transcript.ts';

/** Where the dashboard is mounted: its page and scripts refer to it. */
export const DASHBOARD_BASE = '/ui';

/** The queue's view for the dashboard (set when tasks go through BullMQ workers). */
export interface DashboardQueue {
  overview(): Promise<{
    counts: Record<string, number>;
    workers: Array<{ id: string; name?: string; addr?: string; running?: number; concurrency?: number }>;
  }>;
}

/** What the dashboard uses of the server's TaskHub (src/http/task-hub.ts): live views, events, cancellation. */
export interface DashboardHub {
  get(taskId: string): { view: TaskView; finished: boolean; cancellable: boolean } | undefined;
  adopt(taskId: string, cancel: (reason: Error) => void): void;
  cancel(taskId: string, reason: Error): boolean;
  follow(
    taskId: string,
    afterSeq: number,
    onEvent: (event: HubEvent) => void,
  ): { done: boolean; unsubscribe: () => void } | undefined;
}

export interface DashboardDeps {
  engine: TaskEngine;
  /** The run store: recorded tasks, transcripts, plots. Without it, only the tasks in memory. */
  store?: RunStore;
  hub: DashboardHub;
  circuits: () => readonly CircuitReport[];
  metrics?: Registry;
  redactor: Redactor;
  queue?: DashboardQueue;
  /** When aborted, the dashboard stops following the engine (the server closed). */
  signal?: AbortSignal;
  /** Comment lines on the event stream, so proxies keep it open. Default 15 s. */
  sseKeepAliveMs?: number;
  /**
   * A place for one event stream of the request's session, or throws (over a limit). The stream
   * ends when `signal` aborts (the session ended or expired) and calls `release` when it ends.
   */
  admitStream?: (c: Context) => { signal: AbortSignal; release(): void };
}

/** The dashboard's routes, relative to its mount point: `app.route(DASHBOARD_BASE, dashboardRoutes(deps))`. */
export function dashboardRoutes(deps: DashboardDeps): Hono {
  const { engine, store, hub, redactor } = deps;
  const live = new LiveTasks(engine, redactor);
  const waits = new WaitCounter(engine);
  deps.signal?.addEventListener('abort', () => {
    live.close();
    waits.close();
  });
  const source = new TaskSource(live, store);
  const actions: ActionContext = { engine, hub, live, source, store };
  const files = staticFiles();
  // Any task live in this engine can be cancelled here (engine.cancel), not only the API's own.
  const withCancel = (t: TaskSummary): TaskSummary => ({
    ...t,
    cancellable:
      !!hub.get(t.id)?.cancellable || (LIVE_STATUSES.includes(t.status) && live.get(t.id) !== undefined),
  });
  const task = (id: string) => {
    const found = source.get(id);
    if (!found) throw new Problem(404, 'NotFound', `No task '${id}'`);
    return withCancel(found);
  };

  const app = new Hono();
  app.onError((error, c) => {
    if (error instanceof Problem) return c.json(error.body(), error.status);
    throw error;
  });

  const served = [...files].flatMap(([path, file]): [string, typeof file][] =>
    // Mounted at /ui, a sub-app's '/' is `/ui` only; `/:empty{^$}` is how Hono spells `/ui/`, the
    // page's address. The login link opens the same page, which trades the code for a session.
    path === '/'
      ? [
          ['/:empty{^$}', file],
          ['/login', file],
        ]
      : [[path, file]],
  );
  for (const [path, file] of served) {
    app.get(path, (c) => {
      const headers = {
        'content-type': file.type,
        'cache-control': file.cacheControl,
        etag: file.etag,
        'x-content-type-options': 'nosniff',
      };
      if (c.req.header('if-none-match') === file.etag) return c.body(null, 304, headers);
      return c.body(file.body, 200, headers);
    });
  }

  app.get('/api/tasks', (c) => {
    const q = parse(listQuery, c.req.query());
    const page = source.page({
      limit: q.limit,
      ...(q.status ? { status: q.status } : {}),
      ...(q.agent ? { agent: q.agent } : {}),
      ...(q.model ? { model: q.model } : {}),
      ...(q.parent ? { parentId: q.parent } : {}),
      ...(q.q ? { text: q.q } : {}),
      ...(q.since !== undefined ? { since: q.since } : {}),
      ...(q.until !== undefined ? { until: q.until } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
    });
    return c.json({ ...page, tasks: page.tasks.map(withCancel) });
  });
  app.get('/api/tasks/:id', (c) => c.json(task(c.req.param('id'))));
  app.get('/api/tasks/:id/tree', (c) => c.json(taskTree(source, task(c.req.param('id')).id)));
  app.get('/api/tasks/:id/transcript', (c) =>
    c.json(transcriptOf({ store, hub, live, redactor }, task(c.req.param('id')))),
  );
  app.post('/api/tasks/:id/cancel', (c) => c.json(cancelTask(actions, c.req.param('id')), 202));
  app.post('/api/tasks/:id/continue', async (c) => {
    const body = parse(continueBody, await readJson(c.req.raw));
    return c.json(continueTask(actions, c.req.param('id'), body.message), 202);
  });
  app.post('/api/tasks/:id/rerun', (c) => c.json(rerunTask(actions, c.req.param('id')), 202));

  app.get('/api/meta', (c) => {
    const recorded = store?.facets() ?? { agents: [], models: [] };
    const known = engine
      .agents()
      .list()
      .map((a) => a.name);
    const liveModels = live.list().flatMap((t) => t.model ?? []);
    return c.json({
      agents: [...new Set([...recorded.agents, ...known])],
      models: [...new Set([...recorded.models, ...liveModels])],
      store: !!store,
      queue: !!deps.queue,
    });
  });
  app.get('/api/series', (c) => {
    const { range } = parse(seriesQuery, c.req.query());
    const now = Date.now();
    const rows =
      store?.timeline(now - range) ??
      live.list().map((t) => ({
        queuedAt: t.queuedAt,
        status: t.status,
        agentType: t.agentType,
        tokens: t.inputTokens + t.outputTokens,
        costUsd: t.costUsd,
        ...(t.finishedAt !== undefined ? { finishedAt: t.finishedAt } : {}),
        ...(t.model ? { model: t.model } : {}),
        ...(t.durationMs !== undefined ? { durationMs: t.durationMs } : {}),
      }));
    return c.json(buildSeries(rows, now, range));
  });
  // Provider errors are the vendor's text: some echo the key they were sent.
  app.get('/api/health', (c) => c.json(redactor.value(healthView(engine, deps.circuits, waits))));
  app.get('/api/queue', async (c) =>
    c.json(deps.queue ? { enabled: true, ...(await deps.queue.overview()) } : { enabled: false }),
  );
  app.get('/api/events', (c) => {
    const lease = deps.admitStream?.(c) ?? { signal: new AbortController().signal, release: () => {} };
    return events(c, live, engine, withCancel, deps.sseKeepAliveMs ?? 15_000, lease);
  });
  return app;
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new Problem(400, 'InvalidRequest', issueText(result.error));
  return result.data;
}

/** SSE: every change of a task as it happens (the tasks changed in one macrotask, as one event). */
function events(
  c: Context,
  live: LiveTasks,
  engine: TaskEngine,
  withCancel: (t: TaskSummary) => TaskSummary,
  keepAliveMs: number,
  lease: { signal: AbortSignal; release(): void },
) {
  return streamSSE(c, async (stream) => {
    const gone = new AbortController();
    // The session ended (logout, a reused code) or expired: so does what it opened.
    const ended = AbortSignal.any([gone.signal, lease.signal]);
    let sending = Promise.resolve();
    const send = (event: string, data: unknown) => {
      sending = sending.then(() => stream.writeSSE({ event, data: JSON.stringify(data) }));
    };
    const off = live.onChange((tasks) => send('tasks', { tasks: tasks.map(withCancel), load: engine.load }));
    stream.onAbort(() => {
      off();
      gone.abort();
    });
    send('hello', { now: Date.now(), load: engine.load });
    while (!ended.aborted) {
      await sleep(keepAliveMs, undefined, { signal: ended }).catch(() => {});
      if (!ended.aborted) sending = sending.then(() => stream.write(': keep-alive\n\n').then(() => {}));
    }
    off();
    lease.release();
  });
}
