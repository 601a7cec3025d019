import { randomBytes } from 'node:crypto';
import type { TaskEngine, TaskEventBase } from '../engine/index.ts';
import { listen } from './listen.ts';

/**
 * One trace id per task tree: a root task gets a fresh one, a nested task inherits its parent's.
 * Logs, run records, SSE streams and spans all read it, so one id finds a whole fan-out in every
 * tool. A task's identity, input and caller come with its events (the engine gives them at
 * `start()`); only the trace id, which tracing may own, is kept here.
 */
export class TaskCorrelation {
  readonly #traceIds = new Map<string, string>();
  #traceSource: ((task: TaskEventBase) => string | undefined) | undefined;

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

  get size(): number {
    return this.#traceIds.size;
  }

  /**
   * Forgets finished tasks — in a microtask, so every other listener of `task.finished` (the
   * emitter calls them synchronously) still finds their trace id.
   */
  attach(engine: TaskEngine): () => void {
    return listen(engine, {
      'task.finished': (e) => {
        queueMicrotask(() => this.#traceIds.delete(e.taskId));
      },
    });
  }
}
