import type { TaskEngine, TaskHandle } from '../engine/index.ts';
import { TaskCancelledError } from '../errors/index.ts';
import { LIVE_STATUSES, type RunStore } from '../store/index.ts';
import type { LiveTasks } from './live-tasks.ts';
import { notFound, Problem } from './problem.ts';
import type { DashboardHub } from './routes.ts';
import type { TaskSource } from './task-source.ts';

export interface ActionContext {
  engine: TaskEngine;
  hub: DashboardHub;
  live: LiveTasks;
  source: TaskSource;
  store: RunStore | undefined;
}

/** The fields of a Task input a re-run repeats (run_in_background aside: the page follows it anyway). */
const RERUN_FIELDS = ['description', 'prompt', 'subagent_type', 'model', 'isolation'] as const;

/** Cancels a task live in this process (its subagents go with it). */
export function cancelTask(ctx: ActionContext, id: string): { id: string; cancelRequested: true } {
  const task = ctx.source.get(id);
  if (!task) throw notFound(id);
  if (!LIVE_STATUSES.includes(task.status)) {
    throw new Problem(409, 'Conflict', `Task '${id}' already ended: ${task.status}`);
  }
  const reason = new TaskCancelledError('Cancelled from the dashboard');
  // Tasks of this server's API by their handle; any other task live in this engine (an MCP client's,
  // the proxy's, a subagent) through the engine.
  if (!ctx.hub.cancel(id, reason) && !ctx.engine.cancel(id, reason)) {
    throw new Problem(
      409,
      'Conflict',
      `Task '${id}' is not running in this process, so it cannot be cancelled here`,
      'Cancel it where it runs (the process that started it).',
    );
  }
  return { id, cancelRequested: true };
}

/** Continues a task's conversation with a new message (SendMessage): a new, linked task. */
export function continueTask(ctx: ActionContext, id: string, message: string): { id: string } {
  const task = ctx.source.get(id);
  if (!task) throw notFound(id);
  if (LIVE_STATUSES.includes(task.status) && !ctx.live.get(id)) {
    throw new Problem(
      409,
      'Conflict',
      `Task '${id}' is ${task.status} in another process`,
      'Continue it once it has ended.',
    );
  }
  const handle = ctx.engine.sendMessage(id, message);
  // A follow-up the engine cannot continue has ended before sendMessage returns.
  const early = ctx.live.get(handle.id);
  if (early?.error?.type === 'TaskNotFound') {
    throw new Problem(404, 'NotFound', early.error.message, early.error.hint);
  }
  return adopt(ctx, handle);
}

/** Starts the task again with the same input (as recorded: redacted, unless it ran in this process). */
export function rerunTask(ctx: ActionContext, id: string): { id: string } {
  if (!ctx.source.get(id)) throw notFound(id);
  const input = ctx.live.extras(id)?.input ?? ctx.store?.get(id)?.input;
  if (typeof input !== 'object' || input === null) {
    throw new Problem(409, 'Conflict', `Task '${id}' has no recorded input to run again`);
  }
  const again: Record<string, unknown> = {};
  for (const field of RERUN_FIELDS) {
    const value = (input as Record<string, unknown>)[field];
    if (value !== undefined) again[field] = value;
  }
  return adopt(ctx, ctx.engine.start(again));
}

function adopt(ctx: ActionContext, handle: TaskHandle): { id: string } {
  ctx.hub.adopt(handle.id, handle.cancel);
  return { id: handle.id };
}
