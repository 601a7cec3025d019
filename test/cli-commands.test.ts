import { readFileSync, statSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ECHO_AND_SLEEPER_AGENTS, echoOrSleep, runCli, scriptedModelEnv, startCli } from './cli-support.ts';
import { agentFile, processAlive, useHarness } from './support.ts';

const h = useHarness();
const ESCAPE = new RegExp(`${String.fromCharCode(27)}\\[`);

const resultSchema = z.object({
  taskId: z.string(),
  agentId: z.string(),
  status: z.enum(['completed', 'failed', 'timed_out', 'cancelled']),
  agentType: z.string(),
  description: z.string(),
  content: z.string(),
  resolvedModel: z.string().nullable(),
  totalDurationMs: z.number(),
  totalToolUseCount: z.number().int(),
  turns: z.number().int(),
  usage: z.object({
    inputTokens: z.number(),
    outputTokens: z.number(),
    totalTokens: z.number(),
    costUsd: z.number().nullable(),
  }),
  toolStats: z.record(z.string(), z.object({ calls: z.number() })),
  error: z.object({ type: z.string(), message: z.string(), hint: z.string().optional() }).optional(),
});

const envFor = (extra: Record<string, string> = {}) => scriptedModelEnv(h.model, extra);
const AGENTS = ECHO_AND_SLEEPER_AGENTS;
const script = echoOrSleep;

