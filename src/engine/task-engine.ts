import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import type { AgentDefinition, AgentRegistry } from '../agents/index.ts';
import { CodexTaskError, TaskCancelledError, TaskTimeoutError } from '../errors/index.ts';
import { type ProviderConfig, type ProviderHealth, toProviderError } from '../models/index.ts';
import type { PermissionPolicy } from '../tools/policy/index.ts';
import { checkNewTask } from './budgets.ts';
import type { TaskEngineOptions } from './engine-options.ts';
import { EngineServices } from './engine-services.ts';
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
} from './types.ts';
import type { UsageTotals } from './usage-totals.ts';

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
  close(): void {
    this.#services.close();
  }

  run(rawInput: unknown, options: TaskOptions = {}): Promise<TaskResult> {
    return this.start(rawInput, options).result;
  }

  /**
   * Starts a task and returns its handle at once: the id is known, and `task.queued` (with the
   * input and the caller) has been emitted, before this returns.
   */
  start(rawInput: unknown, options: TaskOptions = {}): TaskHandle {
    const taskId = newTaskId();
    const own = new EventEmitter<TaskEvents>();
    const cancel = new AbortController();
    const result = this.#lifecycle(taskId, rawInput, options, fanOutSink(this.events, own), cancel.signal);
    return {
      id: taskId,
      caller: options.caller,
      parentTaskId: options.parentTaskId,
      result,
      cancel: (reason) =>
        cancel.abort(
          typeof reason === 'string'
            ? new TaskCancelledError(`The task was cancelled: ${reason}`)
            : cancellationOf(reason),
        ),
      events: own,
    };
  }

  /** Emits `task.queued` synchronously (before its first await), then admits, runs and finishes the task. */
  async #lifecycle(
    taskId: string,
    rawInput: unknown,
    options: TaskOptions,
    events: TaskEventSink,
    cancelSignal: AbortSignal,
  ): Promise<TaskResult> {
    const services = this.#services;
    const startedAt = performance.now();
    const cwd = options.cwd === undefined ? services.limits.cwd : resolve(options.cwd);
    const spawnDepth = options.spawnDepth ?? 1;
    const loose = (rawInput ?? {}) as Partial<TaskInput>;
    const base: TaskEventBase = {
      taskId,
      ...(options.parentTaskId ? { parentTaskId: options.parentTaskId } : {}),
      ...(options.parentCallId ? { parentCallId: options.parentCallId } : {}),
      agentType: typeof loose.subagent_type === 'string' ? loose.subagent_type : 'general-purpose',
      spawnDepth,
      description: typeof loose.description === 'string' ? loose.description : '',
    };
    const origin = { input: rawInput, ...(options.caller ? { caller: options.caller } : {}) };
    const state = new RunState();
    let plan: TaskPlan | undefined;
    let agent: AgentDefinition | undefined;
    let queuedMs = 0;
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
      events.emit('task.finished', { ...base, ...origin, result });
      return result;
    };

    let input: TaskInput;
    let priority: number;
    try {
      input = parseTaskInput(rawInput);
      priority = taskPriority(options.priority);
      const registry = services.agents(cwd);
      plan = planTask({
        input,
        registry,
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
      checkNewTask(services.budgets, services.ledger);
      services.ledger.taskStarted(agent.name);
    } catch (error) {
      return finish('failed', '', error);
    }

    const lease = new SlotLease(services.admission, priority);
    const signals = [cancelSignal, services.shutdown.signal, ...(options.signal ? [options.signal] : [])];
    const userSignal = AbortSignal.any(signals);
    events.emit('task.queued', { ...base, ...origin, queueDepth: services.admission.queued });
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

    const timeout = AbortSignal.timeout(plan.timeoutMs);
    const signal = AbortSignal.any([userSignal, timeout]);
    events.emit('task.started', { ...base, resolvedModel: plan.resolved.spec });
    try {
      const content = await executeSubagent({
        services,
        input,
        plan,
        cwd,
        spawnDepth,
        taskId,
        state,
        signal,
        lease,
        base,
        events,
        inherited: options.inherited,
        sent,
        startChild: (child, childOptions) => this.run(child, childOptions),
      });
      return finish('completed', content);
    } catch (error) {
      if (timeout.aborted) return finish('timed_out', '', new TaskTimeoutError(plan.timeoutMs));
      if (userSignal.aborted) return finish('cancelled', '', cancellationOf(userSignal.reason));
      return finish('failed', '', toProviderError(error, plan.resolved.provider, plan.resolved.modelId));
    } finally {
      sent();
      lease.release();
    }
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
