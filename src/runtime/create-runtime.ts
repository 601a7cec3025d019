import { TaskEngine, type TaskEngineOptions, type TaskHandle, type TaskOptions } from '../engine/index.ts';
import { McpClientPool } from '../mcp-client/index.ts';
import { type Observability, type ObserveOptions, observe } from '../observe/index.ts';
import { resolveSpec } from '../providers/index.ts';
import { storeTranscripts } from '../store/index.ts';
import { lazyQueueClient, queueSettingsOf, type RuntimeQueue } from './queue-remote.ts';

export interface RuntimeOptions {
  /** The engine's settings (`loadRuntimeSettings().engine` for a surface; any TaskEngineOptions in code). */
  engine: TaskEngineOptions;
  /**
   * Run records, logs, metrics, traces and audit (`observe()`); false = none. Default: observe's
   * defaults without metrics (a surface that serves /metrics asks for them).
   */
  observe?: ObserveOptions | false;
  /**
   * MCP servers for the subagents (`.mcp.json` and agents' `mcpServers`, in a trusted workspace);
   * false = none. Default: a pool on the engine's environment.
   */
  mcpClients?: McpClientPool | false;
  /**
   * false: run every task in this process even when a queue is configured (a worker's own engine).
   * 'overview': the same, but `runtime.queue` still shows the queue's workers and jobs (the proxy,
   * whose Task calls must run where Codex's forwarded credentials are). Default: root tasks go to
   * the queue of `engine.queue.url` or CODEX_TASK_REDIS_URL, if any.
   */
  queue?: false | 'overview';
}

/** An engine with everything it runs with, and the one way to close them all. */
export interface Runtime {
  readonly engine: TaskEngine;
  readonly observability: Observability | undefined;
  /** The queue its root tasks run through (`codex-task worker`s), when one is configured. */
  readonly queue: RuntimeQueue | undefined;
  /** `engine.start()`: the task's handle at once. */
  start(input: unknown, options?: TaskOptions): TaskHandle;
  /**
   * The model `inherit` means for a caller running on `model` (a client's own model): that model
   * when a configured provider serves it, else undefined (the configured default applies).
   */
  callerModel(model: string | undefined): string | undefined;
  /** Cancels the engine's tasks, then stops MCP servers and flushes and closes the observers. Idempotent. */
  close(): Promise<void>;
}

/**
 * The composition root: every surface (run, batch, demo, mcp, proxy, serve, the library's default
 * engine) gets its engine here, with the MCP client pool as the subagents' extra tools and the
 * observers attached in their one order, so no surface can forget a part.
 */
export function createRuntime(options: RuntimeOptions): Runtime {
  const pool =
    options.mcpClients === false
      ? undefined
      : (options.mcpClients ?? new McpClientPool({ env: options.engine.env ?? process.env }));
  const queueSettings = options.queue === false ? undefined : queueSettingsOf(options.engine);
  const queue = queueSettings ? lazyQueueClient(queueSettings, options.engine) : undefined;
  const engine = new TaskEngine({
    ...options.engine,
    ...(pool ? { toolProvider: pool } : {}),
    ...(queue && options.queue !== 'overview' ? { remote: queue } : {}),
  });
  const observability =
    options.observe === false ? undefined : observe(engine, { metrics: false, ...options.observe });
  // Conversations are kept with the run records, so follow-ups work after a restart.
  if (observability?.store)
    engine.useTranscripts(storeTranscripts(observability.store, observability.redactor));
  let closed: Promise<void> | undefined;
  return {
    engine,
    observability,
    queue: queue && { url: queue.url, overview: queue.overview },
    start: (input, taskOptions) => engine.start(input, taskOptions),
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
        await engine.close();
        await queue?.close();
        await pool?.close();
        await observability?.close();
      })();
      return closed;
    },
  };
}