describe('codex-task batch', () => {
  it('runs JSONL from stdin in parallel, prints JSON results in input order, exits 1 when one failed', async () => {
    const ws = await h.setup(AGENTS, script);
    const lines = ['one', 'fail', 'three']
      .map((p) => JSON.stringify({ subagent_type: 'echo', description: `task ${p}`, prompt: p }))
      .join('\n');
    const run = await runCli(['batch', '-', '--json', '--concurrency', '3'], {
      cwd: ws,
      env: envFor(),
      input: lines,
    });
    expect(run.code).toBe(1);
    const results = z.array(resultSchema).parse(JSON.parse(run.stdout));
    expect(results.map((r) => r.status)).toEqual(['completed', 'failed', 'completed']);
    expect(results[0]!.content).toBe('echo: one');
    expect(results[1]!.error!.type).toBe('Provider');
    expect(run.stderr).toContain('3 task(s): 2 completed, 1 not');
    expect(run.stderr).toMatch(/└─ ✓ echo · task three — echo: three/);
    expect(run.stderr).not.toMatch(ESCAPE);
  });

  it('streams --jsonl results as they finish and prints plain state lines when not a terminal', async () => {
    const ws = await h.setup(AGENTS, script);
    const file = join(ws, 'tasks.json');
    await writeFile(
      file,
      JSON.stringify([
        { subagent_type: 'echo', description: 'a', prompt: 'a' },
        { subagent_type: 'echo', description: 'b', prompt: 'b' },
      ]),
    );
    const run = await runCli(['batch', file, '--jsonl'], { cwd: ws, env: envFor() });
    expect(run.code).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { index: number; content: string });
    expect(lines.map((l) => l.index).sort()).toEqual([0, 1]);
    expect(run.stderr).toContain('[echo: a] started on openai:gpt-5.5');
    expect(run.stderr).toContain('[echo: b] completed in');
  });

  it('rejects a bad batch file before running anything, naming the entry and field (exit 2)', async () => {
    const ws = await h.setup(AGENTS, script);
    const run = await runCli(['batch', '-'], {
      cwd: ws,
      env: envFor(),
      input:
        '{"subagent_type":"echo","description":"x","prompt":"ok"}\n{"subagent_type":"echo","description":"x"}\n',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('stdin:2');
    expect(run.stderr).toContain('`prompt` is required');
    expect(h.model.stats.requests).toBe(0);
  });

  it('on Ctrl-C cancels running tasks, kills their processes, prints partial results and exits 130', async () => {
    const ws = await h.setup(AGENTS, script);
    const input = `${JSON.stringify({ subagent_type: 'sleeper', description: 'sleep', prompt: 'sleep' })}\n${JSON.stringify({ subagent_type: 'echo', description: 'quick', prompt: 'quick' })}\n`;
    // Unsandboxed: the PID the command writes is checked on the host (the sandbox has its own PIDs).
    const env = envFor({ CODEX_TASK_SANDBOX: 'off' });
    const { child, done, output } = startCli(['batch', '-', '--json'], { cwd: ws, env, input });
    const pidFile = join(ws, 'sleeper.pid');
    // Ctrl-C once the sleeper runs and the quick one has ended (its plain progress line says so).
    const ready = () => existsNonEmpty(pidFile) && /\[echo: quick\] completed/.test(output().stderr);
    for (let i = 0; i < 200 && !ready(); i++) await new Promise((r) => setTimeout(r, 100));
    const sleeperPid = Number(readFileSync(pidFile, 'utf8'));
    child.kill('SIGINT');
    const { code, stdout, stderr } = await done;

    expect(code).toBe(130);
    const results = JSON.parse(stdout);
    z.array(resultSchema).parse(results);
    expect(results[0]).toMatchObject({ status: 'cancelled' });
    expect((results[0] as { partialContent?: string }).partialContent).toBe('working on it');
    expect(results[1]).toMatchObject({ status: 'completed', content: 'echo: quick' });
    expect(stderr).toContain('interrupted');
    expect(processAlive(sleeperPid)).toBe(false);
  }, 30_000);
});

function existsNonEmpty(file: string): boolean {
  try {
    return statSync(file).size > 0;
  } catch {
    return false;
  }
}

describe('codex-task agents show / new', () => {
  it('shows the effective definition with inherited and ignored parts as JSON', async () => {
    const ws = await h.setup({
      '.claude/agents/x.md': agentFile({
        name: 'x',
        description: 'an agent',
        disallowedTools: 'Bash',
        color: 'blue',
        'allowed-tools': 'Read',
      }),
    });
    const run = await runCli(['agents', 'show', 'x', '--json'], { cwd: ws, env: envFor() });
    expect(run.code).toBe(0);
    const view = JSON.parse(run.stdout);
    expect(view.model).toEqual({ written: null, inherited: true, resolved: 'openai:gpt-5.5' });
    // A misspelt `allowed-tools:` never means "all tools": only what it lists.
    expect(view.tools.inherited).toBe(false);
    expect(view.tools.effective).toEqual(['Read']);
    expect(view.acceptedNotEnforced).toEqual({ color: 'blue' });
    expect(view.ignoredUnknownKeys).toEqual({ 'allowed-tools': 'Read' });
  });

  it('suggests the nearest name for a typo (exit 2)', async () => {
    const ws = await h.setup({
      '.claude/agents/x.md': agentFile({ name: 'code-reviewer', description: 'r' }),
    });
    const run = await runCli(['agents', 'show', 'code-reviwer'], { cwd: ws, env: envFor() });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Did you mean 'code-reviewer'?");
    expect(run.stderr).not.toContain('    at ');
  });

  it('writes a valid agent from each template and refuses to overwrite', async () => {
    const ws = await h.setup();
    for (const template of ['code-reviewer', 'test-runner', 'doc-writer', 'debugger', 'explorer']) {
      const run = await runCli(['agents', 'new', `my-${template}`, '--template', template], { cwd: ws });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`.claude/agents/my-${template}.md`);
    }
    const validate = await runCli(['agents', 'validate', '--json'], { cwd: ws });
    const report = JSON.parse(validate.stdout);
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.agents).toHaveLength(5);
    const again = await runCli(['agents', 'new', 'my-debugger'], { cwd: ws });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
    const badTemplate = await runCli(['agents', 'new', 'y', '--template', 'poet'], { cwd: ws });
    expect(badTemplate.stderr).toContain('Use one of: code-reviewer, test-runner');
  });
});

