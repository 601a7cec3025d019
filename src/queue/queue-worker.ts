import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { type Job, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TaskEventBase, TaskEvents, TaskHandle, TaskOptions, Transcript } from '../engine/index.ts';
import { toErrorInfo } from '../errors/index.ts';
import type { Redactor } from '../telemetry/index.ts';
import { cancelChannel, cancelMarker, parseCancel } from './cancel-channel.ts';
import type { CarriedTranscripts } from './carried-transcripts.ts';
import { bullConnection, QUEUE_NAME, type QueueSettings, ready, redisConnection } from './connection.ts';
import { eventsChannel, publishEnd, RELAYED_EVENTS, RelayPublisher } from './event-relay.ts';
import { type JobData, JobDataSchema, type JobOutcome, parseOutcome } from './job-data.ts';
import { finishRun, OUTCOME_TTL_S, recordedOutcome, runsKey } from './outcome-record.ts';
import { SharedBudget } from './shared-budget.ts';
import { beat, forget, HEARTBEAT_MS } from './worker-registry.ts';
import { prepareWorkspace } from './workspace.ts';

/** What a worker runs tasks on: an engine from the runtime (`createWorkerRuntime`). */
export interface WorkerEngine {
  readonly events: EventEmitter<TaskEvents>;
  start(input: unknown, options?: TaskOptions): TaskHandle;
}

export interface QueueWorkerOptions {
  settings: QueueSettings;
  engine: WorkerEngine;
  /** The engine's transcript store (it carries follow-ups' conversations in and out). */
  transcripts: CarriedTranscripts;
  concurrency: number;
  /** Shown on the dashboard; default the host name. */
  name?: string;
  /** Where git workspaces are cached (`<dataDir>/workspaces/`): outside every secret path. */
  dataDir: string;
  /** Real paths of the directories a path workspace may be in (PrepareOptions.allowedRoots). */
  allowedRoots: readonly string[];
  /**
   * The worker's redactor (its run store's): every event relayed and every outcome leaves for Redis
   * through it, where every client of the queue could read them. None: nothing is redacted.
   */
  redactor?: Pick<Redactor, 'value' | 'text'>;
}

/** A task's runs so far (every run's worker, in order) and a cancel said before this run began. */
interface RunList {
  workers: string[];
  cancelled: string | undefined;
}

interface Running {
  handle: TaskHandle;
  /** Set when the worker stops before the task ends: the job goes back to the queue, not to its client. */
  handBack: boolean;
}

/**
 * `codex-task worker`'s core: takes jobs from the queue, runs each on the engine under the job's
 * task id, relays the task's events (and its nested tasks', which run here too) to the client that
 * enqueued it, and answers with the one TaskResult. A task started again after its worker died is
 * the same job, one attempt later; BullMQ's lock token makes sure only one run's answer is taken.
 */
