import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { TaskEngine } from '../src/engine/index.ts';
import { type HttpServer, type HttpServerOptions, startHttpServer } from '../src/http/index.ts';
import { type Observability, type ObserveOptions, observe } from '../src/observe/index.ts';

export interface SseEvent {
  id: number;
  event: string;
  data: Record<string, unknown>;
  /** performance.now() when the client parsed it. */
  receivedAt: number;
}

/** An API server (port 0) over an observed engine; closed after each test. */
export function useApi() {
  const open: { server: HttpServer; obs: Observability }[] = [];
  afterEach(async () => {
    for (const { server, obs } of open.splice(0)) {
      await server.close();
      await obs.close();
    }
  });
  return async (
    engine: TaskEngine,
    workspace: string,
    options: Partial<HttpServerOptions> = {},
    observeOptions: ObserveOptions = {},
  ) => {
    const obs = observe(engine, {
      env: {},
      store: join(workspace, 'runs.db'),
      logger: false,
      tracing: false,
      audit: false,
      ...observeOptions,
    });
    const server = await startHttpServer({ engine, observability: obs, port: 0, ...options });
    open.push({ server, obs });
    const call = async (
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ) => {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      // biome-ignore lint/suspicious/noExplicitAny: tests read any response body field by field
      let json: any;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers, json, text };
    };
    return { server, obs, call };
  };
}

/** Reads an SSE stream to its end (or `until` an event), parsing each event as it arrives. */
export async function readSse(
  url: string,
  options: { headers?: Record<string, string>; onEvent?: (e: SseEvent) => void } = {},
): Promise<SseEvent[]> {
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...options.headers } });
  if (res.status !== 200) throw new Error(`SSE ${res.status}: ${await res.text()}`);
  const events: SseEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let cut = buffer.indexOf('\n\n');
    while (cut >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      cut = buffer.indexOf('\n\n');
      const fields = Object.fromEntries(
        block
          .split('\n')
          .filter((l) => !l.startsWith(':'))
          .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trimStart()]),
      );
      if (!fields.event) continue;
      const event = {
        id: Number(fields.id),
        event: fields.event,
        data: JSON.parse(fields.data ?? 'null'),
        receivedAt: performance.now(),
      };
      events.push(event);
      options.onEvent?.(event);
    }
  }
  return events;
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * One request with exactly these headers (node:http: fetch will not send an arbitrary Host),
 * for the checks a browser's or a DNS-rebinding page's request must fail.
 */
export function rawHttp(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawAnswer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname.replace(/^\[|\]$/g, ''),
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
