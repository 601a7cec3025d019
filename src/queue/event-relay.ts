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
 * Publishes one job's messages, in order, on the worker's connection. The events of one turn of the
 * event loop go out together, as one message (a JSON array), once that turn is over: a task's
 * request to its model is not held up by them, and the worker makes one Redis call where there
 * were several. The job's end goes out on the same connection after `flush()`, so the client gets
 * it after every event. A message that cannot be sent while Redis is away is dropped: progress is
 * best effort, the result is not (the client reads it from the job when it reconnects).
 */
export class RelayPublisher {
  readonly #redis: Redis;
  readonly #channel: string;
  readonly #task: string;
  readonly #attempt: number;
  readonly #redactor: Pick<Redactor, 'value'> | undefined;
  #pending: string[] = [];
  #flushing: NodeJS.Immediate | undefined;

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
    // Tool inputs and outputs travel in events: redacted as the worker's own records are. Written
    // out now, as the event is at this moment.
    const redacted = this.#redactor ? this.#redactor.value(data) : data;
    const message: RelayMessage = { task: this.#task, attempt: this.#attempt, event, data: redacted };
    this.#pending.push(JSON.stringify(message));
    this.#flushing ??= setImmediate(() => this.flush());
  }

  /** Sends the events not yet sent, now. */
  flush(): void {
    clearImmediate(this.#flushing);
    this.#flushing = undefined;
    if (this.#pending.length === 0) return;
    const text = this.#pending.length === 1 ? this.#pending[0]! : `[${this.#pending.join(',')}]`;
    this.#pending = [];
    this.#redis.publish(this.#channel, text).catch(() => 0);
  }
}

/** The end of a job, on its client's channel: published once BullMQ has recorded it. */
export function publishEnd(redis: Redis, channel: string, message: RelayMessage): Promise<unknown> {
  return redis.publish(channel, JSON.stringify(message)).catch(() => 0);
}

/** The messages of one publish (one, or an array of them); what is not a message is left out. */
export function parseRelayMessages(text: string): RelayMessage[] {
  try {
    const value = JSON.parse(text) as unknown;
    return (Array.isArray(value) ? value : [value]).filter(
      (m): m is RelayMessage =>
        typeof m?.task === 'string' && typeof (m as { attempt?: unknown }).attempt === 'number',
    );
  } catch {
    return [];
  }
}
