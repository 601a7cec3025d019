import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import type { AgentDefinition, AgentRegistry } from '../agents/index.ts';
import { CodexTaskError, TaskCancelledError, TaskNotFoundError, TaskTimeoutError } from '../errors/index.ts';
import { type ProviderConfig, type ProviderHealth, toProviderError } from '../models/index.ts';
import type { PermissionPolicy } from '../tools/policy/index.ts';
import { reserveTask, withinBudget } from './budgets.ts';
import type { TaskEngineOptions } from './engine-options.ts';
import { EngineServices } from './engine-services.ts';
import { NOT_KEPT_HINT, runRemotely } from './remote-task.ts';
import { SlotLease } from './slot-lease.ts';
import { executeSubagent } from './subagent-execution.ts';
import { GRANTABLE_TOOLS, planTask, type TaskPlan } from './subagent-plan.ts';
import { RunState } from './subagent-run.ts';
import { fanOutSink, type TaskEventSink } from './task-events.ts';
import { parseTaskInput } from './task-input.ts';
import { taskPriority } from './task-priority.ts';
import { buildTaskResult } from './task-result.ts';
import type {
  TaskEventBase,
  TaskEvents,
  TaskHandle,
  TaskInput,
  TaskOptions,
  TaskResult,
  TaskStatus,
  TaskWorktree,
  Transcript,
  TranscriptStore,
} from './types.ts';
import type { UsageTotals } from './usage-totals.ts';
import { checkoutsOf, type Isolation, isolateTask } from './worktree-isolation.ts';

/**
 * The one admission point for subagents: queue, concurrency limit, timeouts, cancellation, events.
 * `start` gives a task its identity at once (a TaskHandle); `run` is `start().result` and never
 * throws: every outcome, including bad input, is a TaskResult with a typed error.
 */
export class TaskEngine {
  readonly events = new EventEmitter<TaskEvents>();
  readonly #services: EngineServices;

  constructor(options: TaskEngineOptions = {}) {
    this.#services = new EngineServices(options);
  }

  /** Tasks running / waiting for a slot right now. */
  get load(): { active: number; queued: number; limit: number } {
    const { admission } = this.#services;
    return { active: admission.active, queued: admission.queued, limit: admission.limit };
  }

  /** Every tool name an agent of this engine can be granted. */
  get grantableTools(): readonly string[] {
    return GRANTABLE_TOOLS;
  }

  get providers(): readonly ProviderConfig[] {
    return this.#services.providers;
  }

  /** Per provider endpoint: circuit state, recent error rate, p50/p95 latency, last error, rate limits. */
  providerHealth(): ProviderHealth[] {
    return this.#services.gateway.providerHealth();
  }

  /** Tasks, tokens and cost of this engine so far, in total, per agent type and per model. */
  usage(): UsageTotals {
    return this.#services.ledger.snapshot();
  }

