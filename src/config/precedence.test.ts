import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.ts';
import { configSlots, optionSlots, resolvePrecedence, resolveSettings } from './precedence.ts';
import { ENGINE_SETTINGS } from './settings.ts';

const SLOTS = configSlots(ENGINE_SETTINGS);
const LEVELS = ['flag', 'env', 'project', 'user', 'default'] as const;

/** The five levels, highest first, each setting `key` to its own name (so the winner says which it was). */
function levelsSetting(set: (level: string) => object, from = 0) {
  return LEVELS.slice(from).map((source) => ({ source, values: set(source) }));
}

describe('resolvePrecedence', () => {
  it.each([
    ['concurrency', (v: string) => ({ concurrency: v })],
    ['sandbox.mode', (v: string) => ({ sandbox: { mode: v } })],
    ['resilience.retry.maxAttempts', (v: string) => ({ resilience: { retry: { maxAttempts: v } } })],
    ['webFetch.maxBytes', (v: string) => ({ webFetch: { maxBytes: v } })],
  ])('%s: each level beats the next (flag > env > project > user > default)', (key, at) => {
    for (let from = 0; from < LEVELS.length; from++) {
      const { values, sources } = resolvePrecedence(SLOTS, levelsSetting(at, from));
      expect(values).toEqual(at(LEVELS[from]!));
      expect(sources[key]).toBe(LEVELS[from]);
    }
  });

  it('resolves each nested setting on its own: a higher level setting one keeps the lower levels’ others', () => {
    const { values, sources } = resolvePrecedence(SLOTS, [
      { source: 'env', values: { resilience: { retry: { maxAttempts: 3 } } } },
      {
        source: 'project',
        values: { resilience: { retry: { initialDelayMs: 100 }, timeouts: { idleMs: 5 } } },
      },
      { source: 'user', values: { resilience: { retry: { maxAttempts: 5, maxDelayMs: 900 } } } },
    ]);
    expect(values).toEqual({
      resilience: {
        retry: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 900 },
        timeouts: { idleMs: 5 },
      },
    });
    expect(sources).toEqual({
      'resilience.retry.maxAttempts': 'env',
      'resilience.retry.initialDelayMs': 'project',
      'resilience.retry.maxDelayMs': 'user',
      'resilience.timeouts.idleMs': 'project',
    });
  });

  it('resolves a record entry by entry, and a whole entry wins (never mixed with a lower level’s)', () => {
    const { values, sources } = resolvePrecedence(SLOTS, [
      { source: 'project', values: { prices: { 'gpt-5': { input: 1, output: 2 } } } },
      {
        source: 'user',
        values: { prices: { 'gpt-5': { input: 9, output: 9, cacheRead: 9 }, mine: { input: 3, output: 4 } } },
      },
    ]);
    expect(values).toEqual({ prices: { 'gpt-5': { input: 1, output: 2 }, mine: { input: 3, output: 4 } } });
    expect(sources).toEqual({ 'prices.gpt-5': 'project', 'prices.mine': 'user' });
  });

  it('adds up permission rules, lowest level first; other permission keys override', () => {
    const { values } = resolvePrecedence(SLOTS, [
      { source: 'flag', values: { permissions: { deny: ['Bash(rm:*)'], bashNetwork: true } } },
      { source: 'project', values: { permissions: { deny: ['Read(secrets/**)'] } } },
      {
        source: 'user',
        values: { permissions: { deny: ['WebFetch'], allow: ['Bash(npm test:*)'], bashNetwork: false } },
      },
    ]);
    expect(values).toEqual({
      permissions: {
        allow: ['Bash(npm test:*)'],
        deny: ['WebFetch', 'Read(secrets/**)', 'Bash(rm:*)'],
        bashNetwork: true,
      },
    });
  });

  it('leaves out what no level sets, and what no setting declares', () => {
    expect(resolvePrecedence(SLOTS, [{ source: 'user', values: { $schema: './x.json', other: 1 } }])).toEqual(
      {
        values: {},
        sources: {},
      },
    );
  });
});

