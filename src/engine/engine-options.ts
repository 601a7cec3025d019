import type { AgentDefinition, AgentInput } from '../agents/index.ts';
import type { ModelPrice } from '../config/defaults.ts';
import type { PermissionsConfig } from '../config/index.ts';
import type { FailoverChains, ProviderConfig, RateLimit, ResilienceOptions } from '../models/index.ts';
import type { SandboxSettings } from '../sandbox/index.ts';
import type { ToolLimits } from '../tools/index.ts';
import type { WebToolSettings } from './tool-model-hooks.ts';
import type { SubagentToolProvider } from './types.ts';

export interface TaskEngineOptions {
  /** Default working directory (workspace root and agent discovery start) of tasks. */
  cwd?: string;
  /** Home directory for user agents (`~/.claude/agents`); injectable for tests. */
  homeDir?: string;
  /** Agents defined in code: highest precedence, above every file. */
  agents?: AgentInput[];
  /** Model providers; from the vendors' environment variables when omitted. */
  providers?: ProviderConfig[];
  env?: Record<string, string | undefined>;
  /** The model `inherit` means when the caller does not say (library/CLI have no parent model). */
  callerModel?: string;
  concurrency?: number;
  taskTimeoutMs?: number;
  maxTurns?: number;
  maxSpawnDepth?: number;
  toolLimits?: Partial<ToolLimits>;
  /** WebFetch/WebSearch model settings (whether WebFetch applies its prompt, with which model) over DEFAULTS.webTools. */
  webTools?: Partial<WebToolSettings>;
  /**
   * The OS sandbox Bash runs in: mode `auto` (default), `require` or `off`. Its home (shown
   * read-only, secrets hidden) is `homeDir` when set.
   */
  sandbox?: Partial<SandboxSettings>;
  /** How often agent directories are re-scanned for changes (hot reload), in ms. */
  agentRescanIntervalMs?: number;
  fetch?: typeof globalThis.fetch;
  /**
   * Model alias or id → ordered `provider:model` candidates to fail over to on availability errors
   * (`sonnet: ['anthropic:claude-sonnet-5', 'openai:gpt-5.5']`). From `CODEX_TASK_FAILOVER`
   * (`sonnet=anthropic:claude-sonnet-5,openai:gpt-5.5;…`) when omitted; none = never substituted.
   */
  failover?: FailoverChains;
  /** Prices (USD per million tokens) by `provider:model` or model id, over the shipped table. */
  prices?: Readonly<Record<string, ModelPrice>>;
  /** Retry, circuit breaker and timeout settings over DEFAULTS.resilience. */
  resilience?: ResilienceOptions;
  /** Requests/tokens per minute per provider id (calls over budget queue). */
  rateLimits?: Readonly<Record<string, RateLimit>>;
  /** Tasks this engine (session/run) may start, nested ones included; more are refused with BudgetExceeded. */
  maxTasks?: number;
  /** USD this engine may spend on priced models; then new tasks are refused and running ones stop at their next call. */
  maxCostUsd?: number;
  /**
   * Extra tools for subagents — MCP servers' tools (`mcp__<server>__<tool>`) from `McpClientPool`.
   * Granted by `tools`/`disallowedTools` exactly like built-ins; closed with the engine.
   */
  toolProvider?: SubagentToolProvider;
  /**
   * `permissions` of the config (rules over Claude Code's settings files, modes, secret list). The
   * policy is always in force: omitted = settings files and the default secret list only.
   */
  permissions?: PermissionsConfig;
  /** Where each config rule was written (LoadedConfig.ruleSources), for decisions and the audit log. */
  permissionRuleSources?: Record<string, string>;
  /** A subagent's output is cut to this many characters before its caller sees it (DEFAULTS.outputMaxChars). */
  outputMaxChars?: number;
  /** Where the output guard saves originals it changed (default `<homeDir>/.codex-task/outputs`). */
  outputsDir?: string;
}

/** Env var with failover chains: `sonnet=anthropic:claude-sonnet-5,openai:gpt-5.5;opus=…`. */
export const FAILOVER_ENV = 'CODEX_TASK_FAILOVER';

/** `failover: false` in an agent file pins its model: never substituted, even where a chain is configured. */
export function allowsFailover(agent: AgentDefinition): boolean {
  return agent.failover !== false;
}
