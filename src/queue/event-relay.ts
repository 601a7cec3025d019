import type { Redis } from 'ioredis';
import type { TaskEvents } from '../engine/index.ts';
import type { Redactor } from '../telemetry/index.ts';
import type { JobOutcome } from './job-data.ts';

/** Every engine event a worker relays to the client that enqueued the task. */
export const RELAYED_EVENTS = [
  'task.queued',
  'task.started',
  'task.progress',
  'task.turn',
  'task.tool',
  'task.permissions',
  'task.model_call',
  'task.failover',
  'task.finished',
] as const satisfies readonly (keyof TaskEvents)[];

export type RelayedEvent = (typeof RELAYED_EVENTS)[number];

/**
 * One message on a client's channel, about one of its root tasks (`task`) and one run of it
 * (`attempt`, BullMQ's attemptsStarted): an event of the task or of a nested one, or its end. The
 * client drops messages of an attempt older than the newest it has seen, so a run that was given up
 * (its worker stalled) cannot write into the record of the run that replaced it.
 */
export type RelayMessage =
  | { task: string; attempt: number; event: RelayedEvent; data: unknown }
  | { task: string; attempt: number; done: JobOutcome }
  | { task: string; attempt: number; failed: string };

/** The channel of one client: its tasks' events and ends, whichever worker runs them. */
export function eventsChannel(prefix: string, clientId: string): string {
  return `${prefix}:events:${clientId}`;
}

/**
 * Publishes one job's messages, in order, on the worker's connection; the job's end goes out on the
 * same connection once BullMQ has recorded it, so the client gets it after every event. A message
 * that cannot be sent while Redis is away is dropped: progress is best effort, the result is not
 * (the client reads it from the job when it reconnects).
 */
export class RelayPublisher {
  readonly #redis: Redis;
  readonly #channel: string;
  readonly #task: string;
  readonly #attempt: number;
  readonly #redactor: Pick<Redactor, 'value'> | undefined;

  constructor(
    redis: Redis,
    channel: string,
    task: string,
    attempt: number,
    redactor?: Pick<Redactor, 'value'>,
  ) {
    this.#redis = redis;
    this.#channel = channel;
    this.#task = task;
    this.#attempt = attempt;
    this.#redactor = redactor;
  }

  event(event: RelayedEvent, data: unknown): void {
    // Tool inputs and outputs travel in events: redacted as the worker's own records are.
    const redacted = this.#redactor ? this.#redactor.value(data) : data;
    this.#send({ task: this.#task, attempt: this.#attempt, event, data: redacted });
  }

  #send(message: RelayMessage): void {
    this.#redis.publish(this.#channel, JSON.stringify(message)).catch(() => 0);
  }
}

/** The end of a job, on its client's channel: published once BullMQ has recorded it. */
export function publishEnd(redis: Redis, channel: string, message: RelayMessage): Promise<unknown> {
  return redis.publish(channel, JSON.stringify(message)).catch(() => 0);
}

export function parseRelayMessage(text: string): RelayMessage | undefined {
  try {
    const message = JSON.parse(text) as RelayMessage;
    return typeof message?.task === 'string' && typeof message.attempt === 'number' ? message : undefined;
  } catch {
    return undefined;
  }
}
