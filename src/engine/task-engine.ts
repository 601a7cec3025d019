import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Tool } from 'ai';
import {
  type AgentDefinition,
  AgentRegistry,
  DEFAULT_AGENT_TYPE,
  effectiveTools,
  subagentTypeRules,
} from '../agents/index.ts';
import { DEFAULTS, OBSERVABILITY_DEFAULTS } from '../config/defaults.ts';
import { CodexTaskError, SpawnDepthError, TaskCancelledError, TaskTimeoutError } from '../errors/index.ts';
import {
  ModelGateway,
  type ProviderConfig,
  type ProviderHealth,
  parseFailoverChains,
  providersFromEnv,
  type ResolvedModel,
  resolveModel,
  toProviderError,
} from '../models/index.ts';
import { DEFAULT_SANDBOX_SETTINGS, type SandboxSettings } from '../sandbox/index.ts';
import { BUILTIN_TOOLS, DEFAULT_TOOL_LIMITS, type ToolContext, type ToolLimits } from '../tools/index.ts';
import { type PermissionPolicy, PermissionPolicyCache } from '../tools/policy/index.ts';
import { trustChecker } from '../trust/index.ts';
import { Admission } from './admission.ts';
import { type Budgets, checkNewTask, resolveBudgets } from './budgets.ts';
import { allowsFailover, FAILOVER_ENV, type TaskEngineOptions } from './engine-options.ts';
import { taskModelObserver } from './model-call-events.ts';
import { createNestedTaskTool } from './nested-task-tool.ts';
import { originalsSaver } from './output-guard.ts';
import { SlotLease } from './slot-lease.ts';
import { applyPermissions } from './subagent-permissions.ts';
import { buildSystemPrompt, ProjectInstructionsReader } from './subagent-prompt.ts';
import { RunState, runSubagentLoop } from './subagent-run.ts';
import { buildToolSet, providedTool, type ToolCallHooks } from './subagent-tools.ts';
import { parseTaskInput } from './task-input.ts';
import { buildTaskResult, type TaskResultOptions } from './task-result.ts';
import { createToolModelHooks, type WebToolSettings } from './tool-model-hooks.ts';
import type {
  InheritedLimits,
  ProvidedToolSpec,
  TaskEventBase,
  TaskEvents,
  TaskInput,
  TaskOptions,
  TaskResult,
  TaskStatus,
} from './types.ts';
import { UsageLedger, type UsageTotals } from './usage-totals.ts';

interface ExecuteParams {
  input: TaskInput;
  agent: AgentDefinition;
  resolved: ResolvedModel;
  cwd: string;
  spawnDepth: number;
  taskId: string;
  state: RunState;
  signal: AbortSignal;
  lease: SlotLease;
  base: TaskEventBase;
  inherited: InheritedLimits | undefined;
}

const TOOLS_BY_NAME = new Map(BUILTIN_TOOLS.map((t) => [t.name, t]));
/** Every tool name an agent can be granted: the built-ins plus Task (and its alias Agent). */
const GRANTABLE_TOOLS = [...TOOLS_BY_NAME.keys(), 'Task'];

/**
 * The one admission point for subagents: queue, concurrency limit, timeouts, cancellation, events.
 * `run` never throws: every outcome, including bad input, is a TaskResult with a typed error.
 */
