import type { TaskEventBase, TaskEvents } from '../engine/types.ts';
import type { TaskRuntime } from './task-runtime.ts';

/** What one call hears about its task tree: each line ready to send as an MCP progress message. */
export type ProgressListener = (message: string) => void;

/**
 * One subscription to the engine's events for all calls in flight, routing each event to the call
 * whose task (or an ancestor) it concerns: O(1) per event, and no listener pile-up on the engine's
 * emitter however many calls run at once.
 */
export class ProgressRouter {
  readonly #listeners = new Map<string, ProgressListener>();

  constructor(events: TaskRuntime['events']) {
    events.on('task.queued', (e) => {
      const listener = e.parentTaskId ? this.#listeners.get(e.parentTaskId) : undefined;
      if (listener) this.#listeners.set(e.taskId, listener);
    });
    events.on('task.started', (e) =>
      this.#listeners.get(e.taskId)?.(`${label(e)} started on ${e.resolvedModel}`),
    );
    events.on('task.progress', (e) => this.#listeners.get(e.taskId)?.(progressLine(e)));
    events.on('task.finished', (e) => {
      if (e.spawnDepth > 1) this.#listeners.delete(e.taskId);
    });
  }

  /** Routes `taskId`'s events (and its subagents') to `listener` until the returned function is called. */
  watch(taskId: string, listener: ProgressListener): () => void {
    this.#listeners.set(taskId, listener);
    return () => this.#listeners.delete(taskId);
  }
}

const routers = new WeakMap<TaskRuntime, ProgressRouter>();

export function progressRouterFor(runtime: TaskRuntime): ProgressRouter {
  let router = routers.get(runtime);
  if (!router) {
    router = new ProgressRouter(runtime.events);
    routers.set(runtime, router);
  }
  return router;
}

function progressLine(e: TaskEvents['task.progress'][0]): string {
  const tool = e.lastTool ? ` · last tool ${e.lastTool}` : '';
  return `${label(e)} turn ${e.turn}${tool} · ${e.toolUses} tool uses · ${e.tokens.input + e.tokens.output} tokens`;
}

function label(e: TaskEventBase): string {
  return e.spawnDepth > 1 ? `[${e.agentType} ↳ nested]` : `[${e.agentType}]`;
}
