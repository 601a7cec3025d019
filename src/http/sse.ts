import { streamSSE } from 'hono/streaming';
import type { ApiContext } from './api-env.ts';

export interface SseStream {
  send(event: { seq: number; event: string; data: string }): void;
  /** Ends the response once what was sent is written. */
  end(): void;
  /** Called once when the stream ends, whoever ends it (us, the client, the server closing). */
  onClose(listener: () => void): void;
  readonly closed: boolean;
}

/**
 * A Server-Sent Events response (Hono's streamSSE). Each event carries its sequence number as `id`,
 * so a client that reconnects with `Last-Event-ID` resumes where it was. A comment line every
 * `keepAliveMs` keeps proxies from closing an idle stream; the server disables Nagle and nothing
 * compresses, so each event leaves when it is written. `run` starts the stream synchronously: what
 * it sends before returning is the replay.
 */
export function openSse(c: ApiContext, keepAliveMs: number, run: (stream: SseStream) => void): Response {
  const response = streamSSE(c, async (api) => {
    const listeners: (() => void)[] = [];
    let closed = false;
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(keepAlive);
      for (const listener of listeners.splice(0)) listener();
      finish();
    };
    // The client went away, or the server closed its connection: node-server cancels the body.
    api.onAbort(close);
    const keepAlive = setInterval(() => void api.write(': keep-alive\n\n'), keepAliveMs);
    keepAlive.unref();
    run({
      send: (e) => {
        if (!closed) void api.write(`id: ${e.seq}\nevent: ${e.event}\ndata: ${e.data}\n\n`);
      },
      end: close,
      onClose: (listener) => {
        if (closed) listener();
        else listeners.push(listener);
      },
      get closed() {
        return closed;
      },
    });
    // streamSSE closes the body when this returns, after the writes queued before it.
    await finished;
  });
  // streamSSE's defaults, made ours: UTF-8, never cached, and no buffering by a reverse proxy.
  response.headers.set('content-type', 'text/event-stream; charset=utf-8');
  response.headers.set('cache-control', 'no-store');
  response.headers.set('x-accel-buffering', 'no');
  return response;
}

/** The last event id a reconnecting client saw (header, or `?lastEventId=` for EventSource polyfills). */
export function lastEventId(c: ApiContext): number {
  const raw = c.req.header('last-event-id') ?? c.req.query('lastEventId') ?? '0';
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : 0;
}
