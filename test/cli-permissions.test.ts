import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/index.ts';
import { runCli } from './cli-support.ts';
import { makeWorkspace, useHarness } from './support.ts';

const h = useHarness();

async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, JSON.stringify(value));
}

describe('permissions in the codex-task config', () => {
  it('rules add up across the user and project configs, each with its file', async () => {
    const home = await makeWorkspace();
    const ws = await makeWorkspace();
    await writeJson(join(home, '.codex-task', 'config.json'), {
      permissions: { deny: ['Bash(rm:*)'], allowBypassPermissions: true },
    });
    await writeJson(join(ws, '.codex-task', 'config.json'), { permissions: { deny: ['WebFetch'] } });
    const loaded = loadConfig({ cwd: ws, homeDir: home, env: {} });
    expect(loaded.values.permissions).toMatchObject({
      deny: ['Bash(rm:*)', 'WebFetch'],
      allowBypassPermissions: true,
    });
    expect(loaded.ruleSources['deny WebFetch']).toBe(`file ${join(ws, '.codex-task', 'config.json')}`);
  });

  it.each(['allowBypassPermissions', 'bashNetwork', 'secretPaths'])(
    'a project config may not set %s (a repository must not loosen the user’s protection)',
    async (key) => {
      const home = await makeWorkspace();
      const ws = await makeWorkspace();
      await writeJson(join(ws, '.codex-task', 'config.json'), {
        permissions: { [key]: key === 'secretPaths' ? [] : true },
      });
      let error: unknown;
      try {
        loadConfig({ cwd: ws, homeDir: home, env: {} });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain(`permissions.${key}`);
      expect((error as ConfigError).hint).toContain(join(home, '.codex-task', 'config.json'));
    },
  );

  it('an unknown permissions key or mode is a config error naming it', async () => {
    const ws = await makeWorkspace();
    await writeJson(join(ws, '.codex-task', 'config.json'), { permissions: { defaultMode: 'yolo' } });
    expect(() => loadConfig({ cwd: ws, homeDir: ws, env: {} })).toThrow(/permissions\.defaultMode/);
  });
});

describe('codex-task doctor reports the permission rules', () => {
  it('counts the rules and names their files; a bad rule fails with the fix', async () => {
    const ws = await h.setup({
      '.claude/settings.json': JSON.stringify({
        permissions: { allow: ['Bash(npm test:*)'], deny: ['Read(./secrets/**)'] },
      }),
    });
    const run = await runCli(['doctor', '--json'], {
      cwd: ws,
      env: { OPENAI_API_KEY: 'x', OPENAI_BASE_URL: h.model.baseUrls.openai },
    });
    const check = (JSON.parse(run.stdout) as { check: string; status: string; detail: string }[]).find(
      (c) => c.check === 'permissions',
    );
    expect(check).toMatchObject({ status: 'ok' });
    expect(check!.detail).toContain(`2 rule(s) from ${join(ws, '.claude', 'settings.json')} (2)`);

    await writeJson(join(ws, '.codex-task', 'config.json'), { permissions: { deny: ['Bash(rm'] } });
    const bad = await runCli(['doctor', '--json'], {
      cwd: ws,
      env: { OPENAI_API_KEY: 'x', OPENAI_BASE_URL: h.model.baseUrls.openai },
    });
    const failed = (
      JSON.parse(bad.stdout) as { check: string; status: string; detail: string; fix: string }[]
    ).find((c) => c.check === 'permissions');
    expect(failed).toMatchObject({ status: 'fail' });
    expect(failed!.detail).toContain('Bash(rm');
    expect(bad.code).toBe(1);
  });
});
