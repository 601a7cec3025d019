import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';

/** Every route of ours runs on Node: `c.env` is the raw request and response (SSE, 413 hang-up). */
export interface ApiEnv {
  Bindings: HttpBindings;
}

export type ApiContext = Context<ApiEnv>;

/** A JSON answer as every route of ours sends it: UTF-8, never cached (task state changes). */
export function json(c: ApiContext, status: number, body: unknown, headers: Record<string, string> = {}) {
  return c.body(JSON.stringify(body), status as 200, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
}
