import { describe, expect, it } from 'vitest';
import { configSchemas } from './config-schema.ts';
import {
  DEFAULT_PRICES,
  DEFAULT_SECRET_EXCEPTIONS,
  DEFAULT_SECRET_PATHS,
  ENGINE_DEFAULTS,
  PROXY_DEFAULTS,
  RESILIENCE_DEFAULTS,
  SANDBOX_DEFAULTS,
  TOOL_DEFAULTS,
  WEB_TOOL_DEFAULTS,
} from './defaults/index.ts';
import { ENV_VARS } from './env-vars.ts';
import { defaultsOf, placedSettings } from './setting.ts';
import { CONFIG_SETTINGS, ENGINE_SETTINGS, PROXY_SETTINGS } from './settings.ts';

describe('the settings declaration', () => {
  it("derives the engine's defaults from the defaults modules", () => {
    expect(defaultsOf(ENGINE_SETTINGS)).toMatchObject({
      concurrency: ENGINE_DEFAULTS.concurrency,
      taskTimeoutMs: ENGINE_DEFAULTS.taskTimeoutMs,
      maxTurns: ENGINE_DEFAULTS.maxTurns,
      maxSpawnDepth: ENGINE_DEFAULTS.maxSpawnDepth,
      callerModel: ENGINE_DEFAULTS.callerModel,
      maxTasks: Number.POSITIVE_INFINITY,
      maxCostUsd: Number.POSITIVE_INFINITY,
      outputMaxChars: ENGINE_DEFAULTS.outputMaxChars,
      sandbox: { mode: SANDBOX_DEFAULTS.mode },
      webTools: WEB_TOOL_DEFAULTS,
      toolLimits: TOOL_DEFAULTS,
      resilience: RESILIENCE_DEFAULTS,
      prices: DEFAULT_PRICES,
      failover: {},
      rateLimits: {},
      modelRouting: { rules: [], default: 'sonnet', escalation: true, builtinRules: true },
      permissions: {
        allow: [],
        deny: [],
        ask: [],
        defaultMode: undefined,
        allowBypassPermissions: false,
        bashNetwork: false,
        secretPaths: DEFAULT_SECRET_PATHS,
        secretExceptions: DEFAULT_SECRET_EXCEPTIONS,
        claudeSettings: true,
      },
    });
    expect(defaultsOf(PROXY_SETTINGS)).toEqual({
      port: PROXY_DEFAULTS.port,
      host: PROXY_DEFAULTS.host,
      upstream: PROXY_DEFAULTS.upstream,
      injectTask: PROXY_DEFAULTS.injectTask,
      allowedUpstreams: undefined,
      bodyLimitBytes: PROXY_DEFAULTS.bodyLimitBytes,
      keepAliveMs: PROXY_DEFAULTS.keepAliveMs,
    });
  });

  it('accepts every finite default under its own schema (a default the config file could not hold is a bug)', () => {
    const z = configSchemas().configFile;
    for (const { key, setting } of placedSettings(CONFIG_SETTINGS)) {
      if (!key || setting.default === undefined || setting.default === Number.POSITIVE_INFINITY) continue;
      const raw = key.reduceRight<unknown>((inner, name) => ({ [name]: inner }), setting.default);
      expect(z.safeParse(raw).success, key.join('.')).toBe(true);
    }
  });

  it('lays the config file out by config key, strict at every depth', () => {
    const schema = configSchemas().configFile;
    expect(Object.keys(schema.shape)).toEqual(
      expect.arrayContaining([
        '$schema',
        'taskTimeout',
        'model',
        'webFetch',
        'webSearch',
        'resilience',
        'proxy',
      ]),
    );
    expect(schema.safeParse({ taskTimeout: '90s', webFetch: { timeout: '2s' } }).data).toEqual({
      taskTimeout: 90_000,
      webFetch: { timeout: 2_000 },
    });
    expect(schema.safeParse({ taskTimeoutMs: 1 }).success).toBe(false);
    expect(schema.safeParse({ resilience: { retry: { maxAttemps: 1 } } }).success).toBe(false);
    expect(schema.safeParse({ toolLimits: { bashMaxTimeoutMs: 1 } }).success).toBe(false);
  });

  it('derives each setting variable, with the config key it sets and how its text is read', () => {
    const byName = Object.fromEntries(ENV_VARS.map((v) => [v.name, v]));
    expect(byName.CODEX_TASK_TIMEOUT).toMatchObject({ configKey: 'taskTimeout', type: 'number' });
    expect(byName.CODEX_TASK_PROXY_INJECT_TASK).toMatchObject({
      configKey: 'proxy.injectTask',
      type: 'boolean',
    });
    expect(byName.CODEX_TASK_SANDBOX).toMatchObject({ configKey: 'sandbox.mode' });
    expect(byName.CODEX_TASK_SANDBOX?.type).toBeUndefined();
    expect(new Set(ENV_VARS.map((v) => v.name)).size).toBe(ENV_VARS.length);
  });
});
