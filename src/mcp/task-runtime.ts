import type { EventEmitter } from 'node:events';
import type { TaskEngineOptions, TaskEvents, TaskInput, TaskOptions, TaskResult } from '../engine/index.ts';
import type { ObserveOptions } from '../observe/index.ts';
import type { McpClientPool } from './client/mcp-client-pool.ts';

/**
 * What the MCP server needs of the engine, behind a loader: the engine, the AI SDK and the
 * observability stack are imported on the first `tools/call`, never at start-up (Codex drops
 * servers that are not listed within about a second, docs/compatibility.md).
 */
export interface TaskRuntime {
  /** Starts a task and returns its id at once (its first events are already emitted). */
  start(input: TaskInput, options: TaskOptions): { taskId: string; result: Promise<TaskResult> };
  readonly events: Pick<EventEmitter<TaskEvents>, 'on' | 'off'>;
  /**
   * The model `inherit` means for a caller running on `model`: that model when a configured
   * provider serves it, else undefined (the configured default applies).
   */
  callerModel(model: string | undefined): string | undefined;
  /** Notes which client call a task serves (Codex's thread and call ids), for the logs. */
  correlate?(taskId: string, caller: { threadId?: string; callId?: string }): void;
  /** Cancels running tasks, then flushes and closes what the runtime opened. */
  close(): Promise<void>;
}

export type RuntimeLoader = () => Promise<TaskRuntime>;

export interface EngineRuntimeOptions {
  engine: TaskEngineOptions;
  /** Run records, logs, traces and audit (`observe()`); false = none. Default: observe's defaults. */
  observe?: ObserveOptions | false;
  /** MCP servers for the subagents (`.mcp.json`, agents' `mcpServers`); false = none. Default: a pool on the engine's env. */
  mcpClients?: McpClientPool | false;
}

/** The real runtime: a TaskEngine with observability attached, loaded on demand. */
export async function createEngineRuntime(options: EngineRuntimeOptions): Promise<TaskRuntime> {
  const [{ TaskEngine }, { observe }, { resolveSpec }, { McpClientPool }] = await Promise.all([
    import('../engine/index.ts'),
    import('../observe/index.ts'),
    import('../providers/index.ts'),
    import('./client/mcp-client-pool.ts'),
  ]);
  const pool =
    options.mcpClients === false
      ? undefined
      : (options.mcpClients ?? new McpClientPool({ env: options.engine.env ?? process.env }));
  const engine = new TaskEngine({ ...options.engine, ...(pool ? { toolProvider: pool } : {}) });
  const obs = options.observe === false ? undefined : observe(engine, { metrics: false, ...options.observe });
  let closed: Promise<void> | undefined;
  return {
    start: (input, taskOptions) => {
      // observe's start() records the input with the task (a caller's thread id as parent is fine).
      if (obs) return obs.start(input, taskOptions);
      // Without records, the id comes from the task's first event, which run() emits synchronously.
      let taskId = '';
      const first = (e: { taskId: string }) => {
        taskId ||= e.taskId;
      };
      engine.events.on('task.queued', first);
      engine.events.on('task.finished', first);
      try {
        const result = engine.run(input, taskOptions);
        return { taskId, result };
      } finally {
        engine.events.off('task.queued', first);
        engine.events.off('task.finished', first);
      }
    },
    events: engine.events,
    correlate: (taskId, caller) => {
      obs?.logger?.info(
        { taskId, callerThreadId: caller.threadId, callerCallId: caller.callId },
        'MCP tools/call',
      );
    },
    callerModel: (model) => {
      if (!model) return undefined;
      try {
        resolveSpec(model, engine.providers);
        return model;
      } catch {
        return undefined;
      }
    },
    close: () => {
      closed ??= (async () => {
        engine.close();
        await pool?.close();
        await obs?.close();
      })();
      return closed;
    },
  };
}
