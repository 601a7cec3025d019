import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ScriptedRequest } from '../src/scripted-model/index.ts';
import { useInProcessCli } from './cli-in-process-support.ts';
import { agentFile, useHarness } from './support.ts';

// `run` and `batch`, in process, on the scripted model (cli-commands.test.ts drives the binary).
const h = useHarness();
const t = useInProcessCli();

beforeEach(() => {
  process.env.OPENAI_API_KEY = 'sk-test-abcdefghijklmnop';
  process.env.OPENAI_BASE_URL = h.model.baseUrls.openai;
});

const AGENTS = {
  '.claude/agents/echo.md': agentFile({ name: 'echo', description: 'echoes', tools: 'Read' }, 'ECHO'),
  'notes.txt': 'some notes\n',
};

function script(req: ScriptedRequest) {
  if (req.lastUserText === 'fail') return { fault: { kind: 'status' as const, status: 400 } };
  if (req.lastUserText === 'read' && req.turn === 0)
    return { text: 'reading', toolCalls: [{ name: 'Read', input: { file_path: 'notes.txt' } }] };
  if (req.lastUserText === 'read')
    return { text: `read: ${req.toolResults[0]?.output.includes('some notes')}` };
  return { text: `echo: ${req.lastUserText}` };
}

describe('codex-task run, in process', () => {
  it('prints the answer on stdout and the progress and summary on stderr', async () => {
    const ws = await h.setup(AGENTS, script);
    const run = await t.cli(['run', 'echo', 'read'], { cwd: ws });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('read: true\n');
    expect(run.stderr).toContain('[echo: read] started on openai:gpt-5.5');
    expect(run.stderr).toContain('[echo] Read\n');
    expect(run.stderr).toMatch(
      /completed · echo · openai:gpt-5\.5 · [\d.]+s run · \d+ tokens · 1 tool uses \(Read×1\)/,
    );
  });

  it('reads the prompt from stdin with `-`, prints the TaskResult with --json, and records the run', async () => {
    const ws = await h.setup(AGENTS, script);
    const run = await t.cli(['run', 'echo', '-', '--json'], { cwd: ws, stdin: 'from stdin\n' });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({
      status: 'completed',
      agentType: 'echo',
      content: 'echo: from stdin',
      description: 'from stdin',
    });
    const runs = await t.cli(['runs', 'list', '--json']);
    expect(JSON.parse(runs.stdout)[0]).toMatchObject({ id: result.taskId, agentType: 'echo' });
  });

  it('--verbose prints a progress line per change; --quiet prints only the answer', async () => {
    const ws = await h.setup(AGENTS, script);
    const verbose = await t.cli(['--verbose', 'run', 'echo', 'read'], { cwd: ws });
    expect(verbose.code).toBe(0);
    expect(verbose.stderr).toMatch(/\[echo: read\] turn \d+, 1 tool uses, last tool Read, \d+ tokens/);
    const quiet = await t.cli(['-q', 'run', 'echo', 'hi']);
    expect(quiet).toMatchObject({ code: 0, stdout: 'echo: hi\n', stderr: '' });
  });

  it('a failed task exits 1 with the error and its fix on stderr, nothing on stdout', async () => {
    const ws = await h.setup(AGENTS, script);
    const run = await t.cli(['run', 'echo', 'fail'], { cwd: ws });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^failed · echo · .*\n {2}Provider: /m);
  });

  it('usage errors exit 2 before any model call: unknown agent, bad flags, missing -C directory', async () => {
    const ws = await h.setup(AGENTS, script);
    const unknown = await t.cli(['run', 'ecoh', 'hi'], { cwd: ws });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('echo');
    const sandbox = await t.cli(['run', 'echo', 'hi', '--sandbox', 'maybe']);
    expect(sandbox.code).toBe(2);
    expect(sandbox.stderr).toContain("--sandbox must be one of auto, require, off, got 'maybe'");
    const dir = await t.cli(['run', 'echo', 'hi', '-C', join(ws, 'nowhere')]);
    expect(dir.code).toBe(2);
    expect(dir.stderr).toContain('no such directory');
    expect(h.model.stats.requests).toBe(0);
  });

  it('--priority takes a whole number from -100 to 100; anything else exits 2 naming the flag', async () => {
    const ws = await h.setup(AGENTS, script);
    for (const value of ['high', '101', '2.5']) {
      const bad = await t.cli(['run', 'echo', 'hi', '--priority', value], { cwd: ws });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain(`--priority must be a whole number from -100 to 100, got '${value}'`);
    }
    expect(h.model.stats.requests).toBe(0);
    const ok = await t.cli(['run', 'echo', 'hi', '--priority', '-5'], { cwd: ws });
    expect(ok).toMatchObject({ code: 0, stdout: 'echo: hi\n' });
  });
});

