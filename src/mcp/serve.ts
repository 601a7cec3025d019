import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpServer } from './mcp-server.ts';
import type { TaskService } from './task-service.ts';

/**
 * Serves over stdin/stdout until the client goes away (stdin ends) or the process is told to stop;
 * then cancels the calls in flight — their subagents and tool processes — and closes the runtime.
 */
export async function serveStdio(service: TaskService, version: string): Promise<void> {
  const server = createMcpServer(service, version);
  const transport = new StdioServerTransport();
  let closing: Promise<void> | undefined;
  const shutdown = () => {
    closing ??= (async () => {
      await service.close();
      await server.close().catch(() => {});
    })();
    return closing;
  };
  await server.connect(transport);
  await new Promise<void>((resolve) => {
    const stop = () => void shutdown().then(resolve);
    // The SDK's stdio transport does not watch for the end of stdin: that is how a client leaves.
    // Its background agents outlive it (the process stays until they end); a signal stops them.
    const left = () => void service.backgroundSettled().then(stop, stop);
    process.stdin.once('end', left);
    process.stdin.once('close', left);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    process.stdout.once('error', stop);
    const onclose = server.onclose;
    server.onclose = () => {
      onclose?.();
      stop();
    };
  });
}

export interface HttpServeOptions {
  port: number;
  host: string;
  /** Required off loopback: clients send `Authorization: Bearer <token>` (as to `codex-task serve`). */
  token?: string;
  /** How this surface takes a token, for the refusal off loopback without one. */
  tokenHint?: string;
  /** Host names clients use to reach a server bound off loopback, besides IP literals. */
  allowedHosts?: readonly string[];
  /** Browser origins allowed to call, besides the server's own. */
  allowedOrigins?: readonly string[];
}

export interface HttpMcpServer {
  /** `http://host:port/mcp` */
  readonly url: string;
  readonly sessions: number;
  close(): Promise<void>;
}

/**
 * Streamable HTTP on `/mcp`, one MCP session per client (`mcp-session-id`), all sharing the service.
 * Every request passes the servers' shared guard first (src/http/request-guard.ts: Host, Origin,
 * JSON bodies), then the bearer token when there is one; off loopback there must be one.
 */
export async function serveHttp(
  service: TaskService,
  version: string,
  options: HttpServeOptions,
): Promise<HttpMcpServer> {
  // Loaded here: node:http alone costs tens of ms, and stdio start-up is what Codex measures.
  const [{ createServer }, { randomUUID }, { StreamableHTTPServerTransport }, guard] = await Promise.all([
    import('node:http'),
    import('node:crypto'),
    import('@modelcontextprotocol/sdk/server/streamableHttp.js'),
    import('../http/index.ts'),
  ]);
  const token = options.token?.trim() || undefined;
  guard.requireTokenOffLoopback(
    options.host,
    token,
    options.tokenHint ?? 'Set a token (clients send `Authorization: Bearer <token>`)',
  );
  const guardOptions = {
    ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
    ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
  };
  const transports = new Map<string, StreamableHTTPServerTransport>();

  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) jsonError(res, 500, error instanceof Error ? error.message : String(error));
      else res.end();
    });
  });
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const refusal = guard.checkRequest(req, {
      ...guardOptions,
      listenHost: options.host,
      port: (http.address() as AddressInfo).port,
      requireJson: req.method === 'POST',
    });
    if (refusal) return jsonError(res, refusal.status, `${refusal.message}. ${refusal.hint}`);
    if (token) {
      try {
        guard.requireBearer(req, token);
      } catch (error) {
        if (!(error instanceof guard.HttpError)) throw error;
        return jsonError(res, error.status, error.message, error.headers);
      }
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== '/mcp') return jsonError(res, 404, 'Not found: the MCP endpoint is /mcp');
    const sessionId = req.headers['mcp-session-id'];
    const existing = typeof sessionId === 'string' ? transports.get(sessionId) : undefined;
    if (existing) return existing.handleRequest(req, res);
    if (sessionId !== undefined)
      return jsonError(res, 404, 'Unknown or expired MCP session: initialize again');
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        transports.set(id, transport);
      },
      onsessionclosed: (id) => {
        transports.delete(id);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) transports.delete(transport.sessionId);
    };
    await createMcpServer(service, version).connect(transport);
    await transport.handleRequest(req, res);
  };

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/mcp`,
    get sessions() {
      return transports.size;
    },
    close: async () => {
      await service.close();
      await Promise.allSettled([...transports.values()].map((t) => t.close()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function jsonError(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  res
    .writeHead(status, { 'content-type': 'application/json', ...headers })
    .end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}
