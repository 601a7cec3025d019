import { ENGINE_SETTINGS, redactRedisUrl, resolveSettings } from '../config/index.ts';
import { type RemoteExecutor, resolveEngineSettings, type TaskEngineOptions } from '../engine/index.ts';
import type { QueueOverview, QueueSettings } from '../queue/index.ts';

/** A runtime's queue, when root tasks run on `codex-task worker`s. */
export interface RuntimeQueue {
  /** Where it is, without the password. */
  readonly url: string;
  /** Job counts and live workers (read-only). */
  overview(): Promise<QueueOverview>;
}

/**
 * The queue an engine's options point at: `queue.url` (config, CODEX_TASK_REDIS_URL, --redis, as
 * loadRuntimeSettings resolved them), else the variable itself for the library, which reads no
 * config. Undefined: tasks run in this process.
 */
export function queueSettingsOf(engine: TaskEngineOptions): QueueSettings | undefined {
  const env = engine.env ?? process.env;
  const q = resolveSettings(ENGINE_SETTINGS.queue, [{ source: 'option', values: engine.queue ?? {} }]);
  const url = q.url ?? env.CODEX_TASK_REDIS_URL?.trim();
  return url ? { ...q, url } : undefined;
}

/**
 * The engine's RemoteExecutor for a queue, loaded on first use: src/queue (BullMQ, ioredis) is
 * imported only when a task is enqueued, so a runtime without a queue never loads it.
 */
export function lazyQueueClient(
  settings: QueueSettings,
  engine: TaskEngineOptions,
): RemoteExecutor & RuntimeQueue {
  let client: Promise<import('../queue/index.ts').QueueClient> | undefined;
  const load = () =>
    (client ??= import('../queue/index.ts').then((q) => {
      // One budget scope per runtime: its tasks count against its maxTasks/maxCostUsd on every worker.
      // Without either limit there is nothing to hold: no counters in Redis (nothing would read them).
      const budget = q.sharedBudgetSpec(q.newBudgetScope(), resolveEngineSettings(engine));
      const limited = budget.maxTasks !== null || budget.maxCostUsd !== null;
      return new q.QueueClient({ settings, ...(limited ? { budget } : {}) });
    }));
  return {
    url: redactRedisUrl(settings.url),
    execute: async (request, run) => (await load()).execute(request, run),
    overview: async () => (await load()).overview(),
    close: async () => {
      if (client) await (await client).close();
    },
  };
}