describe('resolveSettings', () => {
  it('fills every default under the levels given, laid out as the engine takes them', () => {
    const settings = resolveSettings(ENGINE_SETTINGS, [
      {
        source: 'option',
        values: { toolLimits: { webFetchMaxBytes: 1 }, resilience: { retry: { maxAttempts: 2 } } },
      },
    ]);
    expect(settings.toolLimits.webFetchMaxBytes).toBe(1);
    expect(settings.toolLimits.webFetchTimeoutMs).toBe(ENGINE_SETTINGS.toolLimits.webFetchTimeoutMs.default);
    expect(settings.resilience.retry.maxAttempts).toBe(2);
    expect(settings.resilience.retry.maxDelayMs).toBe(ENGINE_SETTINGS.resilience.retry.maxDelayMs.default);
    expect(settings.concurrency).toBe(ENGINE_SETTINGS.concurrency.default);
  });

  it('uses the option slots, not the config keys', () => {
    expect(optionSlots(ENGINE_SETTINGS).map((s) => s.path.join('.'))).toContain(
      'toolLimits.webFetchMaxBytes',
    );
    expect(SLOTS.map((s) => s.path.join('.'))).toContain('webFetch.maxBytes');
  });
});

describe('loadConfig: flag > env > project config > user config > default', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function workspace(files: { user?: object; project?: object }) {
    const root = mkdtempSync(join(tmpdir(), 'codex-task-precedence-'));
    dirs.push(root);
    const home = join(root, 'home');
    const ws = join(root, 'ws');
    mkdirSync(join(home, '.codex-task'), { recursive: true });
    mkdirSync(join(ws, '.git'), { recursive: true });
    mkdirSync(join(ws, '.codex-task'), { recursive: true });
    if (files.user) writeFileSync(join(home, '.codex-task', 'config.json'), JSON.stringify(files.user));
    if (files.project) writeFileSync(join(ws, '.codex-task', 'config.json'), JSON.stringify(files.project));
    return { cwd: ws, homeDir: home };
  }

  it.each([
    {
      name: 'maxTurns',
      file: (n: number) => ({ maxTurns: n }),
      env: 'CODEX_TASK_MAX_TURNS',
      read: (v: { maxTurns?: number }) => v.maxTurns,
    },
    {
      name: 'resilience.retry.maxAttempts',
      file: (n: number) => ({ resilience: { retry: { maxAttempts: n } } }),
      env: undefined,
      read: (v: { resilience?: { retry?: { maxAttempts?: number } } }) => v.resilience?.retry?.maxAttempts,
    },
  ])('$name: each level beats the next', ({ name, file, env, read }) => {
    const both = workspace({ user: file(1), project: file(2) });
    const withEnv = env ? { [env]: '3' } : {};
    const flag = loadConfig({ ...both, env: withEnv, flags: file(4) });
    expect([read(flag.values), flag.sources[name]]).toEqual([4, 'flag']);
    if (env) {
      const fromEnv = loadConfig({ ...both, env: withEnv });
      expect([read(fromEnv.values), fromEnv.sources[name]]).toEqual([3, `env ${env}`]);
    }
    const project = loadConfig({ ...both, env: {} });
    expect([read(project.values), project.sources[name]]).toEqual([
      2,
      `file ${join(both.cwd, '.codex-task', 'config.json')}`,
    ]);
    const user = loadConfig({ ...workspace({ user: file(1) }), env: {} });
    expect(read(user.values)).toBe(1);
    const none = loadConfig({ ...workspace({}), env: {} });
    expect([read(none.values), none.sources[name]]).toEqual([undefined, undefined]);
  });

  it('a project setting one retry key keeps the user’s others', () => {
    const dirs = workspace({
      user: { resilience: { retry: { maxAttempts: 5, initialDelayMs: 100 } } },
      project: { resilience: { retry: { initialDelayMs: 50 } } },
    });
    expect(loadConfig({ ...dirs, env: {} }).values.resilience).toEqual({
      retry: { maxAttempts: 5, initialDelayMs: 50 },
    });
  });

  it('keeps where each rule was first written', () => {
    const dirs = workspace({
      user: { permissions: { deny: ['WebFetch'] } },
      project: { permissions: { deny: ['WebFetch', 'Bash(rm:*)'] } },
    });
    const loaded = loadConfig({ ...dirs, env: {} });
    expect(loaded.values.permissions?.deny).toEqual(['WebFetch', 'WebFetch', 'Bash(rm:*)']);
    expect(loaded.ruleSources).toEqual({
      'deny WebFetch': `file ${join(dirs.homeDir, '.codex-task', 'config.json')}`,
      'deny Bash(rm:*)': `file ${join(dirs.cwd, '.codex-task', 'config.json')}`,
    });
  });
});
