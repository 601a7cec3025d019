import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchemas } from '../src/config/index.ts';
import { splitTrustedKeys, userOnlyKeyIn } from '../src/config/project-keys.ts';
import { runCli } from './cli-support.ts';
import { makeWorkspace } from './support.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A project (a repository root) and a separate, empty home. */
async function setup() {
  const project = await makeWorkspace();
  const home = await realpath(await mkdtemp(join(tmpdir(), 'codex-task-home-')));
  dirs.push(project, home);
  const cli = (...args: string[]) => runCli(args, { cwd: project, env: { HOME: home } });
  return { project, home, cli };
}

const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;

describe('codex-task config init', () => {
  it('writes a project starter that loads as it is, with only keys a project may set', async () => {
    const { project, cli } = await setup();
    const init = await cli('config', 'init');
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('Wrote .codex-task/config.json (project config)');
    expect(init.stdout).toMatch(/taskTimeout\s+"10m"\n\s+wall-clock bound of one Task/);

    const file = join(project, '.codex-task', 'config.json');
    const written = await readJson(file);
    expect(written.$schema).toBe('./config.schema.json');
    const values = configSchemas().configFile.parse(written);
    expect(userOnlyKeyIn(values)).toBeUndefined();
    expect(splitTrustedKeys(values).gated).toBeUndefined();
    expect(values.sandbox).toBeUndefined();

    const config = await cli('config', '--json');
    expect(config.stderr).toBe('');
    expect(config.code).toBe(0);
    const shown = JSON.parse(config.stdout);
    expect(shown.files).toEqual([file]);
    expect(shown.settings.taskTimeout).toEqual({ value: 600_000, source: `file ${file}` });
    expect(shown.trust.skipped).toEqual([]);
  });

  it('writes a JSON Schema beside it that describes every key, and refuses unknown ones', async () => {
    const { project, cli } = await setup();
    expect((await cli('config', 'init')).code).toBe(0);
    const schema = await readJson(join(project, '.codex-task', 'config.schema.json'));
    expect(schema.$comment).toContain('codex-task config init');
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties as object)).toEqual(Object.keys(configSchemas().configFile.shape));
  });

  it('never replaces an existing file unless --force, and names it', async () => {
    const { project, cli } = await setup();
    const file = join(project, '.codex-task', 'config.json');
    expect((await cli('config', 'init')).code).toBe(0);
    await writeFile(file, '{ "maxTurns": 7 }\n');

    const again = await cli('config', 'init');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('error: .codex-task/config.json already exists');
    expect(again.stderr).toContain('--force');
    expect(await readFile(file, 'utf8')).toBe('{ "maxTurns": 7 }\n');

    const forced = await cli('config', 'init', '--force');
    expect(forced.code).toBe(0);
    expect((await readJson(file)).maxTurns).toBe(50);
  });

  it('leaves a config.schema.json it did not write alone', async () => {
    const { project, cli } = await setup();
    await mkdir(join(project, '.codex-task'));
    await writeFile(join(project, '.codex-task', 'config.schema.json'), '{"mine":true}\n');
    const init = await cli('config', 'init');
    expect(init.code).toBe(2);
    expect(init.stderr).toContain('config.schema.json already exists');
    expect(await readFile(join(project, '.codex-task', 'config.schema.json'), 'utf8')).toBe(
      '{"mine":true}\n',
    );
  });

  it('-C writes into that project instead of the current directory', async () => {
    const { project, home } = await setup();
    const init = await runCli(['config', 'init', '-C', project], { cwd: home, env: { HOME: home } });
    expect(init.code, init.stderr).toBe(0);
    expect((await readJson(join(project, '.codex-task', 'config.json'))).maxTurns).toBe(50);
  });

  it('--user writes ~/.codex-task/config.json, which loads as it is', async () => {
    const { home, cli } = await setup();
    const init = await cli('config', 'init', '--user');
    expect(init.code).toBe(0);
    const file = join(home, '.codex-task', 'config.json');
    expect((await readJson(file)).sandbox).toEqual({ mode: 'auto' });
    const config = await cli('config', '--json');
    expect(config.code).toBe(0);
    const shown = JSON.parse(config.stdout);
    expect(shown.files).toEqual([file]);
    expect(shown.settings.concurrency).toEqual({ value: 10, source: `file ${file}` });
    expect((await cli('config', 'init', '--user')).stderr).toContain(`${file} already exists`);
  });
});
