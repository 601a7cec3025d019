import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { afterEach, describe, expect, it } from 'vitest';
import { startScriptedModel } from '../src/scripted-model/index.ts';
import { CODEX_BIN, runCli, spawnCollecting } from './cli-support.ts';
import { agentFile, makeWorkspace } from './support.ts';

const workspaces: string[] = [];
afterEach(async () => {
  for (const dir of workspaces.splice(0)) await rm(dir, { recursive: true, force: true });
});

const BODY = "You review code.\nQuote \"this\", 'that' and a \\ backslash; keep ``` fences and ''' too.";

async function setup() {
  const workspace = await makeWorkspace({
    '.claude/agents/code-reviewer.md': agentFile(
      { name: 'code-reviewer', description: 'Reviews code: bugs only', tools: 'Read, Grep, Glob' },
      BODY,
    ),
    '.claude/agents/nested/writer.md': agentFile(
      {
        name: 'writer',
        description: 'Writes docs',
        tools: 'Read, Write, Edit',
        model: 'openai:gpt-5.5',
        effort: 'high',
      },
      'Write docs.',
    ),
    '.claude/agents/planner.md': agentFile(
      { name: 'planner', description: 'Plans', model: 'opus', permissionMode: 'plan' },
      'Plan.',
    ),
    '.claude/agents/pinned.md': agentFile(
      {
        name: 'pinned',
        description: 'Pinned to Claude',
        model: 'claude-sonnet-4-5',
        disallowedTools: 'Bash',
      },
      'Pinned.',
    ),
  });
  workspaces.push(workspace);
  const codexHome = join(workspace, 'codex-home');
  const cli = (...args: string[]) =>
    runCli(['agents', 'export', 'codex', ...args], { cwd: workspace, env: { CODEX_HOME: codexHome } });
  const read = async (name: string) =>
    parse(await readFile(join(codexHome, 'agents', `${name}.toml`), 'utf8')) as Record<string, unknown>;
  return { workspace, codexHome, cli, read };
}

describe('codex-task agents export codex', () => {
  it("writes one $CODEX_HOME/agents/<name>.toml per agent, with Codex's fields", async () => {
    const { codexHome, cli, read } = await setup();
    const run = await cli();
    expect(run.code, run.stderr).toBe(0);
    expect((await readdir(join(codexHome, 'agents'))).sort()).toEqual([
      'code-reviewer.toml',
      'pinned.toml',
      'planner.toml',
      'writer.toml',
    ]);
    // The body survives TOML quoting byte for byte.
    expect(await read('code-reviewer')).toEqual({
      name: 'code-reviewer',
      description: 'Reviews code: bugs only',
      developer_instructions: BODY,
      sandbox_mode: 'read-only',
    });
    expect(await read('writer')).toEqual({
      name: 'writer',
      description: 'Writes docs',
      developer_instructions: 'Write docs.',
      model: 'gpt-5.5',
      model_reasoning_effort: 'high',
    });
    expect(run.stderr).toContain('Codex does not carry over: enforced tools and disallowedTools');
  });

  it('sets a model only where it maps: an OpenAI id, never a Claude alias or another vendor', async () => {
    const { cli, read } = await setup();
    const run = await cli();
    expect(await read('planner')).not.toHaveProperty('model');
    expect((await read('planner')).sandbox_mode).toBe('read-only');
    expect(await read('pinned')).not.toHaveProperty('model');
    expect(await read('pinned')).not.toHaveProperty('sandbox_mode');
    expect(run.stdout).toContain(
      "model 'opus' is a Claude alias: not set, so it runs on Codex's session model",
    );
    expect(run.stdout).toContain("model 'claude-sonnet-4-5' is not an OpenAI model");
    expect(run.stdout).toContain('permissionMode plan → sandbox_mode "read-only"');
  });

  it('exports only the agents named, built-ins included when named', async () => {
    const { codexHome, cli, read } = await setup();
    const run = await cli('writer', 'Explore');
    expect(run.code, run.stderr).toBe(0);
    expect((await readdir(join(codexHome, 'agents'))).sort()).toEqual(['Explore.toml', 'writer.toml']);
    expect((await read('Explore')).sandbox_mode).toBe('read-only');
    const unknown = await cli('nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Agent type 'nope' not found");
  });

  it('never overwrites without --force, and then writes nothing at all', async () => {
    const { codexHome, cli, read } = await setup();
    await mkdir(join(codexHome, 'agents'), { recursive: true });
    await writeFile(join(codexHome, 'agents', 'writer.toml'), 'name = "mine"\n');
    const refused = await cli();
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('writer.toml already exists; nothing was written');
    expect(refused.stderr).toContain('--force');
    expect(await readdir(join(codexHome, 'agents'))).toEqual(['writer.toml']);
    expect(await read('writer')).toEqual({ name: 'mine' });

    const forced = await cli('--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect((await read('writer')).name).toBe('writer');
  });

  it('defaults to ~/.codex when CODEX_HOME is unset', async () => {
    const { workspace } = await setup();
    const run = await runCli(['agents', 'export', 'codex', 'writer'], { cwd: workspace });
    expect(run.code, run.stderr).toBe(0);
    expect(parse(await readFile(join(workspace, '.codex', 'agents', 'writer.toml'), 'utf8')).name).toBe(
      'writer',
    );
  });
});

describe('the exported files in the real Codex CLI', () => {
  it('are loaded by Codex without a warning (a malformed one beside them is warned about)', async () => {
    const { workspace, codexHome, cli } = await setup();
    expect((await cli()).code).toBe(0);
    await writeFile(
      join(codexHome, 'agents', 'broken.toml'),
      'name = "broken"\ndescription = "no instructions"\n',
    );
    const model = await startScriptedModel({ script: { rules: [], default: { text: 'codex ran' } } });
    try {
      await writeFile(
        join(codexHome, 'config.toml'),
        `model_provider = "scripted"\n\n[model_providers.scripted]\nname = "scripted"\nbase_url = "${model.baseUrls.openai}"\nwire_api = "responses"\nenv_key = "SCRIPTED_MODEL_KEY"\n`,
      );
      const codex = await spawnCollecting(
        CODEX_BIN,
        ['exec', '--skip-git-repo-check', '-m', 'gpt-5.5', 'hello'],
        {
          cwd: workspace,
          env: {
            PATH: process.env.PATH ?? '',
            HOME: workspace,
            CODEX_HOME: codexHome,
            SCRIPTED_MODEL_KEY: 'x',
          },
          timeoutMs: 60_000,
        },
      ).done;
      const output = codex.stdout + codex.stderr;
      expect(codex.code, output).toBe(0);
      expect(output).toContain('codex ran');
      const malformed = output.split('\n').filter((line) => line.includes('malformed agent role'));
      expect(malformed.length, output).toBeGreaterThan(0);
      expect(
        malformed.every((line) => line.includes('broken.toml')),
        malformed.join('\n'),
      ).toBe(true);
    } finally {
      await model.close();
    }
  }, 90_000);
});