export class TaskEngine {
  readonly events = new EventEmitter<TaskEvents>();
  readonly #options: TaskEngineOptions;
  readonly #admission: Admission;
  readonly #providers: ProviderConfig[];
  readonly #gateway: ModelGateway;
  readonly #ledger = new UsageLedger();
  readonly #budgets: Budgets;
  readonly #registries = new Map<string, AgentRegistry>();
  readonly #workspaceRoots = new Map<string, string>();
  readonly #policies: PermissionPolicyCache;
  /** Permission warnings already said (each once per engine, not once per task). */
  readonly #warned = new Set<string>();
  readonly #shutdown = new AbortController();
  readonly #limits: ToolLimits;
  readonly #resultOptions: TaskResultOptions;
  readonly #webTools: WebToolSettings;
  readonly #sandbox: SandboxSettings;
  readonly #instructions = new ProjectInstructionsReader({
    ttlMs: 1000,
    maxChars: DEFAULTS.projectInstructionsMaxChars,
  });

  constructor(options: TaskEngineOptions = {}) {
    this.#options = options;
    this.#admission = new Admission(options.concurrency ?? DEFAULTS.concurrency);
    this.#providers = options.providers ?? providersFromEnv(options.env);
    const failoverEnv = (options.env ?? process.env)[FAILOVER_ENV];
    this.#gateway = new ModelGateway({
      providers: this.#providers,
      ...(options.fetch && { fetch: options.fetch }),
      ...(options.resilience && { resilience: options.resilience }),
      ...(options.prices && { prices: options.prices }),
      ...(options.rateLimits && { rateLimits: options.rateLimits }),
      failover: options.failover ?? (failoverEnv ? parseFailoverChains(failoverEnv) : {}),
    });
    this.#budgets = resolveBudgets(options);
    this.#limits = { ...DEFAULT_TOOL_LIMITS, ...options.toolLimits };
    this.#resultOptions = {
      outputMaxChars: options.outputMaxChars ?? DEFAULTS.outputMaxChars,
      saveOriginal: originalsSaver(
        options.outputsDir ?? join(options.homeDir ?? homedir(), '.codex-task', 'outputs'),
        OBSERVABILITY_DEFAULTS.store.retentionDays * 86_400_000,
      ),
    };
    this.#webTools = { ...DEFAULTS.webTools, ...options.webTools };
    this.#sandbox = {
      ...DEFAULT_SANDBOX_SETTINGS,
      ...(options.homeDir ? { homeDir: options.homeDir } : {}),
      // Whatever a provider's key is called, sandboxed commands do not see it.
      hiddenEnv: this.#providers.flatMap((p) => (p.apiKeyEnv ? [p.apiKeyEnv] : [])),
      ...options.sandbox,
    };
    this.#policies = new PermissionPolicyCache({
      ...(options.homeDir ? { homeDir: options.homeDir } : {}),
      trust: trustChecker({ homeDir: options.homeDir ?? homedir(), env: options.env ?? process.env }),
      ...(options.permissions ? { config: options.permissions } : {}),
      ...(options.permissionRuleSources ? { ruleSources: options.permissionRuleSources } : {}),
    });
  }

  /** Tasks running / waiting for a slot right now. */
  get load(): { active: number; queued: number; limit: number } {
    return { active: this.#admission.active, queued: this.#admission.queued, limit: this.#admission.limit };
  }

  /** Every tool name an agent of this engine can be granted. */
  get grantableTools(): readonly string[] {
    return GRANTABLE_TOOLS;
  }

  get providers(): readonly ProviderConfig[] {
    return this.#providers;
  }

  /** Per provider endpoint: circuit state, recent error rate, p50/p95 latency, last error, rate limits. */
  providerHealth(): ProviderHealth[] {
    return this.#gateway.providerHealth();
  }

  /** Tasks, tokens and cost of this engine so far, in total, per agent type and per model. */
  usage(): UsageTotals {
    return this.#ledger.snapshot();
  }

  /** Counters of the resilience layer: retries, failovers, calls that waited on an open circuit. */
  get resilienceStats(): Readonly<{ retries: number; failovers: number; openCircuitWaits: number }> {
    return { ...this.#gateway.stats };
  }

  /** The agent registry for a working directory (project agents depend on where the task runs). */
  agents(cwd?: string): AgentRegistry {
    const dir = resolve(cwd ?? this.#options.cwd ?? process.cwd());
    let registry = this.#registries.get(dir);
    if (!registry) {
      registry = new AgentRegistry({
        cwd: dir,
        ...(this.#options.homeDir ? { homeDir: this.#options.homeDir } : {}),
        ...(this.#options.agents ? { agents: this.#options.agents } : {}),
        ...(this.#options.agentRescanIntervalMs !== undefined
          ? { rescanIntervalMs: this.#options.agentRescanIntervalMs }
          : {}),
      });
      this.#registries.set(dir, registry);
    }
    return registry;
  }

  /**
   * The permission policy for tasks in `cwd` (settings files + config rules), reloaded when a
   * settings file changes. Throws a PermissionConfigError naming the file and rule when a rule
   * cannot be used.
   */
  permissionPolicy(cwd?: string): PermissionPolicy {
    return this.#policies.get(cwd ?? this.#options.cwd ?? process.cwd());
  }

  /** Runs tasks concurrently (under the same limit) and returns their results in input order. */
  runAll(inputs: readonly unknown[], options: TaskOptions = {}): Promise<TaskResult[]> {
    return Promise.all(inputs.map((input) => this.run(input, options)));
  }

  /** Cancels every queued and running task of this engine. */
  close(): void {
    this.#shutdown.abort(new TaskCancelledError('The engine was closed'));
    void this.#options.toolProvider?.close().catch(() => {});
  }

  async run(rawInput: unknown, options: TaskOptions = {}): Promise<TaskResult> {
    const startedAt = performance.now();
    const taskId = newTaskId();
    const cwd = resolve(options.cwd ?? this.#options.cwd ?? process.cwd());
    const spawnDepth = options.spawnDepth ?? 1;
    const loose = (rawInput ?? {}) as Partial<TaskInput>;
    const base: TaskEventBase = {
      taskId,
      ...(options.parentTaskId ? { parentTaskId: options.parentTaskId } : {}),
      agentType: typeof loose.subagent_type === 'string' ? loose.subagent_type : 'general-purpose',
      spawnDepth,
      description: typeof loose.description === 'string' ? loose.description : '',
    };
    const state = new RunState();
    let resolved: ResolvedModel | undefined;
    let agent: AgentDefinition | undefined;
    let queuedMs = 0;
    const finish = (status: TaskStatus, content: string, error?: unknown): TaskResult => {
      const result = buildTaskResult(this.#resultOptions, {
        base,
        state,
        status,
        content,
        startedAt,
        queuedMs,
        resolved,
        agent,
        error,
      });
      this.events.emit('task.finished', { ...base, result });
      return result;
    };

    let input: TaskInput;
    try {
      input = parseTaskInput(rawInput);
      const maxDepth = this.#options.maxSpawnDepth ?? DEFAULTS.maxSpawnDepth;
      if (spawnDepth > maxDepth) throw new SpawnDepthError(maxDepth);
      agent = this.agents(cwd).get(input.subagent_type ?? DEFAULT_AGENT_TYPE);
      base.agentType = agent.name;
      resolved = resolveModel(
        {
          ...(this.#options.env ? { env: this.#options.env } : {}),
          ...(input.model ? { callModel: input.model } : {}),
          ...(agent.model ? { agentModel: agent.model } : {}),
          callerModel: options.callerModel ?? this.#options.callerModel ?? DEFAULTS.callerModel,
        },
        this.#providers,
      );
      this.permissionPolicy(cwd);
      checkNewTask(this.#budgets, this.#ledger);
      this.#ledger.taskStarted(agent.name);
    } catch (error) {
      return finish('failed', '', error);
    }

    const lease = new SlotLease(this.#admission);
    const userSignal = options.signal
      ? AbortSignal.any([options.signal, this.#shutdown.signal])
      : this.#shutdown.signal;
    this.events.emit('task.queued', { ...base, queueDepth: this.#admission.queued });
    try {
      await lease.acquire(userSignal);
    } catch (error) {
      return finish('cancelled', '', error);
    }
    // Start each admitted task in its own macrotask: its setup runs through to the model request
    // before the next task's setup begins, so a fan-out of 100 sends its first request after one
    // task's setup instead of after all of them, and the replies come back spread out, not in a clump.
    await new Promise<void>((resolve) => setImmediate(resolve));
    queuedMs = performance.now() - startedAt;

    const timeoutMs = agent.timeoutMs ?? this.#options.taskTimeoutMs ?? DEFAULTS.taskTimeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([userSignal, timeout]);
    this.events.emit('task.started', { ...base, resolvedModel: resolved.spec });
    try {
      const content = await this.#execute({
        input,
        agent,
        resolved,
        cwd,
        spawnDepth,
        taskId,
        state,
        signal,
        lease,
        base,
        inherited: options.inherited,
      });
      return finish('completed', content);
    } catch (error) {
      if (timeout.aborted) return finish('timed_out', '', new TaskTimeoutError(timeoutMs));
      if (userSignal.aborted) return finish('cancelled', '', cancellationOf(userSignal.reason));
      return finish('failed', '', toProviderError(error, resolved.provider, resolved.modelId));
    } finally {
      lease.release();
    }
  }

  async #execute(params: ExecuteParams): Promise<string> {
    const { agent, cwd, signal } = params;
    const provided = await this.#options.toolProvider?.toolsFor(agent, cwd, signal);
    try {
      return await this.#runSubagent(params, provided?.tools ?? {});
    } finally {
      await provided?.release();
    }
  }

  async #runSubagent(params: ExecuteParams, provided: Record<string, ProvidedToolSpec>): Promise<string> {
    const { input, agent, resolved, cwd, state, signal, inherited } = params;
    // What an ancestor was denied stays denied: delegating to another agent does not bring it back.
    const disallowedTools = [...(inherited?.disallowedTools ?? []), ...agent.disallowedTools];
    const granted = effectiveTools(inherited ? { ...agent, disallowedTools } : agent, [
      ...GRANTABLE_TOOLS,
      ...Object.keys(provided),
    ]);
    const maxDepth = this.#options.maxSpawnDepth ?? DEFAULTS.maxSpawnDepth;
    // `turn` is the turn in progress (1-based) when a tool starts, the one just finished at a turn's end.
    const progress = (turn: number) =>
      this.events.emit('task.progress', {
        ...params.base,
        turn,
        ...(state.lastTool ? { lastTool: state.lastTool } : {}),
        toolUses: state.toolUses,
        tokens: { input: state.usage.inputTokens, output: state.usage.outputTokens },
      });
    const workspaceRoot = this.#workspaceRoot(cwd);
    const applied = applyPermissions({
      policy: this.permissionPolicy(cwd),
      agent,
      workspaceRoot,
      warned: this.#warned,
      events: this.events,
      base: params.base,
      floor: inherited?.mode,
    });
    const hooks: ToolCallHooks = {
      guard: (call) => applied.check(call.name, call.input),
      onStart: (call) => {
        state.toolStarted(call.name);
        const turn = state.turns + 1;
        this.events.emit('task.tool', { ...params.base, phase: 'started', turn, ...call });
        progress(turn);
      },
      onEnd: (call, outcome) => {
        if (outcome.refused) state.toolDenied(call.name);
        else state.toolEnded(call.name, outcome.durationMs, outcome.error !== undefined, outcome.denied);
        this.events.emit('task.tool', {
          ...params.base,
          phase: 'finished',
          turn: state.turns + 1,
          ...call,
          ...outcome,
        });
      },
    };
    const extra: Record<string, Tool> = {};
    if (granted.includes('Task') && params.spawnDepth < maxDepth) {
      extra.Task = createNestedTaskTool({
        agents: () => this.agents(cwd).list(),
        rules: subagentTypeRules(agent),
        hooks,
        run: async (child, childSignal) => {
          params.lease.childStarted();
          try {
            return await this.run(child, {
              signal: childSignal ?? signal,
              cwd,
              callerModel: resolved.spec,
              parentTaskId: params.taskId,
              spawnDepth: params.spawnDepth + 1,
              inherited: { mode: applied.mode, disallowedTools },
            });
          } finally {
            await params.lease.childEnded(signal);
          }
        },
      });
    }
    for (const name of granted) {
      const spec = provided[name];
      if (spec) extra[name] = providedTool(name, spec, hooks, signal);
    }
    const specs = granted.flatMap((name) => TOOLS_BY_NAME.get(name) ?? []);
    const observer = taskModelObserver({
      state,
      base: params.base,
      events: this.events,
      ledger: this.#ledger,
      budgets: this.#budgets,
    });
    const ctx: ToolContext = {
      workspaceRoot,
      signal,
      state: new Map<string, unknown>(),
      limits: this.#limits,
      permissions: applied.permissions,
      policyCheck: (name, input) => applied.check(name, input),
      ...createToolModelHooks({
        gateway: this.#gateway,
        providers: this.#providers,
        resolved,
        failover: allowsFailover(agent),
        observer,
        settings: this.#webTools,
      }),
      sandbox: this.#sandbox,
    };
    const system = buildSystemPrompt({
      agent,
      cwd,
      model: resolved.spec,
      instructions: this.#instructions.read(cwd),
    });
    const route = this.#gateway.route(resolved, { failover: allowsFailover(agent) });
    return runSubagentLoop({
      model: this.#gateway.languageModel(route, observer),
      system,
      prompt: input.prompt,
      tools: buildToolSet(specs, ctx, hooks, extra),
      maxTurns: agent.maxTurns ?? this.#options.maxTurns ?? DEFAULTS.maxTurns,
      ...(agent.temperature !== undefined ? { temperature: agent.temperature } : {}),
      ...(agent.maxTokens !== undefined ? { maxOutputTokens: agent.maxTokens } : {}),
      signal,
      state,
      onTurn: (turn) => {
        this.events.emit('task.turn', { ...params.base, turn: state.turns, ...turn });
        progress(state.turns);
      },
      onDenied: (call) =>
        this.events.emit('task.tool', {
          ...params.base,
          phase: 'finished',
          turn: state.turns,
          ...call,
          denied: true,
        }),
    });
  }

  #workspaceRoot(cwd: string): string {
    let root = this.#workspaceRoots.get(cwd);
    if (!root) {
      root = realpathSync(cwd);
      this.#workspaceRoots.set(cwd, root);
    }
    return root;
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
