/**
 * Tasks on a queue of workers (BullMQ on Redis; docs/scaling-out.md): the client side an engine
 * runs its root tasks through, the worker that runs them, and a read-only overview. Loaded only
 * when a queue URL is set: without one, nothing here (nor ioredis) is imported.
 */

// Where it lives since the runtime needs it without loading the queue; kept here for queue users.
export { redactRedisUrl } from '../config/index.ts';
export { CarriedTranscripts } from './carried-transcripts.ts';
export { connectTo, QUEUE_NAME, type QueueSettings } from './connection.ts';
export { type JobData, JobDataSchema } from './job-data.ts';
export { QueueClient, type QueueClientOptions } from './queue-client.ts';
export { queueOverview } from './queue-overview.ts';
export { QueueWorker, type QueueWorkerOptions, type WorkerEngine } from './queue-worker.ts';
export { newBudgetScope, sharedBudgetSpec } from './shared-budget.ts';
export type { QueueOverview, WorkerInfo } from './worker-registry.ts';
