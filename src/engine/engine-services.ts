import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { AgentRegistry } from '../agents/index.ts';
import { ENGINE_DEFAULTS, OBSERVABILITY_DEFAULTS } from '../config/defaults/index.ts';
import { TaskCancelledError } from '../errors/index.ts';
import { ModelGateway, type ProviderConfig, providersFromEnv } from '../models/index.ts';
import type { SandboxSettings } from '../sandbox/index.ts';
import type { ToolLimits } from '../tools/index.ts';
import { type PermissionPolicy, PermissionPolicyCache } from '../tools/policy/index.ts';
import { trustChecker } from '../trust/index.ts';
import { Admission } from './admission.ts';
import { BackgroundTasks } from './background-tasks.ts';
import { type BudgetLedger, type Budgets, LocalBudget, resolveBudgets } from './budgets.ts';
import { DispatchChain } from './dispatch-chain.ts';
import {
  type ResolvedEngineSettings,
  resolveEngineSettings,
  type TaskEngineOptions,
} from './engine-options.ts';
import { originalsSaver } from './output-guard.ts';
import { ProjectInstructionsReader } from './subagent-prompt.ts';
import type { TaskResultOptions } from './task-result.ts';
import type { WebToolSettings } from './tool-model-hooks.ts';
import { MemoryTranscripts } from './transcripts.ts';
import type { SubagentToolProvider, TaskEventBase, TaskHandle, TranscriptStore } from './types.ts';
import { UsageLedger } from './usage-totals.ts';

/** How long `close()` waits for cancelled tasks to end before it returns anyway. */
const CLOSE_WAIT_MS = 3_000;

/** The limits every task of an engine runs under, resolved once from the options and the defaults. */
export interface EngineLimits {
  cwd: string;
  callerModel: string;
  taskTimeoutMs: number;
  maxTurns: number;
  maxSpawnDepth: number;
}

/**
 * What an engine builds once and every task shares: providers and the model gateway (connections,
 * circuits, rate limits), the admission point, budgets and the usage ledger, agent registries and
 * permission policies per working directory, tool limits, the sandbox and the output guard's
 * settings. Tasks never build any of these themselves.
 */
export class EngineServices {
  readonly options: TaskEngineOptions;
  /** Every setting with its default filled: the one place precedence was resolved (config/settings.ts). */
  readonly settings: ResolvedEngineSettings;
  readonly limits: EngineLimits;
  readonly admission: Admission;
  /** Admitted tasks set up one per event-loop turn, each until its first request is sent. */
  readonly dispatch = new DispatchChain();
  readonly providers: ProviderConfig[];
  readonly gateway: ModelGateway;
  readonly ledger = new UsageLedger();
  readonly budgets: Budgets;
  /** Where tasks without a budget of their own (TaskOptions.budget) are counted. */
  readonly budget: BudgetLedger;
  readonly toolLimits: ToolLimits;
  readonly resultOptions: TaskResultOptions;
  readonly webTools: WebToolSettings;
  readonly sandbox: SandboxSettings;
  readonly toolProvider: SubagentToolProvider | undefined;
  readonly instructions = new ProjectInstructionsReader({
    ttlMs: 1000,
    maxChars: ENGINE_DEFAULTS.projectInstructionsMaxChars,
  });
  /** Permission warnings already said (each once per engine, not once per task). */
  readonly warned = new Set<string>();
  /** Aborted by `close()`: every queued and running task of the engine stops. */
  readonly shutdown = new AbortController();
  /** Tasks queued or running now, by id (a follow-up of one waits for it). */
  readonly running = new Map<string, { base: TaskEventBase; handle: TaskHandle }>();
  /** Where conversations are kept for follow-ups (the run store, when a runtime attaches one). */
  transcripts: TranscriptStore = new MemoryTranscripts();
  readonly background: BackgroundTasks;
  readonly #registries = new Map<string, AgentRegistry>();
  readonly #workspaceRoots = new Map<string, string>();
  readonly #policies: PermissionPolicyCache;

