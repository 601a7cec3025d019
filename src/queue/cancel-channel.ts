import type { Redis } from 'ioredis';

/**
 * Cancelling a task across processes. BullMQ cancels a job only in the process that runs it, so a
 * client says it on a channel every worker listens to, and leaves a marker for a worker that has
 * not taken the job yet (or takes it again after a stall): it then ends the task as cancelled at
 * once instead of running it. The marker outlives any retry of the job.
 */
const MARKER_TTL_SECONDS = 24 * 3600;

export interface CancelRequest {
  taskId: string;
  reason: string;
}

export function cancelChannel(prefix: string): string {
  return `${prefix}:cancel`;
}

export function cancelMarker(prefix: string, taskId: string): string {
  return `${prefix}:cancelled:${taskId}`;
}

export async function requestCancel(redis: Redis, prefix: string, request: CancelRequest): Promise<void> {
  await redis
    .multi()
    .set(cancelMarker(prefix, request.taskId), request.reason, 'EX', MARKER_TTL_SECONDS)
    .publish(cancelChannel(prefix), JSON.stringify(request))
    .exec();
}

export function parseCancel(text: string): CancelRequest | undefined {
  try {
    const request = JSON.parse(text) as CancelRequest;
    return typeof request?.taskId === 'string' && typeof request.reason === 'string' ? request : undefined;
  } catch {
    return undefined;
  }
}
