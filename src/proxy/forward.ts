import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { tooLarge } from '../http/index.ts';
import { clientResponseHeaders, upstreamRequestHeaders } from './header-policy.ts';
import type { UpstreamPool, UpstreamResponse } from './upstream-pool.ts';

export interface ForwardContext {
  upstream: UpstreamPool;
  tokenHeader: string;
  bodyLimitBytes: number;
}

/**
 * Aborted when the client goes away before its response is complete (the upstream call stops too).
 * `onClose` runs from the same listener (one per request, not one per concern).
 */
export function clientGone(
  req: IncomingMessage,
  res: ServerResponse,
  onClose?: (finished: boolean) => void,
): AbortController {
  const abort = new AbortController();
  res.once('close', () => {
    const finished = res.writableFinished;
    if (!finished) abort.abort();
    onClose?.(finished);
  });
  req.once('error', () => abort.abort());
  return abort;
}

/**
 * Any request but POST /responses: method, path, query, headers and body go upstream as they came
 * (the body streamed, counted against the limit), and the answer comes back the same way — status,
 * end-to-end headers and body bytes unchanged, written as they arrive.
 */
export async function forwardRaw(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  ctx: ForwardContext,
  abort: AbortController,
): Promise<void> {
  const declared = Number(req.headers['content-length']);
  if (declared > ctx.bodyLimitBytes) throw tooLarge(ctx.bodyLimitBytes);
  const hasBody = req.headers['transfer-encoding'] !== undefined || declared > 0;
  const response = await ctx.upstream.request({
    method: req.method ?? 'GET',
    path,
    headers: upstreamRequestHeaders(req.headers, { tokenHeader: ctx.tokenHeader, bodyRewritten: false }),
    body: hasBody ? req.pipe(limitBytes(ctx.bodyLimitBytes)) : null,
    signal: abort.signal,
  });
  await sendUpstreamResponse(res, response);
}

/** Status, end-to-end headers and the body, piped (backpressure included) as it arrives. */
export async function sendUpstreamResponse(res: ServerResponse, response: UpstreamResponse): Promise<void> {
  // Headers leave with the first body bytes (one write, not two).
  res.writeHead(response.status, clientResponseHeaders(response.headers, { bodyRewritten: false }));
  try {
    await pipeline(response.body, res);
  } catch {
    // Either side went away mid-body: the client sees the cut exactly as the upstream made it.
    res.destroy();
  }
}

/** Fails the stream (and so the upstream request) once more than `limit` bytes went through. */
function limitBytes(limit: number): Transform {
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      done(size > limit ? tooLarge(limit) : null, chunk);
    },
  });
}
