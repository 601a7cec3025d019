/**
 * The HTTP API: tasks (start, read, follow over SSE, cancel), agents, health, readiness and
 * Prometheus metrics, over one engine. Shared by `codex-task serve`, the proxy and the dashboard.
 */
export { isLoopback } from './auth.ts';
export { HttpError, sendJson } from './http-error.ts';
export { readBody, tooLarge } from './request-body.ts';
export { type HttpServer, type HttpServerOptions, startHttpServer } from './server.ts';
export type { HubEvent } from './task-hub.ts';
export type { TaskView } from './task-view.ts';
