import { homedir } from 'node:os';
import type { ProviderConfig } from '../providers/index.ts';
import type { ConfigFile, ConfigInput } from './config-schema.ts';
import { readCredentials } from './credentials.ts';
import { type LoadedConfig, loadConfig } from './load-config.ts';
import { effectiveProviders } from './providers.ts';

/** What a surface (CLI, MCP server, proxy) needs to build its engine, from the effective configuration. */
export interface RuntimeSettings {
  config: LoadedConfig;
  engine: {
    cwd: string;
    homeDir: string;
    env: Record<string, string | undefined>;
    providers: ProviderConfig[];
    concurrency?: number;
    taskTimeoutMs?: number;
    maxTurns?: number;
    maxSpawnDepth?: number;
    callerModel?: string;
    failover?: Record<string, string[]>;
    prices?: NonNullable<ConfigFile['prices']>;
    resilience?: NonNullable<ConfigFile['resilience']>;
    rateLimits?: Record<string, NonNullable<NonNullable<ConfigFile['providers']>[string]['rateLimit']>>;
    maxTasks?: number;
    maxCostUsd?: number;
    permissions?: NonNullable<ConfigFile['permissions']>;
    permissionRuleSources?: Record<string, string>;
    outputMaxChars?: number;
    webTools?: { applyPrompt?: boolean; fetchModel?: string; searchMaxUses?: number };
    toolLimits?: {
      webFetchMaxBytes?: number;
      webFetchTimeoutMs?: number;
      webFetchConnectTimeoutMs?: number;
      webFetchMaxRedirects?: number;
    };
    sandbox?: { mode: NonNullable<NonNullable<ConfigFile['sandbox']>['mode']> };
  };
}

export function loadRuntimeSettings(options: {
  cwd: string;
  homeDir?: string;
  env?: Record<string, string | undefined>;
  flags?: ConfigInput;
}): RuntimeSettings {
  const env = options.env ?? process.env;
  const homeDir = options.homeDir ?? homedir();
  const config = loadConfig({ ...options, env, homeDir });
  for (const { notice } of config.skipped) sayOnce(notice);
  const v = config.values;
  return {
    config,
    engine: {
      cwd: options.cwd,
      homeDir,
      env,
      providers: effectiveProviders({ env, config: v, credentials: readCredentials(homeDir) }),
      ...(v.concurrency !== undefined ? { concurrency: v.concurrency } : {}),
      ...(v.taskTimeout !== undefined ? { taskTimeoutMs: v.taskTimeout } : {}),
      ...(v.maxTurns !== undefined ? { maxTurns: v.maxTurns } : {}),
      ...(v.maxSpawnDepth !== undefined ? { maxSpawnDepth: v.maxSpawnDepth } : {}),
      ...(v.model !== undefined ? { callerModel: v.model } : {}),
      ...(v.failover ? { failover: v.failover } : {}),
      ...(v.prices ? { prices: v.prices } : {}),
      ...(v.resilience ? { resilience: v.resilience } : {}),
      ...(rateLimits(v) ? { rateLimits: rateLimits(v)! } : {}),
      ...(v.maxTasks !== undefined ? { maxTasks: v.maxTasks } : {}),
      ...(v.maxCostUsd !== undefined ? { maxCostUsd: v.maxCostUsd } : {}),
      ...(v.permissions ? { permissions: v.permissions, permissionRuleSources: config.ruleSources } : {}),
      ...(v.outputMaxChars !== undefined ? { outputMaxChars: v.outputMaxChars } : {}),
      ...webFetchSettings(v),
      ...(v.sandbox?.mode ? { sandbox: { mode: v.sandbox.mode } } : {}),
    },
  };
}

function rateLimits(v: ConfigFile): RuntimeSettings['engine']['rateLimits'] {
  const limits = Object.entries(v.providers ?? {}).flatMap(([id, p]) =>
    p.rateLimit ? [[id, p.rateLimit] as const] : [],
  );
  return limits.length ? Object.fromEntries(limits) : undefined;
}

/** `webFetch` and `webSearch` in config → the engine's web tool settings and WebFetch's limits. */
function webFetchSettings(v: ConfigFile): Pick<RuntimeSettings['engine'], 'webTools' | 'toolLimits'> {
  const w = v.webFetch ?? {};
  const webTools = {
    ...(w.applyPrompt !== undefined ? { applyPrompt: w.applyPrompt } : {}),
    ...(w.model !== undefined ? { fetchModel: w.model } : {}),
    ...(v.webSearch?.maxUses !== undefined ? { searchMaxUses: v.webSearch.maxUses } : {}),
  };
  const toolLimits = {
    ...(w.maxBytes !== undefined ? { webFetchMaxBytes: w.maxBytes } : {}),
    ...(w.timeout !== undefined ? { webFetchTimeoutMs: w.timeout } : {}),
    ...(w.connectTimeout !== undefined ? { webFetchConnectTimeoutMs: w.connectTimeout } : {}),
    ...(w.maxRedirects !== undefined ? { webFetchMaxRedirects: w.maxRedirects } : {}),
  };
  return {
    ...(Object.keys(webTools).length ? { webTools } : {}),
    ...(Object.keys(toolLimits).length ? { toolLimits } : {}),
  };
}

const said = new Set<string>();

/** A skipped trusted-only key is said once per process, on stderr (stdout carries results). */
function sayOnce(line: string): void {
  if (said.has(line)) return;
  said.add(line);
  process.stderr.write(`${line}\n`);
}
