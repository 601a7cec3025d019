import type { ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';

const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

export function writeJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res
    .writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
    .end(body);
}

/** A JSON body cut half-way: the declared length is never reached, so the client sees a broken body. */
export function writeCutJson(res: ServerResponse, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
}

/** Resolves false when the client went away first: waits never outlive the request. */
export async function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (ms <= 0) return !signal.aborted;
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

export interface SseOptions {
  /** Destroy the socket after this many frames (a stream cut mid-way). */
  cutAfter?: number;
  delayMs: number;
  signal: AbortSignal;
}

/**
 * Writes the frames, then ends the response or (a cut) destroys the socket once the last one is
 * flushed. Unpaced frames go out in one write: the client still parses every event, and per-frame
 * writes measured about twice the server's cost of a streamed reply (this server sits in benchmarks).
 */
export async function writeSse(res: ServerResponse, frames: string[], options: SseOptions): Promise<void> {
  const { cutAfter, delayMs, signal } = options;
  res.writeHead(200, SSE_HEADERS);
  const sent = cutAfter === undefined ? frames : frames.slice(0, cutAfter);
  // An SSE comment stands in when nothing is sent, so a cut still lands after the response started.
  const writes = delayMs > 0 ? sent : [sent.join('')];
  if (writes.length === 0 || writes[0] === '') writes.splice(0, writes.length, ': scripted-model\n\n');
  for (let i = 0; i < writes.length; i++) {
    if (i > 0 && !(await sleep(delayMs, signal))) return;
    const last = i === writes.length - 1;
    if (last && cutAfter !== undefined) res.write(writes[i]!, () => res.destroy());
    else if (last) res.end(writes[i]!);
    else res.write(writes[i]!);
  }
}
