import { describe, expect, it } from 'vitest';
import { defaultsOf, ENGINE_SETTINGS } from '../config/index.ts';
import { ModelConfigError } from '../errors/index.ts';
import { resolveEngineSettings } from './engine-options.ts';

describe('resolveEngineSettings', () => {
  it('fills every setting with its default when no option is given', () => {
    const settings = resolveEngineSettings({ env: {} });
    const { defaultMode: _, ...permissions } = defaultsOf(ENGINE_SETTINGS).permissions;
    expect(settings).toEqual({ ...defaultsOf(ENGINE_SETTINGS), permissions });
    expect(settings.concurrency).toBe(10);
    expect(settings.toolLimits.webFetchMaxRedirects).toBe(10);
    expect(settings.resilience.retry.maxAttempts).toBe(8);
  });

  it('takes each option over its default, nested ones key by key', () => {
    const settings = resolveEngineSettings({
      env: {},
      concurrency: 2,
      callerModel: 'opus',
      maxCostUsd: 1.5,
      webTools: { applyPrompt: false },
      toolLimits: { webFetchMaxBytes: 1024 },
      resilience: { retry: { maxAttempts: 1 }, timeouts: { idleMs: 5 } },
      prices: { 'local:x': { input: 1, output: 2 } },
      permissions: { deny: ['WebFetch'] },
    });
    expect(settings).toMatchObject({
      concurrency: 2,
      callerModel: 'opus',
      maxCostUsd: 1.5,
      maxTasks: Number.POSITIVE_INFINITY,
      webTools: { applyPrompt: false, fetchModel: 'haiku', searchMaxUses: 5 },
      permissions: { deny: ['WebFetch'], allow: [], claudeSettings: true },
    });
    expect(settings.toolLimits).toMatchObject({ webFetchMaxBytes: 1024, webFetchTimeoutMs: 30_000 });
    expect(settings.resilience.retry).toMatchObject({ maxAttempts: 1, initialDelayMs: 250 });
    expect(settings.resilience.timeouts).toMatchObject({ idleMs: 5, connectMs: 10_000 });
    // The shipped price table stays under a price given for another model.
    expect(settings.prices['local:x']).toEqual({ input: 1, output: 2 });
    expect(settings.prices['claude-sonnet-5']).toBeDefined();
  });

  it('keeps the sandbox options that are not settings', () => {
    expect(resolveEngineSettings({ env: {}, sandbox: { bwrapPath: '/x/bwrap' } }).sandbox).toEqual({
      mode: 'auto',
      bwrapPath: '/x/bwrap',
    });
    expect(resolveEngineSettings({ env: {}, sandbox: { mode: 'off' } }).sandbox).toEqual({ mode: 'off' });
  });

  it('reads failover chains from CODEX_TASK_FAILOVER only when the options have none', () => {
    const env = { CODEX_TASK_FAILOVER: 'sonnet=anthropic:claude-sonnet-5,openai:gpt-5.5' };
    expect(resolveEngineSettings({ env }).failover).toEqual({
      sonnet: ['anthropic:claude-sonnet-5', 'openai:gpt-5.5'],
    });
    expect(resolveEngineSettings({ env, failover: { opus: ['openai:gpt-5.5'] } }).failover).toEqual({
      opus: ['openai:gpt-5.5'],
    });
    expect(resolveEngineSettings({ env: {} }).failover).toEqual({});
    expect(() => resolveEngineSettings({ env: { CODEX_TASK_FAILOVER: 'sonnet' } })).toThrow(ModelConfigError);
  });
});
