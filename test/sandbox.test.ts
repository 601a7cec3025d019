import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_SECRET_PATHS, loadConfig } from '../src/config/index.ts';
import { defaultSecretPaths, probeBubblewrap } from '../src/sandbox/index.ts';
import { describeWithSandbox } from '../src/sandbox/testing.ts';
import type { ScriptedRequest } from '../src/scripted-model/index.ts';
import { agentPolicy, loadPermissionPolicy } from '../src/tools/policy/index.ts';
import { runCli } from './cli-support.ts';
import { agentFile, providersFor, useHarness } from './support.ts';

const h = useHarness();

/** Runs one Bash command on the first turn, then reports its result. */
function bashThenReport(command: string) {
  return (req: ScriptedRequest) =>
    req.turn === 0
      ? { toolCalls: [{ name: 'Bash', input: { command } }] }
      : { text: `tool said: ${req.toolResults[0]?.output}` };
}

describe('sandbox settings reach Bash through the engine', () => {
  it('mode require without bubblewrap refuses to run the command, saying how to install it', async () => {
    const ws = await h.setup({}, bashThenReport('touch ran'));
    const result = await h
      .engine({ sandbox: { mode: 'require', bwrapPath: join(ws, 'no-such-bwrap') } })
      .run({ description: 'touch', prompt: 'touch a file' });
    expect(result.status).toBe('completed');
    expect(result.content).toMatch(
      /Bash runs only inside the OS sandbox \(sandbox\.mode is \\"require\\"\).*no-such-bwrap does not exist/s,
    );
    expect(result.content).toMatch(/apt-get install bubblewrap/);
    expect(result.toolStats.Bash).toMatchObject({ calls: 1 });
    await expect(readFile(join(ws, 'ran'))).rejects.toThrow(/ENOENT/);
  });

  describeWithSandbox('with bubblewrap', () => {
    it("runs sandboxed by default: the engine's home is read-only and its secrets hidden", async () => {
      const ws = await h.setup(
        {},
        bashThenReport(
          // `touch`, not a redirection: the policy refuses a computed redirection target before the sandbox.
          'echo ok > in-workspace.txt; touch "$HOME/planted"; cat "$HOME/.ssh/id_rsa"; echo done',
        ),
      );
      const home = await realpath(await mkdtemp('/var/tmp/codex-task-home-'));
      try {
        await mkdir(join(home, '.ssh'));
        await writeFile(join(home, '.ssh', 'id_rsa'), 'PRIVATE-KEY');
        const result = await h.engine({ homeDir: home }).run({ description: 'x', prompt: 'x' });
        expect(result.content).toMatch(/planted'?: Read-only file system/);
        expect(result.content).toMatch(/id_rsa: Permission denied\ndone$/);
        expect(result.content).not.toContain('PRIVATE-KEY');
        expect(await readFile(join(ws, 'in-workspace.txt'), 'utf8')).toBe('ok\n');
        await expect(readFile(join(home, 'planted'))).rejects.toThrow(/ENOENT/);
      } finally {
        await rm(home, { recursive: true, force: true });
      }
    });

    it("removes every provider's key variable from the command's environment, whatever it is called", async () => {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion
      await h.setup({}, bashThenReport('echo "gateway=${LLM_GATEWAY:-none} path=${PATH:+set}"'));
      process.env.LLM_GATEWAY = 'gateway-CANARY';
      try {
        const providers = providersFor(h.model).map((p) =>
          p.id === 'openai' ? { ...p, apiKeyEnv: 'LLM_GATEWAY' } : p,
        );
        const result = await h.engine({ providers }).run({ description: 'x', prompt: 'x' });
        expect(result.content).toBe('tool said: gateway=none path=set');
      } finally {
        delete process.env.LLM_GATEWAY;
      }
    });
  });
});

const checkSchema = z.object({
  check: z.string(),
  status: z.enum(['ok', 'warn', 'fail']),
  detail: z.string(),
  fix: z.string().optional(),
  sandbox: z
    .object({
      mode: z.enum(['auto', 'require', 'off']),
      available: z.boolean(),
      working: z.boolean(),
      bwrapPath: z.string().optional(),
      version: z.string().optional(),
      reason: z.string().optional(),
      bash: z.enum(['sandboxed', 'unsandboxed', 'refused']),
    })
    .optional(),
});

describe('codex-task run --sandbox', () => {
  // Inside the sandbox, PID 1 of the command's namespace is bwrap; outside it is the machine's init.
  const agents = {
    '.claude/agents/shell.md': agentFile({ name: 'shell', description: 'runs a command', tools: 'Bash' }),
  };
  const pid1 = bashThenReport("tr '\\0' ' ' < /proc/1/cmdline | cut -d' ' -f1");
  const env = (ws: string) => ({
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: h.model.baseUrls.openai,
    HOME: ws,
  });

  describeWithSandbox('with bubblewrap', () => {
    it('sandboxes Bash by default and not with --sandbox off', async () => {
      const ws = await h.setup(agents, pid1);
      const sandboxed = await runCli(['run', 'shell', 'go', '-m', 'openai:gpt-5.5'], {
        cwd: ws,
        env: env(ws),
      });
      expect(sandboxed.stdout).toMatch(/tool said: \S*bwrap\s*$/);
      const bare = await runCli(['run', 'shell', 'go', '-m', 'openai:gpt-5.5', '--sandbox', 'off'], {
        cwd: ws,
        env: env(ws),
      });
      expect(bare.code).toBe(0);
      expect(bare.stdout).toMatch(/tool said: /);
      expect(bare.stdout).not.toMatch(/bwrap/);
    });
  });

  it('a bad mode names the flag and the choices', async () => {
    const ws = await h.setup(agents, pid1);
    const run = await runCli(['batch', '-', '--sandbox', 'strict'], {
      cwd: ws,
      env: env(ws),
      input: '[{"subagent_type":"shell","description":"d","prompt":"p"}]',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--sandbox must be one of auto, require, off, got 'strict'/);
  });
});

describe('a repository cannot turn the sandbox off', () => {
  it.each(['off', 'auto'])(
    'sandbox.mode "%s" in a project config is an error naming the file',
    async (mode) => {
      const ws = await h.setup();
      await mkdir(join(ws, '.codex-task'), { recursive: true });
      await writeFile(join(ws, '.codex-task', 'config.json'), JSON.stringify({ sandbox: { mode } }));
      expect(() => loadConfig({ cwd: ws, homeDir: join(ws, 'home'), env: {} })).toThrow(
        new RegExp(`config\\.json: \`sandbox\\.mode: "${mode}"\` is only honoured in your own config`),
      );
      await writeFile(
        join(ws, '.codex-task', 'config.json'),
        JSON.stringify({ sandbox: { mode: 'require' } }),
      );
      expect(loadConfig({ cwd: ws, homeDir: join(ws, 'home'), env: {} }).values.sandbox).toEqual({
        mode: 'require',
      });
    },
  );
});

describe('the default secret list is one list: the sandbox without a policy hides what the policy finds', () => {
  it('every home entry of DEFAULT_SECRET_PATHS, wildcards too, resolves to the same paths both ways', async () => {
    const home = await realpath(await mkdtemp('/var/tmp/codex-task-home-'));
    try {
      // One file at (or under) each home entry, a wildcard's matches included.
      for (const pattern of DEFAULT_SECRET_PATHS.filter((p) => p.startsWith('~/'))) {
        const rel = pattern.slice(2).replace('.*_history', '.bash_history').replace(/\*$/, '-beta');
        await mkdir(join(home, rel, '..'), { recursive: true });
        await writeFile(join(home, rel), 'x');
      }
      await writeFile(join(home, '.zsh_history'), 'x');
      await writeFile(join(home, '.history-not'), 'x');
      const ws = join(home, 'ws');
      await mkdir(ws);
      const policy = agentPolicy(
        loadPermissionPolicy({ cwd: ws, homeDir: home, config: {} }),
        { name: 'a' },
        ws,
      );
      const bySandbox = defaultSecretPaths(home).filter((p) => existsSync(p));
      expect(bySandbox.sort()).toEqual([...policy.permissions.hiddenPaths].sort());
      expect(bySandbox).toEqual(
        expect.arrayContaining([join(home, '.bash_history'), join(home, '.zsh_history')]),
      );
      expect(bySandbox).toContain(join(home, '.config/google-chrome-beta'));
      expect(bySandbox).not.toContain(join(home, '.history-not'));
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe('codex-task doctor and config show the sandbox', () => {
  const probe = probeBubblewrap();

  it('doctor --json gives the mode, whether bwrap is there and works, and what Bash does', async () => {
    const ws = await h.setup();
    const run = await runCli(['doctor', '--json'], { cwd: ws, env: { CODEX_TASK_SANDBOX: 'require' } });
    const checks = z.array(checkSchema).parse(JSON.parse(run.stdout));
    const sandbox = checks.find((c) => c.check === 'sandbox');
    expect(sandbox?.sandbox).toMatchObject({
      mode: 'require',
      working: probe.working,
      bash: probe.working ? 'sandboxed' : 'refused',
    });
    expect(sandbox?.status).toBe(probe.working ? 'ok' : 'fail');
    if (!probe.working) expect(sandbox?.fix).toMatch(/apt-get install bubblewrap/);
  });

  it('doctor never runs an rg from the project (review D): node_modules/.bin and the workspace come first on PATH under npx', async () => {
    const ws = await h.setup();
    const marker = join(ws, 'fake-rg-ran');
    for (const dir of ['node_modules/.bin', 'bin']) {
      await mkdir(join(ws, dir), { recursive: true });
      await writeFile(join(ws, dir, 'rg'), `#!/bin/sh\necho ran > ${marker}\necho ripgrep 99.9.9\n`);
      await chmod(join(ws, dir, 'rg'), 0o755);
    }
    const run = await runCli(['doctor'], {
      cwd: ws,
      env: { PATH: `${ws}/node_modules/.bin:${ws}/bin:${process.env.PATH ?? ''}` },
    });
    expect(run.stdout).toMatch(/ripgrep/);
    expect(run.stdout).not.toContain('99.9.9');
    expect(existsSync(marker)).toBe(false);
  });

  it('doctor says in words when Bash runs without the sandbox (mode off)', async () => {
    const run = await runCli(['doctor'], { cwd: await h.setup(), env: { CODEX_TASK_SANDBOX: 'off' } });
    expect(run.stdout).toMatch(/warn sandbox +mode off: Bash runs without the OS sandbox/);
  });

  it('config shows where the mode came from, and a bad mode names the variable and the choices', async () => {
    const ws = await h.setup({ '.codex-task/config.json': JSON.stringify({ sandbox: { mode: 'off' } }) });
    const fromFile = await runCli(['config', '--json'], { cwd: ws });
    expect(JSON.parse(fromFile.stdout).settings.sandbox).toEqual({
      value: { mode: 'off' },
      source: `file ${join(ws, '.codex-task', 'config.json')}`,
    });
    const fromEnv = await runCli(['config', '--json'], { cwd: ws, env: { CODEX_TASK_SANDBOX: 'require' } });
    expect(JSON.parse(fromEnv.stdout).settings.sandbox.value).toEqual({ mode: 'require' });
    const bad = await runCli(['config'], { cwd: ws, env: { CODEX_TASK_SANDBOX: 'strict' } });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/CODEX_TASK_SANDBOX\b.*\bauto\b.*\brequire\b.*\boff\b/);
  });
});