describe('codex-task config, login, doctor', () => {
  it('shows each value with its source: default, file, env, and masks keys', async () => {
    const ws = await h.setup();
    await mkdir(join(ws, '.codex-task'));
    await writeFile(
      join(ws, '.codex-task', 'config.json'),
      JSON.stringify({ concurrency: 4, taskTimeout: '90s' }),
    );
    const run = await runCli(['config', '--json'], { cwd: ws, env: envFor({ CODEX_TASK_MAX_TURNS: '7' }) });
    expect(run.code).toBe(0);
    const shown = JSON.parse(run.stdout);
    expect(shown.settings.concurrency).toEqual({
      value: 4,
      source: `file ${join(ws, '.codex-task', 'config.json')}`,
    });
    expect(shown.settings.taskTimeout.value).toBe(90_000);
    expect(shown.settings.maxTurns).toEqual({ value: 7, source: 'env CODEX_TASK_MAX_TURNS' });
    expect(shown.settings.maxSpawnDepth).toEqual({ value: 3, source: 'default' });
    expect(shown.providers[0]).toMatchObject({
      id: 'openai',
      key: 'sk-tes…(24 chars)',
      keySource: 'env OPENAI_API_KEY',
    });
    expect(run.stdout).not.toContain('abcdefghijklmnop');
  });

  it('names the file, key and accepted values of a bad config (exit 2)', async () => {
    const ws = await h.setup();
    await mkdir(join(ws, '.codex-task'));
    await writeFile(
      join(ws, '.codex-task', 'config.json'),
      JSON.stringify({ concurrency: 'ten', providers: { x: { kind: 'azure' } } }),
    );
    const run = await runCli(['run', 'echo', 'hi'], { cwd: ws, env: envFor() });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('.codex-task/config.json');
    expect(run.stderr).toContain('`concurrency`');
    expect(run.stderr).toContain(
      '`providers.x.kind` must be one of "anthropic", "openai", "google", "openai-compatible"',
    );
  });

  it('login stores a key from stdin in a 0600 file; env wins; logout removes it', async () => {
    const ws = await h.setup({}, () => ({ text: 'ok' }));
    const login = await runCli(['login', 'openai'], { cwd: ws, input: 'sk-stored-key-1234567890\n' });
    expect(login.code).toBe(0);
    expect(login.stdout).not.toContain('sk-stored-key-1234567890');
    const file = join(ws, '.codex-task', 'credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      openai: { apiKey: 'sk-stored-key-1234567890' },
    });

    const stored = await runCli(['config', '--json'], {
      cwd: ws,
      env: { OPENAI_BASE_URL: h.model.baseUrls.openai },
    });
    expect(JSON.parse(stored.stdout).providers[0]).toMatchObject({
      keySource: 'credentials file',
      key: 'sk-sto…(24 chars)',
    });
    const run = await runCli(['run', 'general-purpose', 'hi'], {
      cwd: ws,
      env: { OPENAI_BASE_URL: h.model.baseUrls.openai },
    });
    expect(run.code).toBe(0);
    expect(h.model.requests.at(-1)!.headers.authorization).toBe('Bearer sk-stored-key-1234567890');
    await runCli(['run', 'general-purpose', 'hi'], { cwd: ws, env: envFor() });
    expect(h.model.requests.at(-1)!.headers.authorization).toBe('Bearer sk-test-abcdefghijklmnop');

    expect((await runCli(['logout', 'openai'], { cwd: ws })).code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({});
    expect((await runCli(['logout', 'openai'], { cwd: ws })).code).toBe(1);
  });

  it('doctor checks each part, warns on a readable credentials file, and fails without providers', async () => {
    const ws = await h.setup({ '.claude/agents/bad.md': '---\nname: Bad\n---\n' });
    await runCli(['login', 'openai'], { cwd: ws, input: 'sk-x-1234567890' });
    await chmod(join(ws, '.codex-task', 'credentials.json'), 0o644);
    const run = await runCli(['doctor', '--json'], {
      cwd: ws,
      env: { OPENAI_BASE_URL: h.model.baseUrls.openai },
    });
    expect(run.code).toBe(1);
    const checks = z
      .array(
        z.object({
          check: z.string(),
          status: z.enum(['ok', 'warn', 'fail']),
          detail: z.string(),
          fix: z.string().optional(),
        }),
      )
      .parse(JSON.parse(run.stdout));
    const byName = Object.fromEntries(checks.map((c) => [c.check, c]));
    expect(byName.node!.status).toBe('ok');
    expect(byName.credentials).toMatchObject({ status: 'warn', fix: expect.stringContaining('chmod 600') });
    expect(byName['provider openai']!.status).toBe('ok');
    expect(byName.agents!.status).toBe('fail');

    const none = await runCli(['doctor'], { cwd: await h.setup(), env: {} });
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('no model provider is configured');
    expect(none.stdout).not.toMatch(ESCAPE);
  });
});

