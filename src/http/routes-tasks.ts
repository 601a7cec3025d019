import type { TaskEngine, TaskInput, TaskResult } from '../engine/index.ts';
import { TaskCancelledError, TaskNotFoundError } from '../errors/index.ts';
import { LIVE_STATUSES, type RunStore, type StepRecord } from '../store/index.ts';
import type { Redactor, TaskCorrelation } from '../telemetry/index.ts';
import { type ApiContext, json } from './api-env.ts';
import { HttpError, notFound } from './http-error.ts';
import { readJson, validate } from './request-body.ts';
import {
  batchSchema,
  listQuerySchema,
  messageRequestSchema,
  startQuerySchema,
  taskRequestSchema,
} from './schemas.ts';
import { lastEventId, openSse } from './sse.ts';
import type { TaskHub } from './task-hub.ts';
import { type TaskView, viewOfRecord } from './task-view.ts';

export interface TasksContext {
  engine: TaskEngine;
  hub: TaskHub;
  correlation: TaskCorrelation;
  redactor: Redactor;
  store: RunStore | undefined;
  bodyLimitBytes: number;
  maxTasksPerRequest: number;
  sseKeepAliveMs: number;
}

/** The task id of a `/v1/tasks/:id…` route (its pattern has the parameter). */
const idOf = (c: ApiContext): string => c.req.param('id') ?? '';

/** POST /v1/tasks[?wait=true]: starts one task (a Task input) or several (`{ tasks: [...] }`). */
export async function startTasks(ctx: TasksContext, c: ApiContext) {
  const { wait } = validate(startQuerySchema, c.req.query(), 'query');
  const body = await readJson(c, ctx.bodyLimitBytes);
  const isBatch = typeof body === 'object' && body !== null && 'tasks' in body;
  const raw = isBatch ? validate(batchSchema(ctx.maxTasksPerRequest), body, 'body').tasks : [body];
  const inputs = raw.map((input, i) => checkInput(ctx, input, isBatch ? `tasks.${i}.` : ''));

  const started = inputs.map(({ input, priority }) => {
    const handle = ctx.engine.start(input, { priority });
    ctx.hub.adopt(handle.id, handle.cancel);
    return { taskId: handle.id, result: handle.result };
  });
  const views = wait
    ? await Promise.all(started.map(async ({ taskId, result }) => viewAfter(ctx, taskId, await result)))
    : started.map(({ taskId }) => ctx.hub.get(taskId)!.view);
  const status = wait ? 200 : 202;
  if (isBatch) return json(c, status, { tasks: views });
  return json(c, status, views[0], { location: views[0]!.links.self });
}

/**
 * POST /v1/tasks/:id/messages[?wait=true]: continues that task's agent with its whole conversation
 * and `message` as the next user turn (Claude Code's SendMessage). The follow-up is a new task,
 * linked by `continuesTaskId`; a task still running is waited for first. 404 when there is no
 * conversation to continue.
 */
export async function sendMessage(ctx: TasksContext, c: ApiContext) {
  const id = idOf(c);
  const { wait } = validate(startQuerySchema, c.req.query(), 'query');
  const body = validate(messageRequestSchema, await readJson(c, ctx.bodyLimitBytes), 'body');
  // Answered without starting (and recording) a follow-up that must fail: no task by that id at
  // all, or one another process still runs (its conversation reaches the store when it ends).
  const record = ctx.hub.get(id) || !ctx.store ? undefined : (liveRecord(ctx.store, id) ?? null);
  if (record === null) {
    throw taskNotFound(
      new TaskNotFoundError(
        id,
        'Continue a task by the id POST /v1/tasks answered (GET /v1/tasks lists them).',
      ),
    );
  }
  if (record && LIVE_STATUSES.includes(record.status)) {
    throw new HttpError(409, 'Conflict', `Task '${id}' is ${record.status} in another process`, {
      hint: `Send the message once it has ended (GET /v1/tasks/${id} says when).`,
    });
  }
  const handle = ctx.engine.sendMessage(id, body.message, {
    ...(body.summary ? { summary: body.summary } : {}),
    ...(body.priority !== undefined ? { priority: body.priority } : {}),
  });
  // A follow-up the engine cannot continue has ended before sendMessage returns (docs/architecture.md).
  const early = ctx.hub.get(handle.id);
  if (early?.finished && early.view.error?.type === 'TaskNotFound') throw taskNotFound(early.view.error);
  ctx.hub.adopt(handle.id, handle.cancel);
  const view = wait ? viewAfter(ctx, handle.id, await handle.result) : ctx.hub.get(handle.id)!.view;
  return json(c, wait ? 200 : 202, view, { location: view.links.self });
}

/** A record as it stands, a task whose process has died marked `interrupted` first. */
function liveRecord(store: RunStore, id: string) {
  const record = store.get(id);
  if (!record || !LIVE_STATUSES.includes(record.status)) return record;
  store.markInterrupted();
  return store.get(id);
}

const taskNotFound = (error: { message: string; hint?: string | undefined }) =>
  new HttpError(404, 'NotFound', error.message, { ...(error.hint ? { hint: error.hint } : {}) });

/** Validates one input and checks its agent exists here, so a typo is a 400, not a failed task. */
function checkInput(
  ctx: TasksContext,
  body: unknown,
  prefix: string,
): { input: TaskInput; priority: number | undefined } {
  const { priority, ...input } = validate(taskRequestSchema, body, 'task input', prefix);
  const type = input.subagent_type;
  if (type && !ctx.engine.agents().find(type)) {
    const names = ctx.engine
      .agents()
      .list()
      .map((a) => a.name);
    throw new HttpError(400, 'InvalidRequest', `\`${prefix}subagent_type\`: unknown agent '${type}'`, {
      issues: [
        {
          path: `${prefix}subagent_type`,
          message: `unknown agent '${type}'; available: ${names.join(', ')}`,
        },
      ],
    });
  }
  return { input, priority };
}

