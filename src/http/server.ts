import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Registry } from 'prom-client';
import { OBSERVABILITY_DEFAULTS } from '../config/defaults/index.ts';
import { type DashboardQueue, dashboardRoutes } from '../dashboard/index.ts';
import type { TaskEngine } from '../engine/index.ts';
import { circuitsOf, type Observability } from '../observe/index.ts';
import type { RunStore } from '../store/index.ts';
import { type CircuitReport, createRedactor, type Redactor, TaskCorrelation } from '../telemetry/index.ts';
import { apiApp, toHttpError } from './api-app.ts';
import { dashboardHome, streamAdmission } from './dashboard-home.ts';
import { HttpError, sendJson } from './http-error.ts';
import { checkRequest, type RequestGuardOptions, requireTokenOffLoopback } from './request-guard.ts';
import { DashboardSessions } from './sessions.ts';
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
  /** A header that may carry `token` besides `Authorization: Bearer`, for a dashboard login link (the proxy's). */
  tokenHeader?: string;
  /** The queue's overview, shown by the dashboard when tasks run on workers. */
  queue?: DashboardQueue;
  bodyLimitBytes?: number;
  maxTasksPerRequest?: number;
  sseKeepAliveMs?: number;
  eventsPerTask?: number;
  finishedTasksKept?: number;
  /**
   * false: only /health, /ready, /metrics and the dashboard (the proxy, whose /v1 belongs to the
   * upstream). Default true: also the task API, which then owns every path under /v1/.
   */
  api?: boolean;
  /**
   * Gets every request for a path the server does not own, instead of a 404 (the proxy forwards
   * them), straight from node:http: no framework in between. It checks its own credentials: the
   * bearer token guards the routes above only.
   */
  fallback?: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** Which requests must declare a JSON body (request-guard.ts). Default: every POST. */
  requireJson?: (method: string, pathname: string) => boolean;
  /** The body of an error answer. Default: `{ error: { type, message, issues?, hint? } }`. */
  errorBody?: (error: HttpError) => unknown;
  /** How long a dashboard login link works (once). Default 60 s. */
  loginLinkTtlMs?: number;
  /** How long a dashboard session lasts. Default 12 h. */
  sessionTtlMs?: number;
  /** Login codes and sessions kept at most; past it links are refused (429). Default 1,000. */
  sessionsKept?: number;
  /** Dashboard event streams per session, and in all (429 past them). Default 8 and 64. */
  dashboardStreamsPerSession?: number;
  dashboardStreams?: number;
}

export interface HttpServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly server: Server;
  /** A one-time dashboard login link (`<url>/ui/login?code=…`): what `serve` prints at start. */
  loginLink(): { url: string; expiresAt: Date };
  /** Stops accepting, ends event streams and closes connections; running tasks are not cancelled. */
  close(): Promise<void>;
}

