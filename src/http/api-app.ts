import { Hono, type MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { methodNotAllowed } from 'hono/method-not-allowed';
import type { Redactor } from '../telemetry/index.ts';
import { type ApiContext, type ApiEnv, json } from './api-env.ts';
import { requireBearer } from './auth.ts';
import { HttpError } from './http-error.ts';
import * as system from './routes-system.ts';
import * as tasks from './routes-tasks.ts';

export interface ApiAppOptions {
  system: system.SystemContext;
  tasks: tasks.TasksContext;
  /** false: only /health, /ready and /metrics (the proxy, whose /v1 belongs to the upstream). */
  api: boolean;
  /** Bearer token every route but /health requires, when set. */
  token: string | undefined;
  redactor: Redactor;
  errorBody: (error: HttpError) => unknown;
  /** Mounted beside the API (the dashboard's home): its routes get the same 404/405 and errors. */
  extra?: Hono<ApiEnv>;
}

/**
 * The API's routes on Hono. Authentication is per route (not a prefix middleware), so an unknown
 * path is a 404 and a wrong method a 405 with `Allow` whether or not the client has the token.
 */
export function apiApp(options: ApiAppOptions): Hono<ApiEnv> {
  const s = options.system;
  const t = options.tasks;
  const app = new Hono<ApiEnv>();
  const auth: MiddlewareHandler<ApiEnv> = async (c, next) => {
    if (options.token) requireBearer(c.env.incoming, options.token);
    await next();
  };

  app.use(
    methodNotAllowed({
      app,
      // HEAD is answered for every GET route (Hono runs the GET), so it goes without saying.
      onMethodNotAllowed: (c, methods) => {
        const allow = methods.filter((m) => m !== 'HEAD');
        return errorResponse(
          c,
          new HttpError(405, 'MethodNotAllowed', `${c.req.method} is not allowed on ${c.req.path}`, {
            headers: { allow: allow.join(', ') },
          }),
          options.errorBody,
        );
      },
    }),
  );
  app.get('/health', (c) => system.health(s, c));
  app.get('/ready', auth, (c) => system.ready(s, c));
  app.get('/metrics', auth, (c) => system.metrics(s, c));
  if (options.api) {
    app.get('/v1/agents', auth, (c) => system.agents(s, c));
    app.post('/v1/tasks', auth, (c) => tasks.startTasks(t, c));
    app.get('/v1/tasks', auth, (c) => tasks.listTasks(t, c));
    app.get('/v1/tasks/:id{[\\w-]+}', auth, (c) => tasks.getTask(t, c));
    app.delete('/v1/tasks/:id{[\\w-]+}', auth, (c) => tasks.cancelTask(t, c));
    app.post('/v1/tasks/:id{[\\w-]+}/messages', auth, (c) => tasks.sendMessage(t, c));
    app.get('/v1/tasks/:id{[\\w-]+}/events', auth, (c) => tasks.streamEvents(t, c));
  }
  if (options.extra) app.route('/', options.extra);

  app.notFound((c) =>
    errorResponse(c, new HttpError(404, 'NotFound', `No route for ${c.req.path}`), options.errorBody),
  );
  app.onError((error, c) => errorResponse(c, toHttpError(error, options.redactor), options.errorBody));
  return app;
}

/** Anything thrown, as the error a client gets: ours as it is, Hono's by status, the rest a 500. */
export function toHttpError(error: unknown, redactor: Redactor): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof HTTPException) {
    return new HttpError(
      error.status,
      error.status === 413 ? 'PayloadTooLarge' : 'InvalidRequest',
      error.message,
    );
  }
  return new HttpError(500, 'InternalError', redactor.text((error as Error)?.message ?? String(error)));
}

function errorResponse(c: ApiContext, error: HttpError, errorBody: (error: HttpError) => unknown) {
  // The rest of an oversized body is not worth reading: answer, then hang up.
  if (error.status === 413) c.env.outgoing.on('finish', () => c.env.incoming.destroy());
  return json(c, error.status, errorBody(error), error.headers);
}