function viewAfter(ctx: TasksContext, taskId: string, result: TaskResult): TaskView {
  markRead(ctx, taskId);
  const live = ctx.hub.get(taskId);
  if (live) return live.view;
  const record = ctx.store?.get(taskId);
  if (record) return viewOfRecord(record);
  throw new Error(`task ${taskId} (${result.status}) vanished from memory and store`);
}

/**
 * A finished task's result has reached a client: for a `run_in_background` task that is its read,
 * which frees its place under `background.maxUnread` (else the engine would refuse new ones).
 */
function markRead(ctx: TasksContext, taskId: string): void {
  void ctx.engine.backgroundResult(taskId);
}

/** GET /v1/tasks/:id — from memory while live or recent, else from the store. */
export function getTask(ctx: TasksContext, c: ApiContext) {
  const view = findView(ctx, idOf(c));
  if (!LIVE_STATUSES.includes(view.status)) markRead(ctx, view.id);
  return json(c, 200, view);
}

function findView(ctx: TasksContext, id: string): TaskView {
  const live = ctx.hub.get(id);
  if (live) return live.view;
  const record = ctx.store?.find(id);
  if (!record) throw notFound(`Task '${id}'`);
  return viewOfRecord(record);
}

/** GET /v1/tasks?status=&agent=&since=&parent=&limit= — the store's records (memory without a store). */
export function listTasks(ctx: TasksContext, c: ApiContext) {
  const q = validate(listQuerySchema, c.req.query(), 'query');
  if (!ctx.store) {
    const views = ctx.hub
      .list()
      .filter((v) => (!q.status || v.status === q.status) && (!q.agent || v.agentType === q.agent))
      .slice(0, q.limit ?? 50);
    return json(c, 200, { tasks: views });
  }
  const records = ctx.store.list({
    ...(q.status ? { status: q.status } : {}),
    ...(q.agent ? { agent: q.agent } : {}),
    ...(q.since !== undefined ? { since: q.since } : {}),
    ...(q.parent ? { parentId: q.parent } : {}),
    limit: q.limit ?? 50,
  });
  return json(c, 200, { tasks: records.map((r) => ctx.hub.get(r.id)?.view ?? viewOfRecord(r)) });
}

/** DELETE /v1/tasks/:id — cancels a task started through this server. */
export function cancelTask(ctx: TasksContext, c: ApiContext) {
  const id = idOf(c);
  const live = ctx.hub.get(id);
  if (!live) {
    const record = ctx.store?.find(id);
    if (!record) throw notFound(`Task '${id}'`);
    throw new HttpError(
      409,
      'Conflict',
      `Task '${record.id}' is ${record.status} and not running in this server`,
    );
  }
  if (live.finished) throw new HttpError(409, 'Conflict', `Task '${id}' already ended: ${live.view.status}`);
  if (!ctx.hub.cancel(id, new TaskCancelledError('Cancelled through the HTTP API'))) {
    throw new HttpError(409, 'Conflict', `Task '${id}' was not started through this API`, {
      hint: live.view.parentId
        ? `It is a subagent of '${live.view.parentId}': cancel that task instead.`
        : undefined,
    });
  }
  return json(c, 202, { ...live.view, cancelRequested: true });
}

/** GET /v1/tasks/:id/events — SSE: what already happened, then live events until the task ends. */
export function streamEvents(ctx: TasksContext, c: ApiContext) {
  const id = idOf(c);
  const after = lastEventId(c);
  if (ctx.hub.get(id)) {
    return openSse(c, ctx.sseKeepAliveMs, (stream) => {
      const follow = ctx.hub.follow(id, after, (event) => {
        stream.send(event);
        if (event.event !== 'task.finished') return;
        markRead(ctx, id);
        stream.end();
      });
      if (!follow || follow.done) return stream.end();
      stream.onClose(follow.unsubscribe);
    });
  }
  const record = ctx.store?.find(id);
  if (!record) throw notFound(`Task '${id}'`);
  // Gone from memory: the store's transcript, as the events it was recorded from.
  return openSse(c, ctx.sseKeepAliveMs, (stream) => {
    const events = replayFromStore(ctx.store!.steps(record.id), viewOfRecord(record));
    for (const event of events) if (event.seq > after) stream.send(event);
    stream.end();
  });
}

function replayFromStore(steps: StepRecord[], view: TaskView) {
  const base = {
    taskId: view.id,
    ...(view.parentId ? { parentTaskId: view.parentId } : {}),
    agentType: view.agentType,
    traceId: view.traceId,
  };
  const events: { seq: number; event: string; data: string }[] = [];
  const push = (event: string, payload: object) =>
    events.push({ seq: events.length + 1, event, data: JSON.stringify({ ...base, ...payload }) });
  push('task.queued', { at: Date.parse(view.queuedAt) });
  if (view.startedAt)
    push('task.started', { at: Date.parse(view.startedAt), resolvedModel: view.resolvedModel });
  for (const s of steps) {
    const common = { at: s.at, turn: s.turn, replayed: true };
    if (s.kind === 'turn') push('task.turn', { ...common, ...s.data });
    else
      push('task.tool', {
        ...common,
        phase: s.kind === 'tool_call' ? 'started' : 'finished',
        callId: s.callId,
        name: s.name,
        ...(s.kind === 'tool_denied' ? { denied: true, error: s.data.reason } : {}),
        ...s.data,
      });
  }
  if (view.finishedAt) push('task.finished', { at: Date.parse(view.finishedAt), result: view });
  return events;
}