  /** Counters of the resilience layer: retries, failovers, calls that waited on an open circuit. */
  get resilienceStats(): Readonly<{ retries: number; failovers: number; openCircuitWaits: number }> {
    return { ...this.#services.gateway.stats };
  }

  /** The agent registry for a working directory (project agents depend on where the task runs). */
  agents(cwd?: string): AgentRegistry {
    return this.#services.agents(cwd);
  }

  /**
   * The permission policy for tasks in `cwd` (settings files + config rules), reloaded when a
   * settings file changes. Throws a PermissionConfigError naming the file and rule when a rule
   * cannot be used.
   */
  permissionPolicy(cwd?: string): PermissionPolicy {
    return this.#services.permissionPolicy(cwd);
  }

  /** Runs tasks concurrently (under the same limit) and returns their results in input order. */
  runAll(inputs: readonly unknown[], options: TaskOptions = {}): Promise<TaskResult[]> {
    return Promise.all(inputs.map((input) => this.run(input, options)));
  }

  /** Cancels every queued and running task of this engine. */
  /**
   * Cancels every queued and running task of this engine (background ones too); resolves when they
   * have ended and their results are out (at most a few seconds), so observers record them.
   */
  close(): Promise<void> {
    return this.#services.close();
  }

  run(rawInput: unknown, options: TaskOptions = {}): Promise<TaskResult> {
    return this.start(rawInput, options).result;
  }

  /**
   * Starts a task and returns its handle at once: the id is known, and `task.queued` (with the
   * input and the caller) has been emitted, before this returns.
   */
  start(rawInput: unknown, options: TaskOptions = {}): TaskHandle {
    const taskId = options.taskId ?? newTaskId();
    const own = new EventEmitter<TaskEvents>();
    const cancel = new AbortController();
    const settled = Promise.withResolvers<TaskResult>();
    const handle: TaskHandle = {
      id: taskId,
      caller: options.caller,
      parentTaskId: options.parentTaskId,
      result: settled.promise,
      cancel: (reason) =>
        cancel.abort(
          typeof reason === 'string'
            ? new TaskCancelledError(`The task was cancelled: ${reason}`)
            : cancellationOf(reason),
        ),
      events: own,
    };
    this.#lifecycle(handle, rawInput, options, fanOutSink(this.events, own), cancel.signal).then(
      settled.resolve,
      settled.reject,
    );
    return handle;
  }

  /**
   * Continues a task with a new message (Claude Code's SendMessage): a new task, linked to the first
   * (`continuesTaskId`), runs the same agent on the same model in the same directory with the whole
   * earlier conversation and `message` as the next user message. A task still running is waited for
   * first. Its conversation comes from the run store under a runtime, else from this engine's memory;
   * without either the result is a TaskNotFound error.
   */
  sendMessage(to: string, message: string, options: TaskOptions & { summary?: string } = {}): TaskHandle {
    const { summary, ...taskOptions } = options;
    const services = this.#services;
    const agentType = services.running.get(to)?.base.agentType ?? services.transcripts.load(to)?.agentType;
    return this.start(
      {
        description: summary?.trim() || `Follow-up to ${to}`,
        prompt: message,
        ...(agentType ? { subagent_type: agentType } : {}),
      },
      { ...taskOptions, continueFrom: to },
    );
  }

  /**
   * A background task's result: `undefined` while it runs (unless `wait`), then its result, once —
   * reading it frees its place under `background.maxUnread`. Unknown ids give `undefined` too (the
   * run store has every task's record).
   */
  async backgroundResult(id: string, options: { wait?: boolean } = {}): Promise<TaskResult | undefined> {
    const running = this.#services.background.running(id);
    if (running && !options.wait) return undefined;
    if (running) await running.result;
    return this.#services.background.read(id);
  }

  /**
   * Cancels a task queued or running in this engine, whoever started it (a surface that holds no
   * handle, e.g. the dashboard for a task an MCP client started); its subagents go with it. False
   * when no such task is live here.
   */
  cancel(id: string, reason?: string | Error): boolean {
    const live = this.#services.running.get(id);
    if (!live) return false;
    live.handle.cancel(reason);
    return true;
  }

  /** Where conversations are kept for follow-ups: the run store, when a runtime attaches one. */
  useTranscripts(store: TranscriptStore): void {
    this.#services.transcripts = store;
  }

