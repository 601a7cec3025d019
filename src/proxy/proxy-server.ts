import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Counter } from 'prom-client';
import {
  optionsFromConfig,
  PROXY_DEFAULTS,
  PROXY_SETTINGS,
  type RuntimeSettings,
  resolveSettings,
} from '../config/index.ts';
import { resolveEngineSettings, taskToolDefinition } from '../engine/index.ts';
import {
  HttpError,
  type HttpServer,
  type RequestGuardOptions,
  requireTokenOffLoopback,
  startHttpServer,
  tokenMatches,
} from '../http/index.ts';
import type { ObserveOptions } from '../observe/index.ts';
import { BackgroundNotices } from './background-notices.ts';
import { clientGone, forwardRaw } from './forward.ts';
import { openaiError } from './proxy-errors.ts';
import { createProxyRuntime, type ProxyRuntime } from './proxy-runtime.ts';
import { handleResponses, type ResponsesContext } from './responses-route.ts';
import { sendMessageFunctionTool } from './send-message-tool.ts';
import { commandExpander } from './slash-commands.ts';
import { TaskCalls } from './task-calls.ts';
import { taskFunctionTool } from './task-injection.ts';
import { UpstreamPool } from './upstream-pool.ts';
import { parseUpstream, upstreamPath } from './upstream-target.ts';

/** `allowedHosts`/`allowedOrigins`: who besides loopback may call (src/http/request-guard.ts). */
export interface ProxyOptions extends RequestGuardOptions {
  /** Engine settings for the subagents (config files, env): `loadRuntimeSettings`. */
  settings: RuntimeSettings;
  /** Upstream base URL; default config `proxy.upstream`, then https://api.openai.com/v1. */
  upstream?: string;
  /** When set, `upstream` must be one of these. */
  allowedUpstreams?: readonly string[];
  host?: string;
  /** 0 = any free port. */
  port?: number;
  /** Required off loopback: clients send it in `x-codex-task-token` (system routes: or as a bearer token). */
  token?: string;
  injectTask?: boolean;
  bodyLimitBytes?: number;
  keepAliveMs?: number;
  /** Run records, logs, traces, audit of the subagents (observe's options; metrics always on). */
  observe?: ObserveOptions;
  /** Expand `/name args` from `.claude/commands/` (default true). */
  slashCommands?: boolean;
}

export interface ProxyServer {
  /** `http://127.0.0.1:10000` */
  readonly url: string;
  /** What clients use as their base URL: `http://127.0.0.1:10000/v1`. */
  readonly baseUrl: string;
  readonly port: number;
  readonly upstream: string;
  readonly runtime: ProxyRuntime;
  /** A one-time dashboard login link (the dashboard is at `<url>/ui/`, guarded by the proxy's token). */
  loginLink(): { url: string; expiresAt: Date };
  /** Stops accepting, cancels running subagents, closes the upstream pool and the records. */
  close(): Promise<void>;
}

/**
 * Starts the proxy: the shared HTTP server (src/http) with only /health, /ready, /metrics and the
 * dashboard of its own, and every other request forwarded to the one configured upstream (straight
 * from node:http: Codex's requests do not go through the framework).
 */
