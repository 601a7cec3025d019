import { homedir } from 'node:os';
import type { ProviderConfig } from '../providers/index.ts';
import type { ConfigFile, ConfigInput } from './config-schema.ts';
import { readCredentials } from './credentials.ts';
import { type LoadedConfig, loadConfig } from './load-config.ts';
import { optionsFromConfig } from './precedence.ts';
import { effectiveProviders } from './providers.ts';
import { ENGINE_SETTINGS, type EngineSettingOptions } from './settings.ts';

/** What a surface (CLI, MCP server, proxy) needs to build its engine, from the effective configuration. */
export interface RuntimeSettings {
  config: LoadedConfig;
  /** The settings config sets (flags, env and files resolved), the rest left to the engine's defaults. */
  engine: EngineSettingOptions & {
    cwd: string;
    homeDir: string;
    env: Record<string, string | undefined>;
    providers: ProviderConfig[];
    permissionRuleSources?: Record<string, string>;
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
  const fromConfig = optionsFromConfig(ENGINE_SETTINGS, v);
  const limits = rateLimits(v);
  return {
    config,
    engine: {
      cwd: options.cwd,
      homeDir,
      env,
      providers: effectiveProviders({ env, config: v, credentials: readCredentials(homeDir) }),
      ...fromConfig,
      ...(limits ? { rateLimits: limits } : {}),
      ...(fromConfig.permissions ? { permissionRuleSources: config.ruleSources } : {}),
    },
  };
}

/** Config writes a provider's rate limit with the provider; the engine takes them by provider id. */
function rateLimits(v: ConfigFile): EngineSettingOptions['rateLimits'] {
  const limits = Object.entries(v.providers ?? {}).flatMap(([id, p]) =>
    p.rateLimit ? [[id, p.rateLimit] as const] : [],
  );
  return limits.length ? Object.fromEntries(limits) : undefined;
}

const said = new Set<string>();

/** A skipped trusted-only key is said once per process, on stderr (stdout carries results). */
function sayOnce(line: string): void {
  if (said.has(line)) return;
  said.add(line);
  process.stderr.write(`${line}\n`);
}