  /**
   * Admits, runs and finishes one task. Emits `task.queued` synchronously (before its first await)
   * — except for a follow-up of a task still running, which is queued at once and planned when the
   * earlier one ends.
   */
  async #lifecycle(
    handle: TaskHandle,
    rawInput: unknown,
    options: TaskOptions,
    events: TaskEventSink,
    cancelSignal: AbortSignal,
  ): Promise<TaskResult> {
    const services = this.#services;
    const taskId = handle.id;
    const startedAt = performance.now();
    let cwd = options.cwd === undefined ? services.limits.cwd : resolve(options.cwd);
    const spawnDepth = options.spawnDepth ?? 1;
    const loose = (rawInput ?? {}) as Partial<TaskInput>;
    const background = loose.run_in_background === true;
    const base: TaskEventBase = {
      taskId,
      ...(options.parentTaskId ? { parentTaskId: options.parentTaskId } : {}),
      ...(options.parentCallId ? { parentCallId: options.parentCallId } : {}),
      agentType: typeof loose.subagent_type === 'string' ? loose.subagent_type : 'general-purpose',
      spawnDepth,
      description: typeof loose.description === 'string' ? loose.description : '',
    };
    const origin = {
      input: rawInput,
      ...(options.caller ? { caller: options.caller } : {}),
      ...(options.continueFrom ? { continuesTaskId: options.continueFrom } : {}),
    };
    const state = new RunState();
    let plan: TaskPlan | undefined;
    let agent: AgentDefinition | undefined;
    let history: Transcript['messages'] | undefined;
    let queuedMs = 0;
    let worktree: TaskWorktree | undefined;
    const budget = options.budget ? withinBudget(options.budget, services.budget) : services.budget;
    /** A shared budget's answer, awaited once `task.queued` is out. */
    let reservation: Promise<void> | undefined;
    services.running.set(taskId, { base, handle });
    const finish = (status: TaskStatus, content: string, error?: unknown): TaskResult => {
      const result = buildTaskResult(services.resultOptions, {
        base,
        state,
        status,
        content,
        startedAt,
        queuedMs,
        resolved: plan?.resolved,
        agent,
        error,
      });
      if (options.continueFrom) result.continuesTaskId = options.continueFrom;
      if (background) result.background = true;
      if (worktree) result.worktree = worktree;
      services.running.delete(taskId);
      if (plan && state.messages.length > 0) {
        services.transcripts.save({
          taskId,
          agentType: plan.agent.name,
          description: base.description,
          cwd,
          model: plan.resolved.spec,
          messages: state.messages,
        });
      }
      events.emit('task.finished', { ...base, ...origin, result });
      return result;
    };

    // With a queue (remote), a root task runs on a worker; nested ones run beside their parent there.
    const remote = services.options.remote;
    if (remote && !options.parentTaskId) {
      const signal = AbortSignal.any([
        cancelSignal,
        services.shutdown.signal,
        ...(options.signal && !background ? [options.signal] : []),
      ]);
      const cancelled = () => finish('cancelled', '', cancellationOf(signal.reason));
      const p = { services, remote, handle, rawInput, options, base, origin, cwd, background, events };
      return runRemotely({ ...p, engineEvents: this.events, signal, finish, cancelled });
    }

    let input: TaskInput | undefined;
    let priority = 0;
    const prepare = () => {
      let parsed = parseTaskInput(rawInput);
      priority = taskPriority(options.priority);
      if (options.continueFrom) {
        const earlier = services.transcripts.load(options.continueFrom);
        if (!earlier) {
          throw new TaskNotFoundError(options.continueFrom, NOT_KEPT_HINT);
        }
        cwd = earlier.cwd;
        history = earlier.messages;
        parsed = { ...parsed, model: parsed.model ?? earlier.model };
      }
      if (background) services.background.checkRoom();
      input = parsed;
      plan = planTask({
        input: parsed,
        registry: services.agents(cwd),
        providers: services.providers,
        env: services.options.env,
        limits: services.limits,
        callerModel: options.callerModel,
        spawnDepth,
        routing: services.options.modelRouting,
      });
      agent = plan.agent;
      base.agentType = agent.name;
      services.permissionPolicy(cwd);
      reservation = reserveTask(budget, services.ledger, agent.name);
      if (background) services.background.add(handle);
    };
    // A follow-up of a running task waits for it: its conversation is complete only then.
    const earlierRun = options.continueFrom ? services.running.get(options.continueFrom) : undefined;
    if (!earlierRun) {
      try {
        prepare();
      } catch (error) {
        return finish('failed', '', error);
      }
    }

    // A background task outlives the call that started it: only its handle and the engine stop it.
    const signals = [
      cancelSignal,
      services.shutdown.signal,
      ...(options.signal && !background ? [options.signal] : []),
    ];
    const userSignal = AbortSignal.any(signals);
    events.emit('task.queued', { ...base, ...origin, queueDepth: services.admission.queued });
    if (earlierRun) {
      await earlierRun.handle.result;
      if (userSignal.aborted) return finish('cancelled', '', cancellationOf(userSignal.reason));
      try {
        prepare();
      } catch (error) {
        return finish('failed', '', error);
      }
    }
    if (reservation) {
      try {
        await reservation;
      } catch (error) {
        return finish('failed', '', error);
      }
    }
    const ready = plan as unknown as TaskPlan;
    const lease = new SlotLease(services.admission, priority);
    try {
      await lease.acquire(userSignal);
    } catch (error) {
      return finish('cancelled', '', cancellationOf(userSignal.reason ?? error));
    }
    // Set up one admitted task at a time, each through to its first request (DispatchChain), so a
    // fan-out of 100 sends its first request after one task's set-up instead of after all of them,
    // and the replies come back spread out, not in a clump.
    const sent = await services.dispatch.enter();
    queuedMs = performance.now() - startedAt;

    const timeout = AbortSignal.timeout(ready.timeoutMs);
    const signal = AbortSignal.any([userSignal, timeout]);
    events.emit('task.started', { ...base, resolvedModel: ready.resolved.spec });
    let isolation: Isolation | undefined;
    let outcome: [TaskStatus, string, unknown?];
    try {
      isolation = await isolateTask({
        input: input as unknown as TaskInput,
        agent: ready.agent,
        cwd,
        taskId,
        description: base.description,
        continuing: options.continueFrom !== undefined,
        signal,
      });
      const content = await executeSubagent({
        services,
        input: input as unknown as TaskInput,
        plan: ready,
        cwd: isolation?.cwd ?? cwd,
        ...checkoutsOf(options.inherited, isolation),
        spawnDepth,
        taskId,
        state,
        signal,
        lease,
        base,
        events,
        inherited: options.inherited,
        budget,
        ...(history ? { history } : {}),
        sent,
        startChild: (child, childOptions) => this.start(child, childOptions),
        sendMessage: (to, message, childOptions) => this.sendMessage(to, message, childOptions),
      });
      outcome = ['completed', content];
    } catch (error) {
      if (timeout.aborted) outcome = ['timed_out', '', new TaskTimeoutError(ready.timeoutMs)];
      else if (userSignal.aborted) outcome = ['cancelled', '', cancellationOf(userSignal.reason)];
      else outcome = ['failed', '', toProviderError(error, ready.resolved.provider, ready.resolved.modelId)];
    } finally {
      sent();
      lease.release();
    }
    if (isolation) {
      worktree = await isolation.close();
      // A follow-up continues where the work is: the kept worktree, else the checkout.
      cwd = worktree.kept ? isolation.cwd : isolation.checkout;
    }
    return finish(...outcome);
  }
}

/** Short, unique, URL-safe ids (Claude Code's agentIds are short hex strings too). */
function newTaskId(): string {
  return randomUUID().replaceAll('-', '').slice(0, 16);
}

/** A caller's abort reason as a typed cancellation: a bare `abort()` gives a DOMException, never shown as such. */
function cancellationOf(reason: unknown): CodexTaskError {
  if (reason instanceof CodexTaskError) return reason;
  const why = reason instanceof Error && reason.name !== 'AbortError' ? reason.message : undefined;
  return new TaskCancelledError(why ? `The task was cancelled: ${why}` : undefined);
}
