import { beforeEach, describe, expect, it } from 'vitest';
import type { ScriptedReply, ScriptedRequest } from '../src/scripted-model/index.ts';
import { useInProcessCli } from './cli-in-process-support.ts';
import { agentFile, useHarness } from './support.ts';

// `run --background`, `runs wait`, `runs show --follow` and `runs resume`, in process (the
// background task itself still runs in a detached process: cli-background.test.ts drives the binary).
const h = useHarness();
const t = useInProcessCli();

beforeEach(() => {
  process.env.OPENAI_API_KEY = 'sk-test-abcdefghijklmnop';
  process.env.OPENAI_BASE_URL = h.model.baseUrls.openai;
});

const AGENTS = {
  '.claude/agents/echo.md': agentFile({ name: 'echo', description: 'echoes', tools: 'Read' }, 'ECHO'),
};

/**
 * Echoes, but a prompt `hold` is answered only once the test opens the gate: its task stays running
 * as long as the test needs it to.
 */
function held() {
  const { promise, resolve } = Promise.withResolvers<void>();
  const handler = async (req: ScriptedRequest): Promise<ScriptedReply> => {
    if (req.lastUserText === 'hold') await promise;
    return { text: `echo: ${req.lastUserText}` };
  };
  return { handler, release: () => resolve() };
}

async function background(ws: string, prompt: string): Promise<string> {
  const started = await t.cli(['run', 'echo', prompt, '--background'], { cwd: ws });
  expect(started.code, started.stderr).toBe(0);
  return started.stdout.trim();
}

describe('runs wait, in process', () => {
  it('gives up after --timeout (exit 1, the task goes on), stops on Ctrl-C (exit 130), then prints the result', async () => {
    const gate = held();
    const ws = await h.setup(AGENTS, gate.handler);
    const id = await background(ws, 'hold');

    const early = await t.cli(['runs', 'wait', id, '--timeout', '200ms']);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(new RegExp(`Task ${id} is still (queued|running) after 200ms`));
    expect(early.stderr).toContain(`codex-task runs show ${id} --follow`);

    const waiting = t.start(['runs', 'wait', id]);
    await until(() => waiting.output().stderr.includes(`Waiting for task ${id}`));
    waiting.interrupt();
    const stopped = await waiting.done;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain(`Stopped waiting; task ${id} goes on`);

    gate.release();
    const done = await t.cli(['runs', 'wait', id.slice(0, 6)]);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toBe('echo: hold\n');
    expect(done.stderr).toMatch(/^completed · echo · openai:gpt-5\.5/m);
  });

  it('an unknown id exits 1 naming the store; a bad --timeout exits 2', async () => {
    const ws = await h.setup(AGENTS);
    const unknown = await t.cli(['runs', 'wait', 'ffffffffffffffff'], { cwd: ws });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("No task 'ffffffffffffffff' in");
    expect(unknown.stderr).toContain('codex-task runs list');
    const bad = await t.cli(['runs', 'wait', 'ffff', '--timeout', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--timeout must be a positive duration, got 'soon'");
  });

  it('a failed task exits as `run` does: 1, the error and its fix on stderr, nothing on stdout', async () => {
    const ws = await h.setup(AGENTS, () => ({ fault: { kind: 'status', status: 400 } }));
    const id = await background(ws, 'anything');
    const waited = await t.cli(['runs', 'wait', id]);
    expect(waited.code).toBe(1);
    expect(waited.stdout).toBe('');
    expect(waited.stderr).toMatch(/^failed · echo · .*\n {2}Provider: /m);
  });
});

describe('run --background, in process', () => {
  it('a task refused at once (unknown agent) still prints its id, and says why with its exit code', async () => {
    const ws = await h.setup(AGENTS);
    const started = await t.cli(['run', 'ecoh', 'hi', '--background'], { cwd: ws });
    expect(started.code).toBe(2);
    const id = started.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(started.stderr).toMatch(/AgentNotFound: Agent type 'ecoh' not found/);
    const shown = await t.cli(['runs', 'show', id, '--json']);
    expect(JSON.parse(shown.stdout).task).toMatchObject({ id, status: 'failed' });
    expect(h.model.stats.requests).toBe(0);
  });

  it('refuses bad flags before starting anything (exit 2)', async () => {
    const ws = await h.setup(AGENTS);
    const priority = await t.cli(['run', 'echo', 'hi', '--background', '--priority', 'high'], { cwd: ws });
    expect(priority.code).toBe(2);
    expect(priority.stdout).toBe('');
    const taskId = await t.cli(['run', 'echo', 'hi', '--task-id', 'no spaces'], { cwd: ws });
    expect(taskId.code).toBe(2);
    expect(taskId.stderr).toContain("--task-id must be 1 to 64 letters, digits, '_' or '-'");
    const help = await t.cli(['run', '--help']);
    expect(help.stdout).toContain('--background');
    expect(help.stdout).not.toContain('--task-id');
  });
});

describe('runs show --follow, in process', () => {
  it('--json prints JSON lines: the task, each step, the finished task; Ctrl-C stops following only', async () => {
    const gate = held();
    const ws = await h.setup(AGENTS, gate.handler);
    const id = await background(ws, 'hold');

    const following = t.start(['runs', 'show', id, '--follow']);
    await until(() => following.output().stdout.includes(`task      ${id}`));
    following.interrupt();
    const stopped = await following.done;
    expect(stopped.code).toBe(130);
    expect(stopped.stdout).toContain(`task      ${id}`);
    expect(stopped.stderr).toContain(`Stopped following; task ${id} goes on`);

    gate.release();
    const lines = await t.cli(['runs', 'show', id, '--follow', '--json']);
    expect(lines.code, lines.stderr).toBe(0);
    const parsed = lines.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; status?: string; kind?: string });
    expect(parsed[0]).toMatchObject({ type: 'task', id });
    expect(parsed.filter((l) => l.type === 'step').map((l) => l.kind)).toEqual(['turn']);
    expect(parsed.at(-1)).toMatchObject({ type: 'task', id, status: 'completed', content: 'echo: hold' });
  });
});

