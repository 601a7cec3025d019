import type { Readable } from 'node:stream';
import { type Dispatcher, errors, Pool } from 'undici';
import { HttpError } from '../http/index.ts';
import type { HeaderRecord } from './header-policy.ts';
import type { UpstreamBase } from './upstream-target.ts';

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
}

export interface UpstreamPoolOptions {
  connections: number;
  connectTimeoutMs: number;
  /** Longest wait for response headers, and longest silence between body chunks. */
  idleTimeoutMs: number;
}

/**
 * The upstream's keep-alive pool (undici): every forwarded request and nothing else. Connection
 * failures become 502/504 HttpErrors that name the upstream, so a client gets an answer it knows
 * (Codex retries 5xx, then prints the message) instead of a hang.
 */
export class UpstreamPool {
  readonly upstream: UpstreamBase;
  readonly #pool: Pool;

  constructor(upstream: UpstreamBase, options: UpstreamPoolOptions) {
    this.upstream = upstream;
    this.#pool = new Pool(upstream.origin, {
      connections: options.connections,
      keepAliveTimeout: 30_000,
      connect: { timeout: options.connectTimeoutMs },
      headersTimeout: options.idleTimeoutMs,
      bodyTimeout: options.idleTimeoutMs,
    });
  }

  async request(options: {
    method: string;
    path: string;
    headers: HeaderRecord;
    body: Buffer | Readable | null;
    signal: AbortSignal;
  }): Promise<UpstreamResponse> {
    try {
      const response = await this.#pool.request({
        method: options.method as 'POST',
        path: options.path,
        headers: options.headers,
        body: options.body,
        signal: options.signal,
      });
      return { status: response.statusCode, headers: response.headers, body: response.body };
    } catch (error) {
      throw this.#unavailable(error);
    }
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  #unavailable(error: unknown): unknown {
    if (
      error instanceof HttpError ||
      error instanceof errors.RequestAbortedError ||
      (error as Error)?.name === 'AbortError'
    )
      return error;
    const code = (error as { code?: string }).code ?? (error as Error).name;
    const timedOut =
      error instanceof errors.ConnectTimeoutError || error instanceof errors.HeadersTimeoutError;
    return new HttpError(
      timedOut ? 504 : 502,
      'upstream_unavailable',
      `codex-task proxy: the upstream ${this.upstream.href} ${timedOut ? 'did not answer in time' : 'is not reachable'} (${code}: ${(error as Error).message})`,
      { hint: 'Check proxy.upstream (or --upstream) and that the endpoint is up.' },
    );
  }
}
