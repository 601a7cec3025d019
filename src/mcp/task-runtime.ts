import type { EventEmitter } from 'node:events';
import type { TaskEvents, TaskHandle, TaskInput, TaskOptions } from '../engine/index.ts';
import type { RuntimeOptions } from '../runtime/index.ts';

/**
 * What the MCP server needs of the runtime, behind a loader: the engine, the AI SDK and the
 * observability stack are imported on the first `tools/call`, never at start-up (Codex drops
 * servers that are not listed within about a second, docs/compatibility.md).
 */
export interface TaskRuntime {
  /** Starts a task: its handle at once (its `task.queued` already emitted). */
  start(input: TaskInput, options: TaskOptions): TaskHandle;
  readonly events: Pick<EventEmitter<TaskEvents>, 'on' | 'off'>;
  /**
   * The model `inherit` means for a caller running on `model`: that model when a configured
   * provider serves it, else undefined (the configured default applies).
   */
  callerModel(model: string | undefined): string | undefined;
  /** Cancels running tasks, then flushes and closes what the runtime opened. */
  close(): Promise<void>;
}

export type RuntimeLoader = () => Promise<TaskRuntime>;

/** The real runtime (`createRuntime`), loaded on demand; run records, logs and traces on, metrics off. */
export async function createEngineRuntime(options: RuntimeOptions): Promise<TaskRuntime> {
  const { createRuntime } = await import('../runtime/index.ts');
  const runtime = createRuntime(options);
  return {
    start: (input, taskOptions) => runtime.start(input, taskOptions),
    events: runtime.engine.events,
    callerModel: (model) => runtime.callerModel(model),
    close: () => runtime.close(),
  };
}
