import { describe, expect, it } from 'vitest';
import { probeBubblewrap } from '../src/sandbox/index.ts';
import { runCli } from './cli-support.ts';
import { agentFile, makeWorkspace, useHarness } from './support.ts';

const h = useHarness();

describe('codex-task agents validate', () => {
  it('reports every problem of every file as JSON and exits 1 on errors', async () => {
    const ws = await makeWorkspace({
      '.claude/agents/good.md': agentFile({ name: 'good', description: 'fine', tools: 'Read, Grep' }),
      '.claude/agents/typo.md': agentFile({
        name: 'typo',
        description: 'has a typo',
        'allowed-tools': 'Read',
      }),
      // Stays broken after Claude Code's quoting retry (no `: ` or special character to quote).
      '.claude/agents/broken.md': '---\nname: broken\ndescription: "unclosed\n---\nbody\n',
      '.claude/agents/nameless.md': agentFile({ description: 'no name' }),
    });
    const run = await runCli(['agents', 'validate', '.claude/agents', '--json'], { cwd: ws });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as {
      files: string[];
      agents: string[];
      errors: { file: string; field?: string; line?: number; message: string; hint?: string }[];
      warnings: { file: string; field?: string; message: string; hint?: string }[];
    };
    expect(report.files).toHaveLength(4);
    expect(report.agents.sort()).toEqual(['good', 'typo']);
    // `allowed-tools:` loads (with only the tools it lists) but fails validation.
    expect(report.errors.map((e) => e.file.split('/').pop()).sort()).toEqual([
      'broken.md',
      'nameless.md',
      'typo.md',
    ]);
    const broken = report.errors.find((e) => e.file.endsWith('broken.md'))!;
    expect(broken.line).toBeGreaterThan(0);
    const nameless = report.errors.find((e) => e.file.endsWith('nameless.md'))!;
    expect(nameless.field).toBe('name');
    const typo = report.errors.find((w) => w.file.endsWith('typo.md') && w.field === 'allowed-tools')!;
    expect(typo.hint).toContain('tools');
  });

  it('exits 0 and summarises in plain text when all files are valid', async () => {
    const ws = await makeWorkspace({
      '.claude/agents/good.md': agentFile({ name: 'good', description: 'fine' }),
    });
    const run = await runCli(['agents', 'validate'], { cwd: ws });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('1 valid agent(s), 0 error(s)');
  });
});

describe('codex-task run', () => {
  it('prints the answer on stdout, progress on stderr, and the whole result with --json', async () => {
    const ws = await h.setup(
      { '.claude/agents/echo.md': agentFile({ name: 'echo', description: 'echoes' }) },
      (req) => ({
        text: `echo: ${req.lastUserText}`,
      }),
    );
    const env = {
      OPENAI_API_KEY: 'test',
      OPENAI_BASE_URL: h.model.baseUrls.openai,
      CODEX_TASK_SUBAGENT_MODEL: 'openai:gpt-5.5',
    };
    const plain = await runCli(['run', 'echo', 'hello', 'there'], { cwd: ws, env });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toBe('echo: hello there\n');
    expect(plain.stderr).toContain('completed · echo · openai:gpt-5.5');

    const json = await runCli(['run', 'echo', '-', '--json'], { cwd: ws, env, input: 'from stdin' });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      status: 'completed',
      content: 'echo: from stdin',
      agentType: 'echo',
    });
  });

  it('exits 2 with the available agents for an unknown agent', async () => {
    const ws = await h.setup();
    const run = await runCli(['run', 'nope', 'x'], {
      cwd: ws,
      env: { OPENAI_API_KEY: 't', OPENAI_BASE_URL: h.model.baseUrls.openai },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "Agent type 'nope' not found. Available agents: Explore, general-purpose, Plan",
    );
  });
});

describe('codex-task demo', () => {
  it('runs three agents in parallel offline and says the model is scripted', async () => {
    const run = await runCli(['demo'], { cwd: await makeWorkspace(), timeoutMs: 60_000 });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('3 of 3 tasks completed');
    expect(run.stdout).toContain('SCRIPTED');
    // The tools really ran: the test run's real TAP summary and Grep's real line numbers are quoted.
    expect(run.stdout).toMatch(/# pass 2\n# fail 1/);
    expect(run.stdout).toMatch(/inventory\.js:12: {2}\/\/ TODO: refuse to go below zero/);
    // Where bubblewrap works, that test run happened inside the OS sandbox.
    if (probeBubblewrap().working) expect(run.stdout).toMatch(/sandbox: +Bash runs in bubblewrap/);
    else expect(run.stdout).toMatch(/sandbox: +none \(.+\): Bash runs unsandboxed for this demo/);
  }, 60_000);
});