describe('help and version', () => {
  it('every command has --help with an example', async () => {
    for (const command of [
      ['run'],
      ['batch'],
      ['agents', 'list'],
      ['agents', 'show'],
      ['agents', 'validate'],
      ['agents', 'new'],
      ['config'],
      ['doctor'],
      ['login'],
      ['logout'],
      ['demo'],
      ['scripted-model'],
    ]) {
      const run = await runCli([...command, '--help']);
      expect(run.code, command.join(' ')).toBe(0);
      expect(run.stdout, command.join(' ')).toMatch(/Examples?:\n {2}\S/);
    }
  }, 60_000);

  it('an unknown command exits 2 with a suggestion', async () => {
    const run = await runCli(['agent', 'list']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown command');
  });
});

describe('recorded runs and the HTTP API from the command line', () => {
  it('records what `run` did, for `runs list` and `runs show`', async () => {
    const ws = await h.setup(AGENTS, script);
    const run = await runCli(['run', 'echo', 'remember', 'me', '--json'], { cwd: ws, env: envFor() });
    expect(run.code).toBe(0);
    const { taskId } = JSON.parse(run.stdout) as { taskId: string };
    const list = await runCli(['runs', 'list', '--json'], { cwd: ws, env: envFor() });
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.stdout) as { id?: string; taskId?: string; status: string }[];
    expect(rows.some((r) => (r.id ?? r.taskId) === taskId && r.status === 'completed')).toBe(true);
    const show = await runCli(['runs', 'show', taskId.slice(0, 8)], { cwd: ws, env: envFor() });
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('echo: remember me');
  });

  it('`serve` answers /health and runs a task over HTTP', async () => {
    const ws = await h.setup(AGENTS, script);
    const { child, done, output } = startCli(['serve', '--port', '0'], { cwd: ws, env: envFor() });
    let url = '';
    for (let i = 0; i < 100 && !url; i++) {
      await new Promise((r) => setTimeout(r, 100));
      url = /API on (http:\/\/\S+)/.exec(output().stderr)?.[1] ?? '';
    }
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const response = await fetch(`${url}/v1/tasks?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ description: 'over http', prompt: 'via api', subagent_type: 'echo' }),
    });
    expect(response.status).toBe(200);
    expect(JSON.stringify(await response.json())).toContain('echo: via api');
    child.kill('SIGINT');
    expect((await done).code).toBe(0);
  });
});

// Issue 17 §4: a file that does not load is never silent — `agents list`, every run and every
// "not found" say which file was skipped and why, and doctor and validate count problems alike.
describe('broken agent files are never silent', () => {
  const BROKEN = {
    '.claude/agents/echo.md': agentFile({ name: 'echo', description: 'echoes', tools: 'Read' }, 'ECHO'),
    // Fails for real (no description, also for Claude Code): skipped, and said so.
    '.claude/agents/wrong-case.md': agentFile({ name: 'wrong-case', descripton: 'typo in the key' }),
    '.claude/agents/no-front.md': 'You are an agent without frontmatter.\n',
  };
  const SKIP_LINE =
    /^skipped \.claude\/agents\/wrong-case\.md:1: `description` is missing — run `codex-task agents validate` for every problem and its fix$/m;

  it('`agents list` names each skipped file and why, one line each, with the pointer to validate', async () => {
    const ws = await h.setup(BROKEN);
    const run = await runCli(['agents', 'list'], { cwd: ws, env: envFor() });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('echo');
    expect(run.stdout).not.toContain('wrong-case');
    expect(run.stderr).toMatch(SKIP_LINE);
    expect(run.stderr).toMatch(
      /^skipped \.claude\/agents\/no-front\.md:1: no frontmatter: .* — run `codex-task agents validate` for every problem and its fix$/m,
    );
    expect(run.stderr.trim().split('\n')).toHaveLength(2);
    // --json keeps stdout machine-readable; the notice still goes to stderr.
    const json = await runCli(['agents', 'list', '--json'], { cwd: ws, env: envFor() });
    expect(JSON.parse(json.stdout).map((r: { name: string }) => r.name)).toContain('echo');
    expect(json.stderr).toMatch(SKIP_LINE);
  });

  it('every `run` and `batch` says which files were skipped and why', async () => {
    const ws = await h.setup(BROKEN, script);
    const run = await runCli(['run', 'echo', 'hi'], { cwd: ws, env: envFor() });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('echo: hi\n');
    expect(run.stderr).toMatch(SKIP_LINE);
    const batch = await runCli(['batch', '-'], {
      cwd: ws,
      env: envFor(),
      input: JSON.stringify({ subagent_type: 'echo', description: 'a', prompt: 'a' }),
    });
    expect(batch.code).toBe(0);
    expect(batch.stderr).toMatch(SKIP_LINE);
  });

  it('"not found" says that a file of that name exists but was skipped, and why (exit 2)', async () => {
    const ws = await h.setup(BROKEN, script);
    const run = await runCli(['run', 'wrong-case', 'hi'], { cwd: ws, env: envFor() });
    expect(run.code).toBe(2);
    // Claude Code's exact first sentence, on a line of its own.
    expect(run.stderr).toMatch(
      /AgentNotFound: Agent type 'wrong-case' not found\. Available agents: echo, Explore, general-purpose, Plan$/m,
    );
    expect(run.stderr).toContain(
      '.claude/agents/wrong-case.md exists but was skipped: `description` is missing (line 1)',
    );
    expect(run.stderr).not.toContain('add .claude/agents/wrong-case.md');
    expect(run.stderr).toContain('codex-task agents validate');
    expect(h.model.stats.requests).toBe(0);
  });

  it('warns loudly at load about `allowed-tools:`, on every run (not only with --verbose)', async () => {
    const ws = await h.setup(
      {
        '.claude/agents/echo.md': agentFile({ name: 'echo', description: 'echoes', tools: 'Read' }, 'ECHO'),
        '.claude/agents/lax.md': agentFile({ name: 'lax', description: 'lax', 'allowed-tools': 'Read' }),
      },
      script,
    );
    for (const args of [
      ['run', 'echo', 'hi'],
      ['--verbose', 'run', 'echo', 'hi'],
    ]) {
      const run = await runCli(args, { cwd: ws, env: envFor() });
      expect(run.code, args.join(' ')).toBe(0);
      expect(run.stderr, args.join(' ')).toMatch(
        /^warning \.claude\/agents\/lax\.md:4 \[allowed-tools\]: unknown key `allowed-tools`: Claude Code ignores it and gives this agent every tool; codex-task gives it only the tools listed there$/m,
      );
    }
  });

  it('`agents validate` calls `allowed-tools` an error in --json and in text alike', async () => {
    const ws = await h.setup({
      '.claude/agents/lax.md': agentFile({ name: 'lax', description: 'lax', 'allowed-tools': 'Read' }),
    });
    const json = await runCli(['agents', 'validate', '--json'], { cwd: ws });
    const text = await runCli(['agents', 'validate'], { cwd: ws });
    expect(json.code).toBe(1);
    expect(text.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.errors).toEqual([
      expect.objectContaining({ severity: 'error', field: 'allowed-tools', failsValidation: true }),
    ]);
    expect(report.warnings).toEqual([]);
    expect(text.stdout).toMatch(/^ {2}error \.claude\/agents\/lax\.md:4 \[allowed-tools\]/m);
    expect(text.stdout).toContain('1 file(s), 1 valid agent(s), 1 error(s), 0 warning(s)');
  });

  it('doctor and validate count agent problems the same way', async () => {
    const ws = await h.setup({
      ...BROKEN,
      '.claude/agents/lax.md': agentFile({ name: 'lax', description: 'lax', 'allowed-tools': 'Read' }),
      '.claude/agents/odd.md': agentFile({ name: 'odd', description: 'odd', tools: 'Read, Serach' }),
    });
    const validate = await runCli(['agents', 'validate'], { cwd: ws });
    const summary = /^(\d+ file\(s\), \d+ valid agent\(s\), \d+ error\(s\), \d+ warning\(s\))$/m.exec(
      validate.stdout,
    )?.[1];
    expect(summary).toBe('5 file(s), 3 valid agent(s), 3 error(s), 2 warning(s)');
    const doctor = await runCli(['doctor', '--json'], { cwd: ws, env: envFor() });
    const agents = (JSON.parse(doctor.stdout) as { check: string; status: string; detail: string }[]).find(
      (c) => c.check === 'agents',
    );
    expect(agents).toMatchObject({ status: 'fail' });
    expect(agents!.detail).toContain(summary!);
  });
});
