import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { ScriptedRequest } from '../src/scripted-model/index.ts';
import { RunStore } from '../src/store/index.ts';
import { readSse, useApi } from './http-support.ts';
import { agentFile, useHarness } from './support.ts';

// POST /v1/tasks/:id/messages (Claude Code's SendMessage over HTTP), and background tasks.
const h = useHarness();
const api = useApi();

const AGENTS = {
  '.claude/agents/echo.md': agentFile({ name: 'echo', description: 'echoes' }, 'ECHO'),
};
const echo = (req: ScriptedRequest) => ({ text: `echo: ${req.lastUserText}` });
const task = { description: 'remember', prompt: 'the word is kiwi', subagent_type: 'echo' };

async function until<T>(fn: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    await sleep(10);
  }
}

describe('POST /v1/tasks/:id/messages', () => {
  it('answers 202 with the follow-up, which continues the conversation and is linked to the first task', async () => {
    await h.setup(AGENTS, echo);
    const { call, obs } = await api(h.engine(), h.workspace);
    const first = await call('POST', '/v1/tasks?wait=true', task);
    expect(first.status).toBe(200);

    const res = await call('POST', `/v1/tasks/${first.json.id}/messages`, {
      message: 'which word?',
      summary: 'recall the word',
    });
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({
      agentType: 'echo',
      description: 'recall the word',
      continuesTaskId: first.json.id,
      links: { messages: `/v1/tasks/${res.json.id}/messages` },
    });
    expect(['queued', 'running']).toContain(res.json.status);
    expect(res.headers.get('location')).toBe(`/v1/tasks/${res.json.id}`);

    const done = await until(async () => {
      const got = await call('GET', `/v1/tasks/${res.json.id}`);
      return got.json.status === 'completed' ? got.json : undefined;
    });
    expect(done).toMatchObject({ content: 'echo: which word?', continuesTaskId: first.json.id });
    expect(h.model.requests.at(-1)!.messages).toEqual([
      { role: 'user', text: 'the word is kiwi' },
      { role: 'assistant', text: 'echo: the word is kiwi', toolCalls: [] },
      { role: 'user', text: 'which word?' },
    ]);
    expect(obs.store!.get(res.json.id)).toMatchObject({ continuesTaskId: first.json.id });
  });

  it('with ?wait=true answers 200 once the follow-up has ended', async () => {
    await h.setup(AGENTS, echo);
    const { call } = await api(h.engine(), h.workspace);
    const first = await call('POST', '/v1/tasks?wait=true', task);
    const res = await call('POST', `/v1/tasks/${first.json.id}/messages?wait=true`, { message: 'again' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      status: 'completed',
      content: 'echo: again',
      description: `Follow-up to ${first.json.id}`,
      continuesTaskId: first.json.id,
    });
  });

  it('answers 404 with the TaskNotFound message for an id with no conversation here, starting nothing', async () => {
    await h.setup(AGENTS, echo);
    const { call, obs } = await api(h.engine(), h.workspace);
    const res = await call('POST', '/v1/tasks/0123456789abcdef/messages', { message: 'hello' });
    expect(res.status).toBe(404);
    expect(res.json.error).toMatchObject({
      type: 'NotFound',
      message: "No task '0123456789abcdef' to continue: its conversation is not kept here",
      hint: expect.stringContaining('POST /v1/tasks'),
    });
    expect(obs.store!.count()).toBe(0);
    expect(h.model.stats.requests).toBe(0);
  });

  it('answers 404 for a recorded task that left no conversation (refused before it ran)', async () => {
    await h.setup(AGENTS, echo);
    const { call } = await api(h.engine({ maxTasks: 1 }), h.workspace);
    expect((await call('POST', '/v1/tasks?wait=true', task)).json.status).toBe('completed');
    const refused = await call('POST', '/v1/tasks?wait=true', task);
    expect(refused.json.error.type).toBe('BudgetExceeded');
    const res = await call('POST', `/v1/tasks/${refused.json.id}/messages`, { message: 'hello' });
    expect(res.status).toBe(404);
    expect(res.json.error.message).toBe(
      `No task '${refused.json.id}' to continue: its conversation is not kept here`,
    );
  });

  it('answers 409 for a task another process still runs, 404 once that process is gone without it', async () => {
    await h.setup(AGENTS, echo);
    const { call, obs } = await api(h.engine(), h.workspace);
    // Another writer of the same store: this process, so alive while it says so.
    const other = new RunStore({ path: obs.store!.path });
    const instanceId = other.registerInstance();
    other.taskQueued({
      id: 'elsewhere0000001',
      agentType: 'echo',
      description: 'elsewhere',
      spawnDepth: 1,
      queuedAt: Date.now(),
      instanceId,
    });
    other.flush();
    const busy = await call('POST', '/v1/tasks/elsewhere0000001/messages', { message: 'hi' });
    expect(busy.status).toBe(409);
    expect(busy.json.error.message).toBe("Task 'elsewhere0000001' is queued in another process");
    other.releaseInstance(instanceId);
    other.close();
    const gone = await call('POST', '/v1/tasks/elsewhere0000001/messages', { message: 'hi' });
    expect(gone.status).toBe(404);
    expect(h.model.stats.requests).toBe(0);
  });

  it.each([
    ['a missing message', {}, 'message', 'is required'],
    ['an empty message', { message: '  ' }, 'message', ''],
    ['a wrong type', { message: 'hi', summary: 3 }, 'summary', 'expected string'],
    ['an unknown field', { message: 'hi', to: 'x' }, '', 'unknown field(s): to'],
    ['a priority out of range', { message: 'hi', priority: 500 }, 'priority', 'from -100 to 100'],
  ])('answers 400 naming the field for %s', async (_what, body, path, message) => {
    await h.setup(AGENTS, echo);
    const { call } = await api(h.engine(), h.workspace);
    const res = await call('POST', '/v1/tasks/0123456789abcdef/messages', body);
    expect(res.status).toBe(400);
    expect(res.json.error.type).toBe('InvalidRequest');
    expect(res.json.error.issues[0].path).toBe(path);
    expect(res.json.error.issues[0].message).toContain(message);
  });
});

describe('background tasks over HTTP', () => {
  it('accepts run_in_background; reading the finished task frees its place for the next one', async () => {
    await h.setup(AGENTS, echo);
    const { call, server } = await api(h.engine({ maxBackgroundUnread: 1 }), h.workspace);
    const first = await call('POST', '/v1/tasks', { ...task, run_in_background: true });
    expect(first.status).toBe(202);
    // SSE to the end delivers the result: that is a read.
    const events = await readSse(`${server.url}/v1/tasks/${first.json.id}/events`);
    expect(events.at(-1)).toMatchObject({ event: 'task.finished' });
    expect((await call('GET', `/v1/tasks/${first.json.id}`)).json).toMatchObject({
      status: 'completed',
      content: 'echo: the word is kiwi',
    });
    const second = await call('POST', '/v1/tasks?wait=true', { ...task, run_in_background: true });
    expect(second.json).toMatchObject({ status: 'completed' });
    const third = await call('POST', '/v1/tasks?wait=true', { ...task, run_in_background: true });
    expect(third.json).toMatchObject({ status: 'completed' });
  });
});
