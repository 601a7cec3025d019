import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_DEFAULTS } from '../config/defaults/queue.ts';
import type { RemoteExecutor, RemoteOutcome, RemoteTaskRequest } from '../engine/index.ts';
import {
  CodexTaskError,
  type ErrorType,
  TaskCancelledError,
  type TaskErrorInfo,
  TaskInterruptedError,
} from '../errors/index.ts';
import { requestCancel } from './cancel-channel.ts';
import { gitWorkspaceOf, type SentWorkspace } from './client-workspace.ts';
import { QUEUE_NAME, type QueueSettings, ready, redisConnection, unavailable } from './connection.ts';
import { eventsChannel, parseRelayMessages, type RelayMessage } from './event-relay.ts';
import { type JobData, parseOutcome } from './job-data.ts';
import { recordedOutcome, runsKey } from './outcome-record.ts';
import type { SharedBudgetSpec } from './shared-budget.ts';
import { overviewOf, type QueueOverview } from './worker-registry.ts';
import type { WorkspaceSpec } from './workspace.ts';

type RemoteRun = Parameters<RemoteExecutor['execute']>[1];

/** How often tasks waiting for a worker's answer are looked up in Redis, in case an answer was missed. */
const SWEEP_MS = 2_000;
/** Completed jobs are kept this long, so a client that was away reads their result. */
const KEEP_COMPLETED = { age: 3_600, count: 1_000 };

interface Pending {
  request: RemoteTaskRequest;
  data: JobData;
  emit: RemoteRun['emit'];
  /** The newest run of the task heard of: messages of older runs are dropped. */
  attempt: number;
  /** Times the job was added again because Redis had lost it (restarted without persistence). */
  readded: number;
  since: number;
  settle: PromiseWithResolvers<RemoteOutcome>;
}

export interface QueueClientOptions {
  settings: QueueSettings;
  /** The run's budgets, shared by its tasks on every worker (`queue/shared-budget.ts`). */
  budget?: SharedBudgetSpec;
  /**
   * Where a task's files are for a worker on another machine (queue/workspace.ts), or that and what
   * of the client's checkout was not sent (client-workspace.ts). None: the client's directory,
   * which workers must see at the same path. A throw (a typed error) fails the task, not enqueued.
   */
  workspace?: (
    request: RemoteTaskRequest,
  ) => WorkspaceSpec | SentWorkspace | undefined | Promise<WorkspaceSpec | SentWorkspace | undefined>;
}

/**
 * The client side of the queue: an engine's RemoteExecutor. A task becomes a job whose id is the
 * task id; its events come back on this client's channel, its end too (and from the job itself
 * when that message was missed); cancelling it removes a job still waiting or tells the worker
 * running it. Connects on first use: a process that never enqueues never touches Redis.
 */
export class QueueClient implements RemoteExecutor {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  readonly #settings: QueueSettings;
  readonly #budget: SharedBudgetSpec | undefined;
  readonly #workspace: QueueClientOptions['workspace'];
  readonly #redis: Redis;
  readonly #subscriber: Redis;
  readonly #pending = new Map<string, Pending>();
  #queue: Queue | undefined;
  #connected: Promise<Queue> | undefined;
  #sweep: NodeJS.Timeout | undefined;
  #closed = false;
  /** Tasks between `execute` and their end (connecting included). */
  #inFlight = 0;

