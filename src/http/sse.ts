import type { IncomingMessage, ServerResponse } from 'node:http';

export interface SseStream {
  send(event: { seq: number; event: string; data: string }): void;
  end(): void;
  readonly closed: boolean;
}

/**
 * A Server-Sent Events response. Each event carries its sequence number as `id`, so a client that
 * reconnects with `Last-Event-ID` resumes where it was. A comment line every `keepAliveMs` keeps
 * proxies from closing an idle stream; writes are not buffered (no compression, no Nagle).
 */
export function openSse(
  req: IncomingMessage,
  res: ServerResponse,
  keepAliveMs: number,
  onClose: () => void,
): SseStream {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.socket?.setNoDelay(true);
  res.flushHeaders();
  let closed = false;
  let ended = false;
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), keepAliveMs);
  keepAlive.unref();
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(keepAlive);
    onClose();
  };
  req.on('close', close);
  res.on('close', close);
  return {
    send: (e) => {
      if (!closed) res.write(`id: ${e.seq}\nevent: ${e.event}\ndata: ${e.data}\n\n`);
    },
    end: () => {
      close();
      if (!ended) res.end();
      ended = true;
    },
    get closed() {
      return closed;
    },
  };
}

/** The last event id a reconnecting client saw (header, or `?lastEventId=` for EventSource polyfills). */
export function lastEventId(req: IncomingMessage, query: URLSearchParams): number {
  const raw = req.headers['last-event-id'] ?? query.get('lastEventId') ?? '0';
  const n = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isInteger(n) && n > 0 ? n : 0;
}