  constructor(options: TaskEngineOptions) {
    this.options = options;
    const settings = resolveEngineSettings(options);
    this.settings = settings;
    this.limits = {
      cwd: resolve(options.cwd ?? process.cwd()),
      callerModel: settings.callerModel,
      taskTimeoutMs: settings.taskTimeoutMs,
      maxTurns: settings.maxTurns,
      maxSpawnDepth: settings.maxSpawnDepth,
    };
    this.admission = new Admission(settings.concurrency);
    this.providers = options.providers ?? providersFromEnv(options.env);
    this.gateway = new ModelGateway({
      providers: this.providers,
      ...(options.fetch && { fetch: options.fetch }),
      ...(options.rateLimiter && { rateLimiter: options.rateLimiter }),
      resilience: settings.resilience,
      prices: settings.prices,
      rateLimits: settings.rateLimits,
      failover: settings.failover,
      maxConcurrency: settings.concurrency,
    });
    this.budgets = resolveBudgets(settings);
    this.budget = new LocalBudget(this.budgets, this.ledger);
    this.background = new BackgroundTasks({
      maxRunning: settings.maxBackgroundTasks,
      maxUnread: settings.maxBackgroundUnread,
    });
    this.toolLimits = settings.toolLimits;
    this.resultOptions = {
      outputMaxChars: settings.outputMaxChars,
      saveOriginal: originalsSaver(
        options.outputsDir ?? join(options.homeDir ?? homedir(), '.codex-task', 'outputs'),
        OBSERVABILITY_DEFAULTS.store.retentionDays * 86_400_000,
      ),
    };
    this.webTools = settings.webTools;
    this.sandbox = {
      ...(options.homeDir ? { homeDir: options.homeDir } : {}),
      // Whatever a provider's key is called, sandboxed commands do not see it.
      hiddenEnv: this.providers.flatMap((p) => (p.apiKeyEnv ? [p.apiKeyEnv] : [])),
      ...settings.sandbox,
      ...(options.privateRoots?.length ? { privateRoots: options.privateRoots } : {}),
    };
    this.toolProvider = options.toolProvider;
    this.#policies = new PermissionPolicyCache({
      ...(options.homeDir ? { homeDir: options.homeDir } : {}),
      trust: trustChecker({ homeDir: options.homeDir ?? homedir(), env: options.env ?? process.env }),
      config: settings.permissions,
      ...(options.permissionRuleSources ? { ruleSources: options.permissionRuleSources } : {}),
      ...(options.privateRoots?.length ? { privateRoots: options.privateRoots } : {}),
    });
  }

  /** The agent registry for a working directory (project agents depend on where the task runs). */
  agents(cwd?: string): AgentRegistry {
    const dir = cwd === undefined ? this.limits.cwd : resolve(cwd);
    let registry = this.#registries.get(dir);
    if (!registry) {
      const o = this.options;
      registry = new AgentRegistry({
        cwd: dir,
        ...(o.homeDir ? { homeDir: o.homeDir } : {}),
        ...(o.agents ? { agents: o.agents } : {}),
        ...(o.agentRescanIntervalMs !== undefined ? { rescanIntervalMs: o.agentRescanIntervalMs } : {}),
      });
      this.#registries.set(dir, registry);
    }
    return registry;
  }

  /** The permission policy for tasks in `cwd`; throws a PermissionConfigError naming the file and rule. */
  permissionPolicy(cwd?: string): PermissionPolicy {
    return this.#policies.get(cwd ?? this.limits.cwd);
  }

  /** The real path of a working directory, once per directory (the sandbox and path checks use it). */
  workspaceRoot(cwd: string): string {
    let root = this.#workspaceRoots.get(cwd);
    if (!root) {
      root = realpathSync(cwd);
      this.#workspaceRoots.set(cwd, root);
    }
    return root;
  }

  async close(): Promise<void> {
    this.shutdown.abort(new TaskCancelledError('The engine was closed'));
    void this.toolProvider?.close().catch(() => {});
    const ended = Promise.allSettled([...this.running.values()].map((r) => r.handle.result));
    // Cancelled tasks end within a turn of the event loop; a tool ignoring its signal must not hold a close.
    await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, CLOSE_WAIT_MS).unref())]);
  }
}