  constructor(options: QueueClientOptions) {
    this.#settings = options.settings;
    this.#budget = options.budget;
    this.#workspace =
      options.workspace ??
      (options.settings.workspace === 'git'
        ? (request) =>
            gitWorkspaceOf(request.cwd, {
              remote: options.settings.gitRemote ?? QUEUE_DEFAULTS.gitRemote,
              push: options.settings.gitPush ?? QUEUE_DEFAULTS.gitPush,
            })
        : undefined);
    this.#redis = redisConnection(this.#settings, 'client');
    this.#subscriber = redisConnection(this.#settings, 'events', { enableOfflineQueue: true });
    this.#subscriber.on('message', (_channel, text: string) => {
      for (const message of parseRelayMessages(text)) this.#receive(message);
    });
    // Back after Redis was away: answers may have been missed, and a restarted Redis may have lost jobs.
    this.#redis.on('ready', () => {
      if (this.#queue) void this.#reconcile(0);
    });
    for (const redis of [this.#redis, this.#subscriber]) redis.on('connect', () => this.#holdProcess());
  }

  /**
   * Keeps the process alive while tasks wait on the queue, and only then: a script that awaited
   * `Task()` exits when it is done, as it does without a queue, with the connections left open.
   */
  #holdProcess(): void {
    const hold = this.#inFlight > 0;
    for (const redis of [this.#redis, this.#subscriber]) {
      const socket = redis.stream as { ref?: () => void; unref?: () => void } | undefined;
      if (hold) socket?.ref?.();
      else socket?.unref?.();
    }
  }

  async execute(request: RemoteTaskRequest, run: RemoteRun): Promise<RemoteOutcome> {
    this.#inFlight++;
    this.#holdProcess();
    try {
      return await this.#run(await this.#connect(), request, run);
    } finally {
      this.#inFlight--;
      this.#holdProcess();
    }
  }

  async #run(queue: Queue, request: RemoteTaskRequest, run: RemoteRun): Promise<RemoteOutcome> {
    const sent = await this.#workspace?.(request);
    const workspace = sent && 'spec' in sent ? sent.spec : sent;
    const data: JobData = {
      v: 1,
      taskId: request.taskId,
      ...(request.newId ? { newId: true as const } : {}),
      input: request.input,
      cwd: request.cwd,
      replyTo: this.id,
      ...(this.#budget ? { budget: this.#budget } : {}),
      ...(workspace ? { workspace } : {}),
      ...(request.callerModel ? { callerModel: request.callerModel } : {}),
      ...(request.caller ? { caller: request.caller } : {}),
      ...(request.priority !== undefined ? { priority: request.priority } : {}),
      ...(request.continueFrom ? { continueFrom: request.continueFrom } : {}),
      ...(request.transcript ? { transcript: request.transcript } : {}),
    };
    const pending: Pending = {
      request,
      data,
      emit: run.emit,
      attempt: 0,
      readded: 0,
      since: Date.now(),
      settle: Promise.withResolvers(),
    };
    this.#pending.set(request.taskId, pending);
    const onAbort = () => void this.#cancel(pending, run.signal.reason);
    try {
      await this.#bounded(this.#add(queue, data));
      if (run.signal.aborted) onAbort();
      else run.signal.addEventListener('abort', onAbort, { once: true });
      this.#sweepSoon();
      const outcome = await pending.settle.promise;
      const back = outcome.result.workspace;
      if (sent && 'notSent' in sent && back?.kind === 'git') back.notSent = sent.notSent;
      return outcome;
    } finally {
      run.signal.removeEventListener('abort', onAbort);
      this.#pending.delete(request.taskId);
    }
  }

  /** Job counts and live workers (the dashboard's queue panel). */
  async overview(): Promise<QueueOverview> {
    const queue = await this.#connect();
    return this.#bounded(overviewOf(queue, this.#redis, this.#settings.prefix));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#sweep);
    for (const pending of this.#pending.values())
      pending.settle.reject(new TaskCancelledError('The task was cancelled: its client closed'));
    await this.#queue?.close().catch(() => {});
    this.#redis.disconnect();
    this.#subscriber.disconnect();
  }

  #connect(): Promise<Queue> {
    this.#connected ??= (async () => {
      await Promise.all([ready(this.#redis, this.#settings), ready(this.#subscriber, this.#settings)]);
      await this.#subscriber.subscribe(eventsChannel(this.#settings.prefix, this.id));
      // BullMQ's connection is our fail-fast one: an add while Redis is away fails at once.
      this.#queue = new Queue(QUEUE_NAME, {
        connection: this.#redis,
        prefix: this.#settings.prefix,
        defaultJobOptions: {
          attempts: this.#settings.attempts,
          removeOnComplete: KEEP_COMPLETED,
          removeOnFail: KEEP_COMPLETED,
        },
      });
      this.#queue.on('error', () => {});
      return this.#queue;
    })();
    // A failed first connection is tried again by the next task, not remembered for ever, and
    // leaves no reconnecting socket behind (it would keep the process alive).
    this.#connected.catch(() => {
      this.#connected = undefined;
      this.#redis.disconnect();
      this.#subscriber.disconnect();
    });
    return this.#connected;
  }

  #add(queue: Queue, data: JobData): Promise<unknown> {
    // BullMQ runs lower numbers first (1 is the highest); ours are -100..100, higher first, 0 default.
    return queue.add('task', data, { jobId: data.taskId, priority: 101 - (data.priority ?? 0) });
  }

  /** A Redis call bounded by the connect timeout, failing as QueueUnavailable. */
  async #bounded<T>(call: Promise<T>): Promise<T> {
    const timeoutMs = this.#settings.connectTimeoutMs ?? QUEUE_DEFAULTS.connectTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        call,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (error) {
      call.catch(() => {});
      throw unavailable(this.#settings, error);
    } finally {
      clearTimeout(timer);
    }
  }

  #receive(message: RelayMessage): void {
    const pending = this.#pending.get(message.task);
    if (!pending || message.attempt < pending.attempt) return;
    // An end that is not a whole task result is not taken (nor its attempt): the job's own answer,
    // read by the sweep, is authoritative; a malformed message must neither fail nor settle a task.
    const outcome = 'done' in message ? parseOutcome(message.done) : undefined;
    if ('done' in message && !outcome) return;
    pending.attempt = message.attempt;
    if ('event' in message)
      (pending.emit as (name: string, event: unknown) => void)(message.event, message.data);
    else if ('done' in message) pending.settle.resolve(outcome!);
    else this.#fail(pending, message.failed);
  }

  #settle(pending: Pending, value: unknown): void {
    const outcome = parseOutcome(value);
    if (outcome) pending.settle.resolve(outcome);
    else this.#fail(pending, 'its worker answered with something that is not a task result');
  }

  #fail(pending: Pending, reason: string): void {
    pending.settle.reject(
      relayedError(reason) ??
        new TaskInterruptedError(`The task could not be run on the queue's workers: ${reason}`),
    );
  }

  async #cancel(pending: Pending, reason: unknown): Promise<void> {
    const why = reason instanceof Error ? reason.message : 'The task was cancelled';
    const { taskId } = pending.request;
    try {
      await this.#bounded(requestCancel(this.#redis, this.#settings.prefix, { taskId, reason: why }));
      const queue = this.#queue!;
      const state = await this.#bounded(queue.getJobState(taskId));
      // A job no worker has taken is removed; one running ends as cancelled where it runs.
      if (state === 'waiting' || state === 'prioritized' || state === 'delayed') {
        if ((await this.#bounded(queue.remove(taskId))) === 1) pending.settle.reject(reason);
      }
    } catch {
      // Redis is away: the task ends cancelled here; the marker could not be left (docs/scaling-out.md).
      pending.settle.reject(reason);
    }
  }

  #sweepSoon(): void {
    if (this.#sweep || this.#closed) return;
    this.#sweep = setTimeout(async () => {
      this.#sweep = undefined;
      await this.#reconcile(SWEEP_MS).catch(() => {});
      if (this.#pending.size > 0) this.#sweepSoon();
    }, SWEEP_MS);
    this.#sweep.unref();
  }

  /**
   * Reads from Redis the state of tasks waited on for at least `olderThanMs`: a finished job's
   * answer that was missed is taken from the job; a job Redis lost (restarted without persistence)
   * is added again, as its client still has all it needs, up to the attempts setting.
   */
  async #reconcile(olderThanMs: number): Promise<void> {
    const queue = this.#queue;
    if (!queue) return;
    const now = Date.now();
    for (const pending of [...this.#pending.values()]) {
      if (now - pending.since < olderThanMs) continue;
      const { taskId } = pending.request;
      const state = await queue.getJobState(taskId).catch(() => undefined);
      if (state === 'completed') {
        const job = await queue.getJob(taskId).catch(() => undefined);
        if (job) this.#settle(pending, job.returnvalue);
      } else if (state === 'failed') {
        // A run can record its outcome and then lose its job (its lock expired before BullMQ
        // completed it, and the re-runs stalled too): the outcome stands.
        const recorded = await recordedOutcome(this.#redis, this.#settings.prefix, taskId).catch(
          () => undefined,
        );
        if (recorded !== undefined) {
          this.#settle(pending, recorded);
          continue;
        }
        const job = await queue.getJob(taskId).catch(() => undefined);
        this.#fail(pending, job?.failedReason ?? 'its job failed');
      } else if (state === 'unknown') {
        // No job: trimmed after it finished (its outcome is recorded), trimmed after a failure (its
        // runs are listed), or lost by a Redis restarted without persistence (neither): only that
        // last one is added again, so a task never runs twice.
        const prefix = this.#settings.prefix;
        const recorded = await recordedOutcome(this.#redis, prefix, taskId).catch(() => null);
        if (recorded === null) continue;
        if (recorded !== undefined) {
          this.#settle(pending, recorded);
          continue;
        }
        const runs = await this.#redis.exists(runsKey(prefix, taskId)).catch(() => null);
        if (runs === null) continue;
        if (runs > 0) {
          this.#fail(pending, 'its job ended and was trimmed before this client read the result');
          continue;
        }
        if (pending.readded >= this.#settings.attempts) {
          pending.settle.reject(unavailable(this.#settings, 'Redis lost the task, again and again'));
          continue;
        }
        pending.readded++;
        // Its id may have run by now elsewhere, as far as the new job knows: looked up on its first run.
        const { newId: _, ...data } = pending.data;
        await this.#add(queue, data).catch(() => {});
      }
    }
  }
}

/** A typed error a worker ended a job with (a workspace it could not make), as its client reports it. */
class RelayedTaskError extends CodexTaskError {
  constructor(info: TaskErrorInfo) {
    super(info.type as ErrorType, info.message, info.hint, { details: info.details ?? {} });
  }
}

function relayedError(reason: string): CodexTaskError | undefined {
  try {
    const info = JSON.parse(reason) as TaskErrorInfo;
    return typeof info?.type === 'string' && typeof info.message === 'string'
      ? new RelayedTaskError(info)
      : undefined;
  } catch {
    return undefined;
  }
}
