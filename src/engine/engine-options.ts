import type { AgentDefinition, AgentInput } from '../agents/index.ts';
import {
  ENGINE_SETTINGS,
  type EngineSettingOptions,
  type EngineSettings,
  resolveSettings,
} from '../config/index.ts';
import { type ProviderConfig, parseFailoverChains, type RateLimiterFactory } from '../models/index.ts';
import type { SandboxSettings } from '../sandbox/index.ts';
import type { RemoteExecutor } from './remote-task.ts';
import type { SubagentToolProvider } from './types.ts';

/**
 * What an engine is built with. The settings (concurrency, taskTimeoutMs, maxTurns, maxSpawnDepth,
 * callerModel, outputMaxChars, maxTasks, maxCostUsd, toolLimits, webTools, sandbox.mode,
 * resilience, prices, failover, rateLimits, permissions) are declared, with their defaults and
 * meaning, in config/settings.ts; each is optional here, at every depth, and resolveEngineSettings
 * fills the rest. `failover` is read from CODEX_TASK_FAILOVER
 * (`sonnet=anthropic:claude-sonnet-5,openai:gpt-5.5;…`) when omitted; none = never substituted. The
 * permission policy is always in force: no `permissions` = settings files and the default secret
 * list only.
 */
export interface TaskEngineOptions extends EngineSettingOptions {
  /** Default working directory (workspace root and agent discovery start) of tasks. */
  cwd?: string;
  /** Home directory for user agents (`~/.claude/agents`); injectable for tests. */
  homeDir?: string;
  /** Agents defined in code: highest precedence, above every file. */
  agents?: AgentInput[];
  /** Model providers; from the vendors' environment variables when omitted. */
  providers?: ProviderConfig[];
  env?: Record<string, string | undefined>;
  /**
   * The OS sandbox Bash runs in: mode `auto` (default), `require` or `off`. Its home (shown
   * read-only, secrets hidden) is `homeDir` when set.
   */
  sandbox?: Partial<SandboxSettings>;
  /** How often agent directories are re-scanned for changes (hot reload), in ms. */
  agentRescanIntervalMs?: number;
  fetch?: typeof globalThis.fetch;
  /**
   * Makes each provider's rate limiter (`rateLimits`): this process's own token buckets by default;
   * a queue worker passes limits every worker shares (queue/shared-rate-limit.ts).
   */
  rateLimiter?: RateLimiterFactory;
  /**
   * Extra tools for subagents — MCP servers' tools (`mcp__<server>__<tool>`) from `McpClientPool`.
   * Granted by `tools`/`disallowedTools` exactly like built-ins; closed with the engine.
   */
  toolProvider?: SubagentToolProvider;
  /** Where each config rule was written (LoadedConfig.ruleSources), for decisions and the audit log. */
  permissionRuleSources?: Record<string, string>;
  /**
   * Runs root tasks elsewhere (a queue of `codex-task worker`s: the runtime passes one when
   * `queue.url` is set); nested tasks run beside their parent. None: every task runs here.
   */
  remote?: RemoteExecutor;
  /** Where the output guard saves originals it changed (default `<homeDir>/.codex-task/outputs`). */
  outputsDir?: string;
  /**
   * Directories hidden from every task (file tools and the Bash sandbox) except the part that is
   * the task's own workspace: a queue worker's git caches and worktrees (other clients' repositories).
   */
  privateRoots?: readonly string[];
}

/** Every setting the engine runs with, each default filled in; `sandbox` keeps the options' other fields. */
export interface ResolvedEngineSettings extends EngineSettings {
  sandbox: EngineSettings['sandbox'] & Omit<Partial<SandboxSettings>, 'mode'>;
}

/** Env var with failover chains: `sonnet=anthropic:claude-sonnet-5,openai:gpt-5.5;opus=…`. */
export const FAILOVER_ENV = 'CODEX_TASK_FAILOVER';

/**
 * The settings an engine runs with: the options (a surface's come from loadRuntimeSettings, flags,
 * env and config files already resolved) over the defaults, by the one precedence resolver.
 * Failover chains come from CODEX_TASK_FAILOVER only when the options have none. Throws a
 * ModelConfigError when that variable cannot be read.
 */
export function resolveEngineSettings(options: TaskEngineOptions = {}): ResolvedEngineSettings {
  const chains = options.failover === undefined ? (options.env ?? process.env)[FAILOVER_ENV] : undefined;
  const given = chains ? { ...options, failover: parseFailoverChains(chains) } : options;
  const settings = resolveSettings(ENGINE_SETTINGS, [{ source: 'option', values: given }]);
  return { ...settings, sandbox: { ...options.sandbox, ...settings.sandbox } };
}

/** `failover: false` in an agent file pins its model: never substituted, even where a chain is configured. */
export function allowsFailover(agent: AgentDefinition): boolean {
  return agent.failover !== false;
}
