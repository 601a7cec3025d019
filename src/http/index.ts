/**
 * The HTTP API: tasks (start, read, follow over SSE, cancel), agents, health, readiness and
 * Prometheus metrics, over one engine, on Hono; and the dashboard's home (login links, sessions,
 * security headers). Shared by `codex-task serve` and the proxy. The request guard and the listen
 * policy here are every server's (the MCP server's too).
 */
export { bearerOf, requireBearer, tokenMatches } from './auth.ts';
export { HttpError, sendJson } from './http-error.ts';
export { readBody, tooLarge } from './request-body.ts';
export {
  checkRequest,
  type GuardRefusal,
  type GuardRules,
  isJsonType,
  isLoopback,
  isLoopbackName,
  type RequestGuardOptions,
  requireTokenOffLoopback,
  UnprotectedListenError,
} from './request-guard.ts';
export { type HttpServer, type HttpServerOptions, startHttpServer } from './server.ts';
export type { HubEvent, TaskHub } from './task-hub.ts';
export type { TaskView } from './task-view.ts';