export class QueueWorker {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  readonly #o: QueueWorkerOptions;
  readonly #redis: Redis;
  readonly #cancels: Redis;
  readonly #running = new Map<string, Running>();
  /** Which root task each live task belongs to (nested tasks included), for relaying its events. */
  readonly #rootOf = new Map<string, { root: string; relay: RelayPublisher }>();
  readonly #stopRelay: () => void;
  #worker: Worker | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: QueueWorkerOptions) {
    this.#o = options;
    // Commands wait while Redis reconnects (BullMQ's own connection may be back first): a job taken
    // then must not fail on ours. Each shared-state call is bounded by its own timeout.
    this.#redis = redisConnection(options.settings, 'worker', { enableOfflineQueue: true });
    this.#cancels = redisConnection(options.settings, 'cancel', { enableOfflineQueue: true });
    this.#stopRelay = this.#relayEvents();
  }

  get running(): number {
    return this.#running.size;
  }

  /** Connects and starts taking jobs; a QueueUnavailableError when Redis cannot be reached. */
  async start(): Promise<void> {
    const { settings, concurrency } = this.#o;
    await Promise.all([ready(this.#redis, settings), ready(this.#cancels, settings)]);
    this.#cancels.on('message', (_channel, text: string) => {
      const request = parseCancel(text);
      if (request) this.#running.get(request.taskId)?.handle.cancel(request.reason);
    });
    await this.#cancels.subscribe(cancelChannel(settings.prefix));
    this.#worker = new Worker(QUEUE_NAME, (job, token, signal) => this.#process(job, token, signal), {
      connection: bullConnection(settings),
      prefix: settings.prefix,
      concurrency,
      name: this.id,
      lockDuration: settings.stallTimeoutMs,
      // A dead worker's tasks are noticed one check after its locks expire.
      stalledInterval: Math.max(250, Math.min(1_000, settings.stallTimeoutMs / 2)),
      // A stall (the worker died) is a run that did not finish, as a failure is.
      maxStalledCount: settings.attempts - 1,
      removeOnComplete: { age: 3_600, count: 1_000 },
      removeOnFail: { age: 3_600, count: 1_000 },
    });
    this.#worker.on('error', () => {});
    // A run that lost its job's lock can no longer give the result (another run has it, or Redis
    // lost the job): stop it, so its tools stop too.
    this.#worker.on('lockRenewalFailed', (jobIds) => {
      for (const id of jobIds)
        this.#running.get(id)?.handle.cancel('the queue gave this task to another run');
    });
    this.#worker.on('failed', (job, error) => {
      if (!job || job.finishedOn === undefined) return; // it will run again
      const data = job.data as Partial<JobData>;
      if (typeof data.replyTo !== 'string' || typeof data.taskId !== 'string') return;
      void publishEnd(this.#redis, eventsChannel(settings.prefix, data.replyTo), {
        task: data.taskId,
        attempt: job.attemptsStarted,
        failed: error.message,
      });
    });
    await this.#worker.waitUntilReady();
    const say = () => {
      beat(this.#redis, settings.prefix, {
        id: this.id,
        name: this.#o.name ?? hostname(),
        addr: `${hostname()}:${process.pid}`,
        running: this.#running.size,
        concurrency,
      }).catch(() => {});
    };
    say();
    this.#heartbeat = setInterval(say, HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  /**
   * Stops taking jobs and lets the running ones finish for `graceMs`; those still running then are
   * cancelled here and handed back to the queue, where another worker takes them (no attempt spent).
   */
  close(graceMs = 0): Promise<void> {
    this.#closing ??= (async () => {
      const closed = this.#worker?.close() ?? Promise.resolve();
      const timer = setTimeout(() => {
        for (const run of this.#running.values()) {
          run.handBack = true;
          run.handle.cancel('the worker is shutting down; the task goes back to the queue');
        }
      }, graceMs);
      await closed;
      clearTimeout(timer);
      clearInterval(this.#heartbeat);
      this.#stopRelay();
      await forget(this.#redis, this.#o.settings.prefix, this.id).catch(() => {});
      this.#redis.disconnect();
      this.#cancels.disconnect();
    })();
    return this.#closing;
  }

  async #process(job: Job, token: string | undefined, signal: AbortSignal | undefined): Promise<JobOutcome> {
    const parsed = JobDataSchema.safeParse(job.data);
    // A job this worker cannot read would fail the same way on every worker: no retry.
    if (!parsed.success) throw new UnrecoverableError(`not a codex-task job: ${parsed.error.message}`);
    // BullMQ lets a closing worker take one more job (a blocking read that was already waiting):
    // it goes straight back, for a worker that stays.
    if (this.#closing && token) {
      await job.moveToWait(token);
      throw new WaitingError();
    }
    const data = parsed.data;
    const { settings, engine, transcripts } = this.#o;
    const attempt = job.attemptsStarted;
    const channel = eventsChannel(settings.prefix, data.replyTo);
    // A run that finished but died before BullMQ recorded it: its outcome stands, nothing runs twice.
    // Only a task that may have run before can have an outcome: not the first run of an id its
    // client just made up (a job its client adds again carries no `newId`; a re-run after a stall
    // is an attempt later: both are looked up).
    const reading =
      data.newId && attempt === 1
        ? Promise.resolve(undefined)
        : recordedOutcome(this.#redis, settings.prefix, data.taskId);
    // No workspace named: the client's directory, as a path every worker must see (checked, so a
    // worker without it says so instead of failing somewhere in the task). A path is only looked
    // at, while the outcome is read; a git workspace is made only for a task that will run.
    const spec = data.workspace ?? { path: data.cwd };
    const prepare = () =>
      prepareWorkspace(spec, {
        taskId: data.taskId,
        dataDir: this.#o.dataDir,
        allowedRoots: this.#o.allowedRoots,
        ...(signal ? { signal } : {}),
      }).catch((error: unknown) => {
        // The same job fails the same way on the next worker: it ends here, with the typed error.
        throw new UnrecoverableError(JSON.stringify(this.#redacted(toErrorInfo(error))));
      });
    const preparing = 'git' in spec ? undefined : prepare();
    // Awaited below, or not needed: never an unhandled rejection meanwhile.
    preparing?.catch(() => {});
    const recorded = parseOutcome(await reading);
    if (recorded) {
      // Its client may have missed it (a client that already has it ignores it).
      void publishEnd(this.#redis, channel, { task: data.taskId, attempt, done: recorded });
      return recorded;
    }
    const workspace = await (preparing ?? prepare()).catch(async (error: unknown) => {
      // The run is listed all the same: a client that missed the failure must find that the task
      // ran (and failed), not add it again (queue-client.ts, reconcile).
      await this.#recordRun(data.taskId);
      throw error;
    });
    const relay = new RelayPublisher(this.#redis, channel, data.taskId, attempt, this.#o.redactor);
    // Read while the task starts (one round trip, not on the task's path): the list of runs, and a
    // cancel said before this run took the job, which then ends the task before its first reply.
    // Sent once this turn of the event loop is over, after the task's request to its model.
    const before = new Promise<RunList>((resolve) =>
      setImmediate(() => resolve(this.#recordRun(data.taskId))),
    );
    const returnLent = data.transcript ? transcripts.lend(data.transcript as Transcript) : undefined;
    this.#rootOf.set(data.taskId, { root: data.taskId, relay });
    let handle: TaskHandle;
    try {
      handle = engine.start(data.input, {
        taskId: data.taskId,
        cwd: workspace.cwd,
        ...(signal ? { signal } : {}),
        ...(data.callerModel ? { callerModel: data.callerModel } : {}),
        ...(data.caller ? { caller: data.caller } : {}),
        ...(data.priority !== undefined ? { priority: data.priority } : {}),
        ...(data.continueFrom ? { continueFrom: data.continueFrom } : {}),
        ...(data.budget
          ? { budget: new SharedBudget({ redis: this.#redis, prefix: settings.prefix, spec: data.budget }) }
          : {}),
      });
    } finally {
      returnLent?.();
    }
    const run: Running = { handle, handBack: false };
    this.#running.set(data.taskId, run);
    try {
      const { workers, cancelled } = await before;
      if (cancelled !== undefined) handle.cancel(cancelled);
      const result = await handle.result;
      const workspaceOutcome = data.workspace ? await workspace.finish() : undefined;
      if (run.handBack && token) {
        await job.moveToWait(token);
        throw new WaitingError();
      }
      // Runs that started work (a job a closing worker took and gave back at once is not one).
      result.queue = { attempts: Math.max(workers.length, 1), workerId: this.id, workers };
      if (workspaceOutcome) result.workspace = workspaceOutcome;
      const transcript = transcripts.kept(data.taskId);
      const outcome = this.#redacted<JobOutcome>({ result, ...(transcript ? { transcript } : {}) });
      // The patch is the task's work, applied byte for byte by its client: it is carried as it is.
      if (result.workspace && outcome.result.workspace) outcome.result.workspace = result.workspace;
      relay.flush();
      const finished = await finishRun(this.#redis, {
        prefix: settings.prefix,
        taskId: data.taskId,
        // BullMQ's key layout for a job's lock (its extendLock script's KEYS[1]).
        lockKey: `${job.queueQualifiedName}:${job.id}:lock`,
        token,
        outcome,
        channel,
        attempt,
      });
      if (!finished) throw new Error('the queue gave this task to another run');
      return outcome;
    } finally {
      relay.flush();
      this.#running.delete(data.taskId);
      this.#rootOf.delete(data.taskId);
    }
  }

  #redacted<T>(value: T): T {
    return this.#o.redactor ? this.#o.redactor.value(value) : value;
  }

  /**
   * Adds this worker to the task's list of runs, and reads the list so far (every run's worker, in
   * order) and the reason of a cancel said before this run (cancel-channel.ts), in one round trip.
   */
  async #recordRun(taskId: string): Promise<RunList> {
    const { prefix } = this.#o.settings;
    const key = runsKey(prefix, taskId);
    const reply = await this.#redis
      .multi()
      .rpush(key, this.id)
      .expire(key, OUTCOME_TTL_S)
      .lrange(key, 0, -1)
      .get(cancelMarker(prefix, taskId))
      .exec()
      .catch(() => null);
    const list = reply?.[2]?.[1];
    const reason = reply?.[3]?.[1];
    return {
      workers: Array.isArray(list) ? (list as string[]) : [this.id],
      cancelled: typeof reason === 'string' ? reason : undefined,
    };
  }

  /** One listener per event name on the engine; each event goes to the client of its root task. */
  #relayEvents(): () => void {
    const { engine } = this.#o;
    const listeners = RELAYED_EVENTS.map((name) => {
      const listener = (event: TaskEventBase) => {
        let owner = this.#rootOf.get(event.taskId);
        if (!owner && name === 'task.queued' && event.parentTaskId) {
          owner = this.#rootOf.get(event.parentTaskId);
          if (owner) this.#rootOf.set(event.taskId, owner);
        }
        if (!owner) return;
        // The root's first and last events are its client's own (engine/remote-task.ts).
        const root = event.taskId === owner.root;
        if (!(root && (name === 'task.queued' || name === 'task.finished'))) owner.relay.event(name, event);
        if (!root && name === 'task.finished') this.#rootOf.delete(event.taskId);
      };
      (engine.events.on as (n: string, l: (e: TaskEventBase) => void) => void)(name, listener);
      return () => (engine.events.off as (n: string, l: (e: TaskEventBase) => void) => void)(name, listener);
    });
    return () => {
      for (const off of listeners) off();
    };
  }
}