describe('runs resume, in process', () => {
  it('waits for a task still running in the background, then continues it', async () => {
    const gate = held();
    const ws = await h.setup(AGENTS, gate.handler);
    const id = await background(ws, 'hold');
    const resuming = t.start(['runs', 'resume', id, 'and', 'then?', '--summary', 'ask more']);
    // Nothing is sent while the first task runs: its conversation is kept when it ends.
    await until(() => resuming.output().stderr.includes('waiting for it to finish first'));
    gate.release();
    const resumed = await resuming.done;
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toBe('echo: and then?\n');
    expect(resumed.stderr).toContain('[echo: ask more] started on openai:gpt-5.5');
    const last = h.model.requests.at(-1)!;
    expect(last.messages).toEqual([
      { role: 'user', text: 'hold' },
      { role: 'assistant', text: 'echo: hold', toolCalls: [] },
      { role: 'user', text: 'and then?' },
    ]);
    const list = await t.cli(['runs', 'list', '--json']);
    expect(JSON.parse(list.stdout)[0]).toMatchObject({ description: 'ask more', continuesTaskId: id });
  });

  it('an ambiguous prefix is a usage error (exit 2) and sends nothing', async () => {
    const ws = await h.setup(AGENTS, (req) => ({ text: `echo: ${req.lastUserText}` }));
    // Ids are random hex: among 17 tasks two share a first character.
    for (let i = 0; i < 17; i++) expect((await t.cli(['run', 'echo', `n${i}`], { cwd: ws })).code).toBe(0);
    const ids = (JSON.parse((await t.cli(['runs', 'list', '--json'])).stdout) as { id: string }[]).map(
      (r) => r.id,
    );
    const shared = ids.map((id) => id[0]!).find((c, i, all) => all.indexOf(c) !== i)!;
    const requests = h.model.stats.requests;
    const resumed = await t.cli(['runs', 'resume', shared, 'hello']);
    expect(resumed.code).toBe(2);
    expect(resumed.stderr).toContain(`'${shared}' matches`);
    expect(h.model.stats.requests).toBe(requests);
  });
});

/** Polls until `done()` holds (each test's own timeout bounds it). */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 20));
}
