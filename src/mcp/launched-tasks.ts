import type { TaskHandle, TaskInput, TaskResult } from '../engine/index.ts';
import type { TaskRuntime } from './task-runtime.ts';

/** A background task this server launched, as TaskOutput reports it while it runs. */
export interface LaunchedTask {
  readonly id: string;
  readonly description: string;
  agentType: string;
  readonly startedAt: number;
  toolUses: number;
  readonly result: Promise<TaskResult>;
}

/**
 * The background tasks this server launched that are still running: what TaskOutput waits on and
 * reports progress from. Each leaves when it ends (its result is then the engine's, read once, and
 * the run store's), so the map is bounded by `background.maxRunning`.
 */
export class LaunchedTasks {
  readonly #running = new Map<string, LaunchedTask>();

  add(handle: TaskHandle, input: TaskInput): void {
    const task: LaunchedTask = {
      id: handle.id,
      description: input.description,
      agentType: input.subagent_type ?? 'general-purpose',
      startedAt: Date.now(),
      toolUses: 0,
      result: handle.result,
    };
    const onProgress = (e: { agentType: string; toolUses: number }) => {
      task.agentType = e.agentType;
      task.toolUses = e.toolUses;
    };
    handle.events.on('task.progress', onProgress);
    this.#running.set(handle.id, task);
    void handle.result.then(() => {
      handle.events.off('task.progress', onProgress);
      this.#running.delete(handle.id);
    });
  }

  /** Resolves when every background task running now has ended. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#running.values()].map((t) => t.result));
  }

  /** The task, while it runs. */
  get(id: string): LaunchedTask | undefined {
    return this.#running.get(id);
  }
}

const registries = new WeakMap<TaskRuntime, LaunchedTasks>();

export function launchedTasksFor(runtime: TaskRuntime): LaunchedTasks {
  let tasks = registries.get(runtime);
  if (!tasks) {
    tasks = new LaunchedTasks();
    registries.set(runtime, tasks);
  }
  return tasks;
}
