import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { OBSERVABILITY_DEFAULTS } from '../config/defaults/index.ts';
import type { TaskEngine } from '../engine/index.ts';
import { circuitsOf, type Observability } from '../observe/index.ts';
import type { RunStore } from '../store/index.ts';
import { type CircuitReport, createRedactor, type Redactor, TaskCorrelation } from '../telemetry/index.ts';
import { requireBearer } from './auth.ts';
import { HttpError, sendJson } from './http-error.ts';
import { checkRequest, type RequestGuardOptions, requireTokenOffLoopback } from './request-guard.ts';
import * as system from './routes-system.ts';
import * as tasks from './routes-tasks.ts';
import { TaskHub } from './task-hub.ts';

export interface HttpServerOptions extends RequestGuardOptions {
  engine: TaskEngine;
  /** What `observe(engine)` returned: its store, metrics and correlation are used (recommended). */
  observability?: Observability;
  /** Without `observability`: each part on its own (all optional). */
  store?: RunStore;
  metrics?: Registry;
  circuits?: () => readonly CircuitReport[];
  redactor?: Redactor;
  /** Default 127.0.0.1. Anything but loopback requires `token`. */
  host?: string;
  /** Default 8790; 0 = any free port. */
  port?: number;
  /** Bearer token every route but /health requires (when set; always set it off loopback). */
  token?: string;
  bodyLimitBytes?: number;
  maxTasksPerRequest?: number;
  sseKeepAliveMs?: number;
  eventsPerTask?: number;
  finishedTasksKept?: number;
  /** false: only /health, /ready and /metrics (the proxy, whose /v1 belongs to the upstream). Default true. */
  api?: boolean;
  /**
   * Gets every request no route matches, instead of a 404 (the proxy forwards them). It checks its
   * own credentials: the bearer token guards the routes above only.
   */
  fallback?: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** Which requests must declare a JSON body (request-guard.ts). Default: every POST. */
  requireJson?: (method: string, pathname: string) => boolean;
  /** The body of an error answer. Default: `{ error: { type, message, issues?, hint? } }`. */
  errorBody?: (error: HttpError) => unknown;
}

export interface HttpServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly server: Server;
  /** Stops accepting, ends event streams and closes connections; running tasks are not cancelled. */
  close(): Promise<void>;
}

type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  params: Record<string, string>,
  query: URLSearchParams,
) => unknown;
interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
  open?: boolean;
}

