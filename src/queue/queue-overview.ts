import { Queue } from 'bullmq';
import { QUEUE_NAME, type QueueSettings, ready, redisConnection, unavailable } from './connection.ts';
import { overviewOf, type QueueOverview } from './worker-registry.ts';

/**
 * The queue at a glance, read once on a connection of its own (for a process that does not
 * enqueue; a runtime with a queue has `runtime.queue.overview()`). A QueueUnavailableError when
 * Redis cannot be reached.
 */
export async function queueOverview(settings: QueueSettings): Promise<QueueOverview> {
  const redis = redisConnection(settings, 'client');
  try {
    await ready(redis, settings);
    const queue = new Queue(QUEUE_NAME, { connection: redis, prefix: settings.prefix });
    queue.on('error', () => {});
    try {
      return await overviewOf(queue, redis, settings.prefix);
    } catch (error) {
      throw unavailable(settings, error);
    } finally {
      await queue.close().catch(() => {});
    }
  } finally {
    redis.disconnect();
  }
}
