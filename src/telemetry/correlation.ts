import { randomBytes } from 'node:crypto';
import type { TaskEngine, TaskEventBase, TaskOptions, TaskResult } from '../engine/index.ts';
import { listen } from './listen.ts';

interface TaskRef {
  taskId: string;
  parentTaskId?: string | undefined;
}

/** Where a task came from: the input it was started with and, when nested, the parent's Task call. */
export interface TaskOrigin {
  input?: unknown;
  parentCallId?: string;
}

/**
 * What ties a task to the rest of its tree: one trace id per tree (a root task gets a fresh one,
 * a nested task inherits its parent's) and each task's origin. Logs, run records, SSE streams and
 * spans all read it, so one id finds a whole fan-out in every tool.
 *
 * The engine's events carry neither the task's input nor the Task call that started a nested task,
 * but both are recoverable exactly: the engine emits a task's first event synchronously inside
 * `run()`, and a nested task's first event synchronously after its parent's `Task` tool-start event.
 * So whatever is "announced" at that moment belongs to the next task seen. Lookups are lazy, so
 * listeners may be attached in any order.
 */
export class TaskCorrelation {
  readonly #traceIds = new Map<string, string>();
  readonly #origins = new Map<string, TaskOrigin>();
  /** Set only during a synchronous `engine.run()` call made by `start()`. */
  #announced: { input: unknown; parentCallId?: string; taskId?: string } | undefined;
  /** The latest `Task` tool call each running task started, until its child claims it. */
  readonly #pendingCalls = new Map<string, { callId: string; input: unknown }>();
  #traceSource: ((task: TaskEventBase) => string | undefined) | undefined;
  readonly #attached = new WeakSet<TaskEngine>();

  /** Tracing, when on, owns trace ids: they must be those of the spans. */
  useTraceIds(source: ((task: TaskEventBase) => string | undefined) | undefined): void {
    this.#traceSource = source;
  }

  traceIdOf(task: TaskEventBase): string {
    let id = this.#traceIds.get(task.taskId);
    if (!id) {
      id =
        this.#traceSource?.(task) ??
        ((task.parentTaskId && this.#traceIds.get(task.parentTaskId)) || randomBytes(16).toString('hex'));
      this.#traceIds.set(task.taskId, id);
    }
    return id;
  }

  /** The fields every log and audit line about a task carries. */
  fieldsOf(task: TaskEventBase): {
    taskId: string;
    parentTaskId?: string;
    agentType: string;
    traceId: string;
  } {
    return {
      taskId: task.taskId,
      ...(task.parentTaskId ? { parentTaskId: task.parentTaskId } : {}),
      agentType: task.agentType,
      traceId: this.traceIdOf(task),
    };
  }

  originOf(task: TaskRef): TaskOrigin {
    let origin = this.#origins.get(task.taskId);
    if (!origin) {
      origin = {};
      const call = task.parentTaskId ? this.#pendingCalls.get(task.parentTaskId) : undefined;
      // Inside start() the first new task is the one it started, whatever parent id its caller gave
      // (an MCP client's thread id is not one of ours); no nested task can start in that window.
      if (this.#announced && !this.#announced.taskId) {
        this.#announced.taskId = task.taskId;
        const { input, parentCallId } = this.#announced;
        origin = { input, ...(parentCallId ? { parentCallId } : {}) };
      } else if (call && task.parentTaskId) {
        this.#pendingCalls.delete(task.parentTaskId);
        origin = { input: call.input, parentCallId: call.callId };
      }
      this.#origins.set(task.taskId, origin);
    }
    return origin;
  }

  get size(): number {
    return this.#traceIds.size + this.#origins.size + this.#pendingCalls.size;
  }

  /**
   * Starts a task and returns its id at once (the engine's `run` resolves only at the end), with
   * its input recorded as its origin — and, for a client's tool call (the proxy's Task calls), that
   * call's id, by which its record is found again.
   */
  start(
    engine: TaskEngine,
    input: unknown,
    options: TaskOptions = {},
    caller: { callId?: string } = {},
  ): { taskId: string; result: Promise<TaskResult> } {
    if (!this.#attached.has(engine)) throw new Error('TaskCorrelation.start: attach(engine) first');
    this.#announced = { input, ...(caller.callId ? { parentCallId: caller.callId } : {}) };
    try {
      const result = engine.run(input, options);
      const taskId = this.#announced.taskId;
      if (!taskId) {
        // Only if the engine stopped emitting a task's first event synchronously inside run().
        throw new Error('TaskCorrelation.start: the engine did not announce the task synchronously');
      }
      return { taskId, result };
    } finally {
      this.#announced = undefined;
    }
  }

  /**
   * Follows the engine: notes each `Task` call a subagent makes (its child claims it), resolves
   * every new task's origin, and forgets finished tasks — in a microtask, so every other listener
   * of `task.finished` (the emitter calls them synchronously) still sees them.
   */
  attach(engine: TaskEngine): () => void {
    this.#attached.add(engine);
    const stop = listen(engine, {
      'task.queued': (e) => this.originOf(e),
      'task.tool': (e) => {
        if (e.name !== 'Task') return;
        if (e.phase === 'started') this.#pendingCalls.set(e.taskId, { callId: e.callId, input: e.input });
        else if (this.#pendingCalls.get(e.taskId)?.callId === e.callId) this.#pendingCalls.delete(e.taskId);
      },
      'task.finished': (e) => {
        this.originOf(e);
        queueMicrotask(() => {
          this.#traceIds.delete(e.taskId);
          this.#origins.delete(e.taskId);
          this.#pendingCalls.delete(e.taskId);
        });
      },
    });
    return () => {
      this.#attached.delete(engine);
      stop();
    };
  }
}