describe('codex-task batch, in process', () => {
  const tasks = (...prompts: string[]) =>
    prompts.map((p) => ({ subagent_type: 'echo', description: `task ${p}`, prompt: p }));

  it('--json prints every TaskResult in input order, plain state lines and a summary on stderr; exit 1 when one failed', async () => {
    const ws = await h.setup(AGENTS, script);
    const file = join(ws, 'tasks.json');
    await writeFile(file, JSON.stringify(tasks('one', 'fail', 'three')));
    const run = await t.cli(['batch', file, '--json', '--concurrency', '2'], { cwd: ws });
    expect(run.code).toBe(1);
    const results = JSON.parse(run.stdout) as { status: string; content: string }[];
    expect(results.map((r) => r.status)).toEqual(['completed', 'failed', 'completed']);
    expect(results[2]!.content).toBe('echo: three');
    expect(run.stderr).toContain('[echo: task one] started on openai:gpt-5.5');
    expect(run.stderr).toMatch(/\[echo: task three\] completed in [\d.]+s/);
    expect(run.stderr).toContain('3 task(s): 2 completed, 1 not');
    expect(run.stderr).toMatch(/├─ ✗ echo · task fail — Provider: /);
    expect(run.stderr).toMatch(/└─ ✓ echo · task three — echo: three/);
  });

  it('reads JSONL from stdin, --jsonl streams one line per result, and a description is derived', async () => {
    const ws = await h.setup(AGENTS, script);
    const input = `${JSON.stringify({ subagent_type: 'echo', prompt: 'a rather long prompt that goes on well past forty characters' })}\n\n${JSON.stringify(tasks('b')[0])}\n`;
    const run = await t.cli(['batch', '-', '--jsonl'], { cwd: ws, stdin: input });
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { index: number; description: string });
    expect(lines.map((l) => l.index).sort()).toEqual([0, 1]);
    expect(lines.find((l) => l.index === 0)!.description).toBe('a rather long prompt that goes on well…');
  });

  it('without --json prints each answer under its heading; --quiet leaves stderr empty', async () => {
    const ws = await h.setup(AGENTS, script);
    const file = join(ws, 'tasks.jsonl');
    await writeFile(
      file,
      tasks('x', 'y')
        .map((e) => JSON.stringify(e))
        .join('\n'),
    );
    const run = await t.cli(['-q', 'batch', file, '--max-tasks', '5', '--max-cost', '1', '-t', '30s'], {
      cwd: ws,
    });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe('## echo: task x\necho: x\n\n## echo: task y\necho: y\n\n');
  });

  it.each([
    ['missing.json', undefined, 'no such file'],
    ['-', '', 'stdin is empty'],
    ['-', '[{"subagent_type":"echo"', 'stdin is not valid JSON'],
    ['-', '{"prompt":"ok"}\nnot json\n', 'stdin:2 is not valid JSON'],
    ['-', '[]', 'stdin has no tasks'],
    ['-', '{"subagent_type":"echo","description":"x"}\n', 'stdin:1: `prompt` is required'],
    [
      '-',
      '[{"prompt":"a"},{"prompt":"b","priority":"high"}]',
      'stdin entry 1: `priority` must be a whole number from -100 to 100, got "high"',
    ],
  ])('refuses a bad batch (%s %j) before running anything (exit 2): %s', async (file, stdin, message) => {
    const ws = await h.setup(AGENTS, script);
    const run = await t.cli(['batch', file], { cwd: ws, ...(stdin === undefined ? {} : { stdin }) });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(h.model.stats.requests).toBe(0);
  });

  it('starts entries with a higher `priority` first', async () => {
    const ws = await h.setup(AGENTS, script);
    const entries = [...tasks('a', 'b'), { ...tasks('c')[0], priority: 5 }];
    await writeFile(join(ws, 'tasks.json'), JSON.stringify(entries));
    const run = await t.cli(['batch', 'tasks.json', '--concurrency', '1'], { cwd: ws });
    expect(run.code, run.stderr).toBe(0);
    const started = [...run.stderr.matchAll(/\[echo: task (\w)\] started/g)].map((m) => m[1]);
    expect(started).toEqual(['a', 'c', 'b']);
  });

  it('refuses bad flag values (exit 2)', async () => {
    const ws = await h.setup(AGENTS, script);
    await writeFile(join(ws, 'tasks.json'), JSON.stringify(tasks('a')));
    const concurrency = await t.cli(['batch', 'tasks.json', '--concurrency', '0'], { cwd: ws });
    expect(concurrency.code).toBe(2);
    expect(concurrency.stderr).toContain("--concurrency must be a positive whole number, got '0'");
    const cost = await t.cli(['batch', 'tasks.json', '--max-cost', 'free']);
    expect(cost.stderr).toContain("--max-cost must be a positive number, got 'free'");
    expect(h.model.stats.requests).toBe(0);
  });
});
