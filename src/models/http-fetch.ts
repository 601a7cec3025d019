import { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';

/**
 * The `fetch` every provider call goes through: undici's dispatcher API on one keep-alive pool,
 * behind the fetch signature the AI SDK expects. Measured on loopback (DESIGN.md): a POST through an
 * undici pool costs ~0.14 ms against ~0.35 ms through the full WHATWG fetch algorithm, and at 100
 * parallel subagents that difference is most of the engine's fan-out overhead. Without a shared pool,
 * 100 subagents also open 100 new connections.
 */
export function createKeepAliveFetch(
  options: {
    connectionsPerOrigin?: number;
    /** TCP/TLS connect bound. */
    connectTimeoutMs?: number;
    /** Request sent → response headers (0 = none; our per-call total still bounds it). */
    headersTimeoutMs?: number;
    /** Longest silence between two body chunks (0 = none). */
    bodyTimeoutMs?: number;
  } = {},
): typeof globalThis.fetch {
  const dispatcher = new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    connections: options.connectionsPerOrigin ?? 256,
    // undici's own timers, measured per request where the bytes are: cheaper than one timer per call of ours.
    connect: { timeout: options.connectTimeoutMs ?? 10_000 },
    headersTimeout: options.headersTimeoutMs ?? 0,
    bodyTimeout: options.bodyTimeoutMs ?? 0,
  });
  const keepAliveFetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    if (input instanceof Request) return globalThis.fetch(input, init); // not used by the AI SDK providers
    const url = typeof input === 'string' ? new URL(input) : input;
    const response = await dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
      headers: toHeaderRecord(init.headers),
      body: (init.body ?? null) as Dispatcher.DispatchOptions['body'],
      signal: init.signal ?? null,
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else if (value !== undefined) headers.set(name, value);
    }
    const noBody = response.statusCode === 204 || response.statusCode === 304 || init.method === 'HEAD';
    if (noBody) {
      response.body.resume();
      return new Response(null, { status: response.statusCode, headers });
    }
    // Streams (SSE) are handed over chunk by chunk; plain bodies are read whole, which is cheaper.
    const streaming = headers.get('content-type')?.includes('text/event-stream') ?? false;
    const body = streaming
      ? (Readable.toWeb(response.body) as ReadableStream<Uint8Array>)
      : new Uint8Array(await response.body.arrayBuffer());
    return new Response(body, { status: response.statusCode, headers });
  };
  return keepAliveFetch as typeof globalThis.fetch;
}

function toHeaderRecord(headers: RequestInit['headers']): Record<string, string> {
  if (!headers) return {};
  if (headers instanceof Headers) return Object.fromEntries(headers.entries());
  if (Array.isArray(headers)) return Object.fromEntries(headers);
  return headers as Record<string, string>;
}