export async function startProxy(options: ProxyOptions): Promise<ProxyServer> {
  const d = PROXY_DEFAULTS;
  // Flags (these options) > env > project config > user config > default: env and files are
  // resolved already in the settings' config values.
  const p = resolveSettings(PROXY_SETTINGS, [
    { source: 'flag', values: options },
    { source: 'config', values: optionsFromConfig(PROXY_SETTINGS, options.settings.config.values) },
  ]);
  const host = p.host;
  const token = options.token?.trim() || undefined;
  requireTokenOffLoopback(
    host,
    token,
    'Set a token (--token or CODEX_TASK_PROXY_TOKEN; clients send it in x-codex-task-token)',
  );
  const upstream = parseUpstream(p.upstream, p.allowedUpstreams);
  const runtime = createProxyRuntime(options.settings, upstream, options.observe);
  const pool = new UpstreamPool(upstream, {
    connections: d.upstreamConnections,
    connectTimeoutMs: d.upstreamConnectTimeoutMs,
    idleTimeoutMs: d.upstreamIdleTimeoutMs,
  });
  const notices = new BackgroundNotices(runtime.engine);
  const calls = new TaskCalls(runtime, notices);
  const toolName = 'Task';
  const agentRegistry = runtime.engine.agents();
  let toolCache: { agents: readonly unknown[]; json: string } | undefined;
  const sendMessageJson = JSON.stringify(sendMessageFunctionTool());
  const ctx: ResponsesContext = {
    upstream: pool,
    tokenHeader: d.tokenHeader,
    bodyLimitBytes: p.bodyLimitBytes,
    keepAliveMs: p.keepAliveMs,
    ...(p.injectTask
      ? {
          task: {
            calls,
            notices,
            name: toolName,
            toolJson: (withSendMessage: boolean) => {
              // Rebuilt only when the agents change (the description lists them); the registry
              // keeps an unchanged agent's definition, so comparing the objects is enough.
              const agents = agentRegistry.list();
              if (!toolCache || !sameItems(toolCache.agents, agents)) {
                toolCache = {
                  agents,
                  json: JSON.stringify(taskFunctionTool(taskToolDefinition(agents, toolName))),
                };
              }
              // Both go where the one placeholder was: elements of the same array.
              return withSendMessage ? `${toolCache.json},${sendMessageJson}` : toolCache.json;
            },
            holdMs: resolveEngineSettings(options.settings.engine).taskTimeoutMs,
            ...(runtime.observability.logger ? { logger: runtime.observability.logger } : {}),
          },
        }
      : {}),
    ...(options.slashCommands === false
      ? {}
      : {
          expandCommands: commandExpander({
            cwd: options.settings.engine.cwd,
            homeDir: options.settings.engine.homeDir,
            upstream: runtime.upstreamProvider,
            onProblem: (message) => runtime.observability.logger?.warn(message),
          }),
        }),
  };
  const requests = runtime.observability.metrics
    ? new Counter({
        name: 'codex_task_proxy_requests_total',
        help: 'Requests the proxy forwarded, by kind (responses or other) and status sent (0: cut)',
        labelNames: ['kind', 'status'],
        registers: [runtime.observability.metrics],
      })
    : undefined;
  const logger = runtime.observability.logger;
  const basePath = d.basePath;
  const responsesPath = `${upstream.basePath}/responses`;

  // One counter child per kind and status, so a request does not hash its labels again.
  const counted = new Map<string, { inc(): void }>();
  const count = (kind: string, status: number) => {
    if (!requests) return;
    const key = `${kind} ${status}`;
    let child = counted.get(key);
    if (!child) {
      child = requests.labels({ kind, status });
      counted.set(key, child);
    }
    child.inc();
  };

  const fallback = async (req: IncomingMessage, res: ServerResponse) => {
    if (token) requireToken(req, token, d.tokenHeader);
    const path = upstreamPath(req.url ?? '/', basePath, upstream);
    const q = path.indexOf('?');
    const pathname = q === -1 ? path : path.slice(0, q);
    const responses = req.method === 'POST' && pathname === responsesPath;
    const kind = responses ? 'responses' : 'other';
    const started = performance.now();
    const abort = clientGone(req, res, (finished) => {
      const status = finished ? res.statusCode : 0;
      count(kind, status);
      // Method, path and status only: never headers (Authorization) nor bodies.
      if (logger?.isLevelEnabled('debug')) {
        logger.debug(
          { method: req.method, path: pathname, status, durationMs: Math.round(performance.now() - started) },
          'proxy request',
        );
      }
    });
    try {
      if (responses) await handleResponses(req, res, path, ctx, abort);
      else await forwardRaw(req, res, path, ctx, abort);
    } catch (error) {
      if (error instanceof HttpError && error.status >= 500)
        logger?.warn({ status: error.status }, error.message);
      throw error;
    }
  };

  let server: HttpServer;
  try {
    server = await startHttpServer({
      engine: runtime.engine,
      observability: runtime.observability,
      host,
      port: p.port,
      ...(token ? { token, tokenHeader: d.tokenHeader } : {}),
      ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
      ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
      api: false,
      ...(runtime.queue ? { queue: runtime.queue } : {}),
      fallback,
      // Where Task runs, the body must be JSON (no browser sends that cross-origin unasked). Other
      // POSTs are forwarded as they are: the OpenAI API takes multipart uploads (/files, /audio),
      // and a page still cannot send them here (the Origin check), nor run anything through them.
      // The dashboard's POSTs too (its own routes read JSON only).
      requireJson: (method, pathname) =>
        method === 'POST' && (pathname === `${basePath}/responses` || pathname.startsWith('/ui/')),
      // Codex prints an error's `message` only: the hint goes in it.
      errorBody: (error) =>
        openaiError(error.type, error.hint ? `${error.message}. ${error.hint}` : error.message),
    });
  } catch (error) {
    calls.close();
    await pool.close();
    await runtime.close();
    throw error;
  }
  return {
    url: server.url,
    baseUrl: `${server.url}${basePath}`,
    port: server.port,
    upstream: upstream.href,
    runtime,
    loginLink: () => server.loginLink(),
    close: async () => {
      await server.close();
      calls.close();
      await runtime.close();
      await pool.close().catch(() => {});
    },
  };
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

/** The proxy's own token, in its own header: Authorization belongs to the upstream and is forwarded as is. */
function requireToken(req: IncomingMessage, token: string, name: string): void {
  if (!tokenMatches(String(req.headers[name] ?? ''), token)) {
    throw new HttpError(401, 'Unauthorized', `The proxy token is missing or wrong (header ${name})`, {
      hint: `Send \`${name}: <token>\`; for Codex, add http_headers = { "${name}" = "<token>" } to the provider.`,
    });
  }
}