/**
 * The HTTP API over an engine (the server the proxy and the dashboard share): tasks (start, read,
 * follow as SSE, continue, cancel), agents, health, readiness and metrics. `node:http` and a table
 * of routes: ten routes do not need a framework, and SSE needs the raw response anyway.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const d = OBSERVABILITY_DEFAULTS.http;
  const host = options.host ?? d.host;
  const token = options.token?.trim() || undefined;
  requireTokenOffLoopback(
    host,
    token,
    'Set a bearer token (--token or CODEX_TASK_API_TOKEN; clients send `Authorization: Bearer <token>`)',
  );
  const { engine } = options;
  const obs = options.observability;
  let ownCorrelation: (() => void) | undefined;
  let correlation = obs?.correlation;
  if (!correlation) {
    correlation = new TaskCorrelation();
    ownCorrelation = correlation.attach(engine);
  }
  const redactor = obs?.redactor ?? options.redactor ?? createRedactor();
  const store = obs?.store ?? options.store;
  const hub = new TaskHub(engine, {
    correlation,
    redactor,
    maxFieldChars: OBSERVABILITY_DEFAULTS.store.maxFieldChars,
    eventsPerTask: options.eventsPerTask ?? d.eventsPerTask,
    finishedTasksKept: options.finishedTasksKept ?? d.finishedTasksKept,
  });
  const tctx: tasks.TasksContext = {
    engine,
    hub,
    correlation,
    redactor,
    store,
    bodyLimitBytes: options.bodyLimitBytes ?? d.bodyLimitBytes,
    maxTasksPerRequest: options.maxTasksPerRequest ?? d.maxTasksPerRequest,
    sseKeepAliveMs: options.sseKeepAliveMs ?? d.sseKeepAliveMs,
  };
  const sctx: system.SystemContext = {
    engine,
    store,
    metrics: obs?.metrics ?? options.metrics,
    circuits: obs?.circuits ?? options.circuits ?? (() => circuitsOf(engine)),
    startedAt: Date.now(),
  };
  const systemRoutes: Route[] = [
    { method: 'GET', pattern: /^\/health$/, handler: (_q, res) => system.health(sctx, res), open: true },
    { method: 'GET', pattern: /^\/ready$/, handler: (_q, res) => system.ready(sctx, res) },
    { method: 'GET', pattern: /^\/metrics$/, handler: (_q, res) => system.metrics(sctx, res) },
  ];
  const apiRoutes: Route[] = [
    { method: 'GET', pattern: /^\/v1\/agents$/, handler: (_q, res) => system.agents(sctx, res) },
    {
      method: 'POST',
      pattern: /^\/v1\/tasks$/,
      handler: (req, res, _p, q) => tasks.startTasks(tctx, req, res, q),
    },
    { method: 'GET', pattern: /^\/v1\/tasks$/, handler: (_q, res, _p, q) => tasks.listTasks(tctx, res, q) },
    {
      method: 'GET',
      pattern: /^\/v1\/tasks\/(?<id>[\w-]+)$/,
      handler: (_q, res, p) => tasks.getTask(tctx, res, p),
    },
    {
      method: 'DELETE',
      pattern: /^\/v1\/tasks\/(?<id>[\w-]+)$/,
      handler: (_q, res, p) => tasks.cancelTask(tctx, res, p),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/tasks\/(?<id>[\w-]+)\/messages$/,
      handler: (req, res, p, q) => tasks.sendMessage(tctx, req, res, p, q),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/tasks\/(?<id>[\w-]+)\/events$/,
      handler: (req, res, p, q) => tasks.streamEvents(tctx, req, res, p, q),
    },
  ];
  const routes = options.api === false ? systemRoutes : [...systemRoutes, ...apiRoutes];
  const fallback = options.fallback;
  const requireJson = options.requireJson ?? ((method: string) => method === 'POST');
  const errorBody = options.errorBody ?? ((error: HttpError) => error.body());
  const guardOptions: RequestGuardOptions = {
    ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
    ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const target = req.url ?? '';
    const refusal = checkRequest(req, {
      ...guardOptions,
      listenHost: host,
      port: (server.address() as AddressInfo).port,
      requireJson: requireJson(req.method ?? 'GET', target.split('?')[0] ?? ''),
    });
    if (refusal) throw new HttpError(refusal.status, refusal.type, refusal.message, { hint: refusal.hint });
    // Absolute-form targets (`GET http://other/…`) are a forward proxy's, never a route of ours.
    if (!target.startsWith('/')) {
      throw new HttpError(400, 'InvalidRequestTarget', 'The request target must be a path (origin-form)');
    }
    const url = new URL(target, 'http://localhost');
    const matching = routes.filter((r) => r.pattern.test(url.pathname));
    const route = matching.find((r) => r.method === req.method);
    if (!route && matching.length === 0 && fallback) return fallback(req, res);
    if (!route) {
      if (matching.length === 0) throw new HttpError(404, 'NotFound', `No route for ${url.pathname}`);
      throw new HttpError(405, 'MethodNotAllowed', `${req.method} is not allowed on ${url.pathname}`, {
        headers: { allow: matching.map((r) => r.method).join(', ') },
      });
    }
    if (token && !route.open) requireBearer(req, token);
    const params = { ...route.pattern.exec(url.pathname)?.groups };
    await route.handler(req, res, params, url.searchParams);
  };

  const server = createServer({ noDelay: true }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      const httpError =
        error instanceof HttpError
          ? error
          : new HttpError(500, 'InternalError', redactor.text((error as Error)?.message ?? String(error)));
      if (res.headersSent) return void res.destroy();
      sendJson(res, httpError.status, errorBody(httpError), httpError.headers);
      // The rest of an oversized body is not worth reading: answer, then hang up.
      if (httpError.status === 413) res.on('finish', () => req.destroy());
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? d.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    host: address.address,
    port: address.port,
    server,
    close: async () => {
      hub.close();
      ownCorrelation?.();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
