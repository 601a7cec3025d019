import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScriptedReply, ScriptedRequest } from '../src/scripted-model/index.ts';
import { RunStore } from '../src/store/index.ts';
import { runCli, scriptedModelEnv, startCli } from './cli-support.ts';
import { agentFile, useHarness } from './support.ts';

// `run --background`, `runs wait`, `runs show --follow` and `runs resume` on the real binary: the
// background task runs in a detached process of its own, and the commands meet it in the run store.
const h = useHarness();

const AGENTS = {
  '.claude/agents/reader.md': agentFile({ name: 'reader', description: 'reads', tools: 'Read' }, 'READER'),
  'notes.txt': 'the notes say 42\n',
};

/** `read` reads notes.txt and answers with what it found; anything else is echoed. */
function reader(req: ScriptedRequest): ScriptedReply {
  if (req.lastUserText === 'read' && req.turn === 0)
    return { text: 'reading the notes', toolCalls: [{ name: 'Read', input: { file_path: 'notes.txt' } }] };
  if (req.toolResults.length > 0) return { text: `found: ${req.toolResults[0]!.output.includes('42')}` };
  return { text: `echo: ${req.lastUserText}` };
}

/** A gate a scripted reply waits on, opened by the test: what happens before it is observable. */
function gate() {
  const { promise, resolve } = Promise.withResolvers<void>();
  return { opened: promise, open: () => resolve() };
}

const storeOf = (ws: string) => new RunStore({ path: join(ws, '.codex-task', 'runs.db') });

describe('codex-task run --background', () => {
  it('prints the id and exits while the task runs on; `runs wait` prints its result and the record is completed', async () => {
    const ws = await h.setup(AGENTS, reader);
    const env = scriptedModelEnv(h.model);
    const started = await runCli(['run', 'reader', 'read', '--background'], { cwd: ws, env });
    expect(started.code, started.stderr).toBe(0);
    const id = started.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(started.stderr).toContain(`running in the background as ${id}`);

    const waited = await runCli(['runs', 'wait', id], { cwd: ws, env });
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stdout).toBe('found: true\n');
    expect(waited.stderr).toMatch(/^completed · reader · openai:gpt-5\.5 · .* 1 tool uses \(Read×1\)/m);

    const store = storeOf(ws);
    try {
      expect(store.get(id)).toMatchObject({
        status: 'completed',
        agentType: 'reader',
        content: 'found: true',
      });
      expect(store.get(id)!.input).toEqual({ description: 'read', prompt: 'read', subagent_type: 'reader' });
    } finally {
      store.close();
    }
  });

  it('--json prints the id, status and pid; the prompt can come from stdin, the flags go along', async () => {
    const ws = await h.setup(AGENTS, reader);
    const env = scriptedModelEnv(h.model);
    const flags = ['-m', 'openai:gpt-5.5-mini', '--priority', '-5', '--timeout', '5m'];
    const started = await runCli(['run', 'reader', '-', '--background', '--json', ...flags], {
      cwd: ws,
      env,
      input: 'from stdin\n',
    });
    expect(started.code, started.stderr).toBe(0);
    const shown = JSON.parse(started.stdout) as { taskId: string; status: string; pid: number };
    expect(['queued', 'running', 'completed']).toContain(shown.status);
    expect(shown.pid).toBeGreaterThan(0);
    const waited = await runCli(['runs', 'wait', shown.taskId, '--json'], { cwd: ws, env });
    expect(waited.code).toBe(0);
    expect(JSON.parse(waited.stdout)).toMatchObject({
      id: shown.taskId,
      status: 'completed',
      content: 'echo: from stdin',
      resolvedModel: 'openai:gpt-5.5-mini',
      input: { prompt: 'from stdin\n', model: 'openai:gpt-5.5-mini' },
    });
  });
});

describe('codex-task runs show --follow', () => {
  it('prints the steps as they are recorded, then the result, and ends with the task', async () => {
    const second = gate();
    const ws = await h.setup(AGENTS, async (req) => {
      // The second turn waits until the follower has shown the first turn's steps.
      if (req.toolResults.length > 0) await second.opened;
      return reader(req);
    });
    const env = scriptedModelEnv(h.model);
    const started = await runCli(['run', 'reader', 'read', '--background'], { cwd: ws, env });
    expect(started.code, started.stderr).toBe(0);
    const id = started.stdout.trim();

    const follow = startCli(['runs', 'show', id, '--follow'], { cwd: ws, env });
    const shown = () => follow.output().stdout;
    await until(() => /← Read {2}ok/.test(shown()));
    expect(shown()).toContain(`task      ${id}`);
    expect(shown()).toContain('reading the notes');
    expect(shown()).toMatch(/→ Read \{"file_path":"notes\.txt"\}/);
    expect(shown()).not.toContain('found: true');
    second.open();

    const done = await follow.done;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/Turn 2[\s\S]*found: true[\s\S]*Result\n {2}found: true/);
    expect(done.stderr).toMatch(/^completed · reader/m);
  });
});

describe('codex-task runs resume', () => {
  it('continues the agent with its earlier conversation and prints the answer as `run` does', async () => {
    const ws = await h.setup(AGENTS, reader);
    const env = scriptedModelEnv(h.model);
    const first = await runCli(['run', 'reader', 'read', '--json'], { cwd: ws, env });
    expect(first.code, first.stderr).toBe(0);
    const firstId = (JSON.parse(first.stdout) as { taskId: string }).taskId;

    const resumed = await runCli(['runs', 'resume', firstId.slice(0, 8), 'and', 'now?', '--json'], {
      cwd: ws,
      env,
    });
    expect(resumed.code, resumed.stderr).toBe(0);
    const result = JSON.parse(resumed.stdout) as { taskId: string; content: string; continuesTaskId: string };
    expect(result).toMatchObject({ content: 'echo: and now?', continuesTaskId: firstId });
    expect(resumed.stderr).toContain('[reader: Follow-up to');

    // The follow-up's request carried the earlier conversation, then the new message.
    const last = h.model.requests.at(-1)!;
    expect(last.system).toContain('READER');
    expect(last.messages[0]).toEqual({ role: 'user', text: 'read' });
    expect(last.messages.at(-2)).toMatchObject({ role: 'assistant', text: 'found: true' });
    expect(last.messages.at(-1)).toEqual({ role: 'user', text: 'and now?' });

    const store = storeOf(ws);
    try {
      expect(store.get(result.taskId)).toMatchObject({ continuesTaskId: firstId, status: 'completed' });
    } finally {
      store.close();
    }
  });

  it('an unknown id exits 1 with TaskNotFound and its fix', async () => {
    const ws = await h.setup(AGENTS, reader);
    const resumed = await runCli(['runs', 'resume', 'ffffffffffffffff', 'hello'], {
      cwd: ws,
      env: scriptedModelEnv(h.model),
    });
    expect(resumed.code).toBe(1);
    expect(resumed.stdout).toBe('');
    expect(resumed.stderr).toContain(
      "TaskNotFound: No task 'ffffffffffffffff' to continue: its conversation is not kept here",
    );
    expect(resumed.stderr).toMatch(/fix: Continue a task by the agentId/);
    expect(h.model.stats.requests).toBe(0);
  });
});

/** Polls until `done()` holds (each test's own timeout bounds it). */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 20));
}
