import type { EventEmitter } from 'node:events';
import type { TaskEvents, TaskHandle, TaskInput, TaskOptions, TaskResult } from '../engine/index.ts';
import type { RuntimeOptions } from '../runtime/index.ts';
import type { TaskRecord } from '../store/index.ts';

/**
 * What the MCP server needs of the runtime, behind a loader: the engine, the AI SDK and the
 * observability stack are imported on the first `tools/call`, never at start-up (Codex drops
 * servers that are not listed within about a second, docs/compatibility.md).
 */
export interface TaskRuntime {
  /** Starts a task: its handle at once (its `task.queued` already emitted). */
  start(input: TaskInput, options: TaskOptions): TaskHandle;
  /**
   * Continues an earlier task with `message` and its whole conversation (SendMessage): a new task's
   * handle at once. Its result is a TaskNotFound error when the conversation is not kept.
   */
  sendMessage(to: string, message: string, options: TaskOptions & { summary?: string }): TaskHandle;
  /**
   * A finished background task's result, once: reading it frees its place under
   * `background.maxUnread`. `undefined` while it runs, once read, and for ids this engine never ran.
   */
  backgroundResult(id: string): Promise<TaskResult | undefined>;
  /** A task's run record (any task, this process's or an earlier one's); undefined without run records. */
  record(id: string): TaskRecord | undefined;
  readonly events: Pick<EventEmitter<TaskEvents>, 'on' | 'off'>;
  /**
   * The model `inherit` means for a caller running on `model`: that model when a configured
   * provider serves it, else undefined (the configured default applies).
   */
  callerModel(model: string | undefined): string | undefined;
  /** Cancels running tasks (background ones too), then flushes and closes what the runtime opened. */
  close(): Promise<void>;
}

export type RuntimeLoader = () => Promise<TaskRuntime>;

/** The real runtime (`createRuntime`), loaded on demand; run records, logs and traces on, metrics off. */
export async function createEngineRuntime(options: RuntimeOptions): Promise<TaskRuntime> {
  const { createRuntime } = await import('../runtime/index.ts');
  const runtime = createRuntime(options);
  return {
    start: (input, taskOptions) => runtime.start(input, taskOptions),
    sendMessage: (to, message, taskOptions) => runtime.engine.sendMessage(to, message, taskOptions),
    // Never the engine's `wait`: it reads the result when the task ends even if the waiting call has
    // gone by then, and the result would be lost to the next TaskOutput (launched-tasks.ts waits).
    backgroundResult: (id) => runtime.engine.backgroundResult(id),
    record: (id) => runtime.observability?.store?.get(id),
    events: runtime.engine.events,
    callerModel: (model) => runtime.callerModel(model),
    close: () => runtime.close(),
  };
}