/**
 * The HTTP server of `serve` and the proxy: the task API (start, read, follow as SSE, continue,
 * cancel), agents, health, readiness, metrics and the dashboard, as Hono routes. In front of Hono,
 * a thin node:http dispatch: the request guard (Host, Origin, JSON) for everything, then the
 * proxy's requests go straight to its handler, so its hot path pays for no framework.
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
  const metrics = obs?.metrics ?? options.metrics;
  const circuits = obs?.circuits ?? options.circuits ?? (() => circuitsOf(engine));
  const hub = new TaskHub(engine, {
    correlation,
    redactor,
    maxFieldChars: OBSERVABILITY_DEFAULTS.store.maxFieldChars,
    eventsPerTask: options.eventsPerTask ?? d.eventsPerTask,
    finishedTasksKept: options.finishedTasksKept ?? d.finishedTasksKept,
  });
  const errorBody = options.errorBody ?? ((error: HttpError) => error.body());
  const sessions = new DashboardSessions({
    linkTtlMs: options.loginLinkTtlMs ?? d.loginLinkTtlMs,
    sessionTtlMs: options.sessionTtlMs ?? d.sessionTtlMs,
    max: options.sessionsKept ?? d.sessionsKept,
    streamsPerHolder: options.dashboardStreamsPerSession ?? d.dashboardStreamsPerSession,
    streams: options.dashboardStreams ?? d.dashboardStreams,
  });
  const port = () => (server.address() as AddressInfo).port;
  const sseKeepAliveMs = options.sseKeepAliveMs ?? d.sseKeepAliveMs;
  // Aborted by close(): the dashboard stops following the engine.
  const closing = new AbortController();
  const app = apiApp({
    system: {
      engine,
      store,
      metrics,
      circuits,
      startedAt: Date.now(),
      // What /health says this is: `codex-task ui` picks the one token to send by it.
      kind: options.api === false ? 'proxy' : 'serve',
    },
    tasks: {
      engine,
      hub,
      correlation,
      redactor,
      store,
      bodyLimitBytes: options.bodyLimitBytes ?? d.bodyLimitBytes,
      maxTasksPerRequest: options.maxTasksPerRequest ?? d.maxTasksPerRequest,
      sseKeepAliveMs,
    },
    api: options.api !== false,
    token,
    redactor,
    errorBody,
    extra: dashboardHome({
      sessions,
      token,
      ...(options.tokenHeader ? { tokenHeader: options.tokenHeader } : {}),
      dashboard: dashboardRoutes({
        engine,
        ...(store ? { store } : {}),
        hub,
        circuits,
        ...(metrics ? { metrics } : {}),
        redactor,
        ...(options.queue ? { queue: options.queue } : {}),
        signal: closing.signal,
        sseKeepAliveMs,
        admitStream: streamAdmission(sessions),
      }),
    }),
  });
  const toHono = getRequestListener(app.fetch, {
    // Keep Node's own Request/Response: the AI SDK and undici in this process use them.
    overrideGlobalObjects: false,
    // Only when node-server cannot even build a Request (a backslash in the path, a malformed
    // URL): Hono's onError answers everything after that.
    errorHandler: (error) => {
      const refusal = new HttpError(
        400,
        'InvalidRequest',
        `The request cannot be read: ${(error as Error).message}`,
      );
      return new Response(JSON.stringify(errorBody(refusal)), {
        status: 400,
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      });
    },
  });
  const fallback = options.fallback;
  const owns = ownedPaths(options.api !== false);
  const requireJson = options.requireJson ?? ((method: string) => method === 'POST');
  const guardOptions: RequestGuardOptions = {
    ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
    ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
  };

  const answerError = (req: IncomingMessage, res: ServerResponse, error: unknown) => {
    const httpError = toHttpError(error, redactor);
    if (res.headersSent) return void res.destroy();
    sendJson(res, httpError.status, errorBody(httpError), httpError.headers);
    if (httpError.status === 413) res.on('finish', () => req.destroy());
  };

  const server = createServer({ noDelay: true }, (req, res) => {
    const target = req.url ?? '';
    const q = target.indexOf('?');
    const pathname = q === -1 ? target : target.slice(0, q);
    const refusal = checkRequest(req, {
      ...guardOptions,
      listenHost: host,
      port: port(),
      requireJson: requireJson(req.method ?? 'GET', pathname),
      // `codex-task ui` opens the link from a local file: a navigation with no origin of ours.
      openPage: pathname === '/ui/login' && req.method === 'GET',
    });
    if (refusal) {
      return answerError(
        req,
        res,
        new HttpError(refusal.status, refusal.type, refusal.message, { hint: refusal.hint }),
      );
    }
    // Absolute-form targets (`GET http://other/…`) are a forward proxy's, never a route of ours.
    if (!target.startsWith('/')) {
      return answerError(
        req,
        res,
        new HttpError(400, 'InvalidRequestTarget', 'The request target must be a path (origin-form)'),
      );
    }
    if (fallback && !owns(pathname)) {
      fallback(req, res).catch((error: unknown) => answerError(req, res, error));
      return;
    }
    void toHono(req, res);
  });
  const stopFollowing = () => {
    closing.abort();
    hub.close();
    ownCorrelation?.();
  };
  await new Promise<void>((resolve, reject) => {
    const failed = (error: Error) => {
      // A port in use: nothing may keep following the engine, which the caller still owns.
      stopFollowing();
      reject(error);
    };
    server.once('error', failed);
    server.listen(options.port ?? d.port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}`;
  // Bound to every interface: a browser on this machine reaches it by loopback.
  const linkBase = ['0.0.0.0', '::'].includes(address.address) ? `http://127.0.0.1:${address.port}` : url;
  return {
    url,
    host: address.address,
    port: address.port,
    server,
    loginLink: () => {
      const issued = sessions.issueCode();
      if (!issued) throw new Error('The dashboard has as many login links and sessions as it keeps');
      return { url: `${linkBase}/ui/login?code=${issued.code}`, expiresAt: new Date(issued.expiresAt) };
    },
    close: async () => {
      stopFollowing();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/**
 * The paths Hono answers when a fallback takes the rest: the system routes, the dashboard, and
 * with the API all of /v1/. A set lookup and two prefix tests: the proxy's requests pass here.
 */
function ownedPaths(api: boolean): (pathname: string) => boolean {
  const exact = new Set(['/', '/health', '/ready', '/metrics', '/ui']);
  return (pathname) =>
    exact.has(pathname) || pathname.startsWith('/ui/') || (api && pathname.startsWith('/v1/'));
}
