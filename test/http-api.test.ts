import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startHttpServer, UnprotectedListenError } from '../src/http/index.ts';
import type { ScriptedRequest } from '../src/scripted-model/index.ts';
import { rawHttp, readSse, useApi } from './http-support.ts';
import { agentFile, useHarness } from './support.ts';

const h = useHarness();
const api = useApi();
const task = (extra: object = {}) => ({ description: 'say hi', prompt: 'say hi', ...extra });
/** One Read, then an answer. */
const readThenAnswer = (req: ScriptedRequest) =>
  req.turn === 0
    ? { text: 'reading', toolCalls: [{ name: 'Read', input: { file_path: 'a.txt' } }] }
    : { text: `answer to ${req.lastUserText}` };

async function until<T>(fn: () => T | undefined | Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(10);
  }
}

describe('POST /v1/tasks', () => {
  it('runs one task and blocks until done with ?wait=true; GET returns the same task', async () => {
    await h.setup({ 'a.txt': 'A' }, readThenAnswer);
    const { call } = await api(h.engine(), h.workspace);
    const started = await call('POST', '/v1/tasks?wait=true', task());
    expect(started.status).toBe(200);
    expect(started.json).toMatchObject({
      status: 'completed',
      agentType: 'general-purpose',
      content: 'answer to say hi',
      turns: 2,
      toolUses: 1,
      resolvedModel: 'openai:gpt-5.5',
    });
    expect(started.headers.get('location')).toBe(`/v1/tasks/${started.json.id}`);
    const got = await call('GET', `/v1/tasks/${started.json.id}`);
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ id: started.json.id, status: 'completed', content: 'answer to say hi' });
  });

  it('starts several tasks at once and answers 202 with their ids straight away', async () => {
    await h.setup({}, (req) => ({ text: `done: ${req.lastUserText}`, latencyMs: 50 }));
    const { call, obs } = await api(h.engine(), h.workspace);
    const res = await call('POST', '/v1/tasks', {
      tasks: [task({ prompt: 'one' }), task({ prompt: 'two' })],
    });
    expect(res.status).toBe(202);
    expect(res.json.tasks).toHaveLength(2);
    for (const t of res.json.tasks) expect(['queued', 'running']).toContain(t.status);
    const ids: string[] = res.json.tasks.map((t: { id: string }) => t.id);
    const done = await until(async () => {
      const views = await Promise.all(ids.map((id) => call('GET', `/v1/tasks/${id}`)));
      return views.every((v) => v.json.status === 'completed') ? views.map((v) => v.json) : undefined;
    });
    expect(done.map((v) => v.content)).toEqual(['done: one', 'done: two']);
    expect(obs.store!.get(ids[0]!)!.input).toMatchObject({ prompt: 'one' });
  });

  it.each([
    ['a missing field', task({ prompt: undefined }), 'prompt', 'is required'],
    ['an unknown field', task({ colour: 'red' }), '', 'unknown field(s): colour'],
    ['a wrong type', task({ description: 42 }), 'description', 'expected string'],
    ['an unknown agent', task({ subagent_type: 'nope' }), 'subagent_type', "unknown agent 'nope'"],
    ['a bad task in a batch', { tasks: [task(), task({ prompt: '' })] }, 'tasks.1.prompt', ''],
    ['an empty batch', { tasks: [] }, 'tasks', ''],
    [
      'a priority out of range',
      task({ priority: 101 }),
      'priority',
      'whole number from -100 to 100, got 101',
    ],
    [
      'a bad priority in a batch',
      { tasks: [task(), task({ priority: 'high' })] },
      'tasks.1.priority',
      'got "high"',
    ],
  ])('answers 400 naming the field for %s', async (_what, body, path, message) => {
    await h.setup();
    const { call } = await api(h.engine(), h.workspace);
    const res = await call('POST', '/v1/tasks', body);
    expect(res.status).toBe(400);
    expect(res.json.error.type).toBe('InvalidRequest');
    expect(res.json.error.issues[0].path).toBe(path);
    expect(res.json.error.issues[0].message).toContain(message);
  });

  it('starts the tasks of a batch by `priority`, and keeps it out of the Task input', async () => {
    await h.setup({}, (req) => ({ text: `done: ${req.lastUserText}` }));
    const engine = h.engine({ concurrency: 1 });
    const started: string[] = [];
    engine.events.on('task.started', (e) => started.push(e.description));
    const { call, obs } = await api(engine, h.workspace);
    const res = await call('POST', '/v1/tasks?wait=true', {
      tasks: [
        task({ description: 'a' }),
        task({ description: 'b' }),
        task({ description: 'c', priority: 5 }),
      ],
    });
    expect(res.status).toBe(200);
    expect(started).toEqual(['a', 'c', 'b']);
    expect(obs.store!.get(res.json.tasks[2].id)!.input).toEqual(task({ description: 'c' }));
  });

  it('answers 400 for bad JSON and a bad query, 415 for a non-JSON body, 413 past the size limit', async () => {
    await h.setup();
    const { call } = await api(h.engine(), h.workspace, { bodyLimitBytes: 1000 });
    expect((await call('POST', '/v1/tasks', '{"description":')).json.error.type).toBe('InvalidJson');
    const query = await call('POST', '/v1/tasks?wait=maybe', task());
    expect(query.status).toBe(400);
    expect(query.json.error.issues[0].path).toBe('wait');
    const text = await call('POST', '/v1/tasks', 'hi', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    const big = await call('POST', '/v1/tasks', task({ prompt: 'x'.repeat(2000) }));
    expect(big.status).toBe(413);
  });
});

describe('task routes', () => {
  it('answers 404 for unknown tasks and routes, 405 for a wrong method', async () => {
    await h.setup();
    const { call, server } = await api(h.engine(), h.workspace);
    expect((await call('GET', '/v1/tasks/0123456789abcdef')).status).toBe(404);
    expect((await call('DELETE', '/v1/tasks/0123456789abcdef')).status).toBe(404);
    expect((await fetch(`${server.url}/v1/tasks/0123456789abcdef/events`)).status).toBe(404);
    expect((await call('GET', '/v2/nothing')).status).toBe(404);
    const wrong = await call('PUT', '/v1/tasks');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST, GET');
  });

  it('cancels a running task with DELETE (202), then refuses a second cancel (409)', async () => {
    await h.setup({}, () => ({ fault: { kind: 'hang' } }));
    const { call } = await api(h.engine(), h.workspace);
    const { json } = await call('POST', '/v1/tasks', task());
    await until(async () => (await call('GET', `/v1/tasks/${json.id}`)).json.status === 'running');
    const cancel = await call('DELETE', `/v1/tasks/${json.id}`);
    expect(cancel.status).toBe(202);
    const ended = await until(async () => {
      const view = (await call('GET', `/v1/tasks/${json.id}`)).json;
      return view.status === 'running' ? undefined : view;
    });
    expect(ended).toMatchObject({ status: 'cancelled', error: { type: 'TaskCancelled' } });
    expect((await call('DELETE', `/v1/tasks/${json.id}`)).status).toBe(409);
  });

  it('lists tasks from the store, filtered by status and agent', async () => {
    await h.setup({ '.claude/agents/quick.md': agentFile({ name: 'quick', description: 'q' }) }, () => ({
      text: 'ok',
    }));
    const { call } = await api(h.engine(), h.workspace);
    await call('POST', '/v1/tasks?wait=true', { tasks: [task(), task({ subagent_type: 'quick' })] });
    const all = await call('GET', '/v1/tasks');
    expect(all.json.tasks).toHaveLength(2);
    const quick = await call('GET', '/v1/tasks?agent=quick&status=completed');
    expect(quick.json.tasks.map((t: { agentType: string }) => t.agentType)).toEqual(['quick']);
    expect((await call('GET', '/v1/tasks?status=bogus')).status).toBe(400);
  });
});

describe('GET /v1/tasks/:id/events (SSE)', () => {
  it('replays what already happened, then streams live events until the task ends', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    await h.setup({ 'a.txt': 'A' }, async (req) => {
      if (req.turn === 1) await gate;
      return readThenAnswer(req);
    });
    const { call, server } = await api(h.engine(), h.workspace);
    const { json } = await call('POST', '/v1/tasks', task());
    await until(async () => (await call('GET', `/v1/tasks/${json.id}`)).json.toolUses === 1);
    const seen: string[] = [];
    const streamed = readSse(`${server.url}/v1/tasks/${json.id}/events`, {
      onEvent: (e) => {
        seen.push(e.event);
        // Once the replay (everything up to the tool call) is in, let the model answer.
        if (e.event === 'task.tool' && e.data.phase === 'finished') release();
      },
    });
    const events = await streamed;
    expect(events.map((e) => e.event)).toEqual(
      expect.arrayContaining([
        'task.queued',
        'task.started',
        'task.model_call',
        'task.tool',
        'task.turn',
        'task.progress',
        'task.finished',
      ]),
    );
    expect(events.at(-1)!.event).toBe('task.finished');
    expect(events.at(-1)!.data.result).toMatchObject({ status: 'completed', content: 'answer to say hi' });
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    for (const e of events) expect(e.data).toMatchObject({ taskId: json.id, traceId: expect.any(String) });
  });

  it('resumes after Last-Event-ID', async () => {
    await h.setup({ 'a.txt': 'A' }, readThenAnswer);
    const { call, server } = await api(h.engine(), h.workspace);
    const { json } = await call('POST', '/v1/tasks?wait=true', task());
    const all = await readSse(`${server.url}/v1/tasks/${json.id}/events`);
    const rest = await readSse(`${server.url}/v1/tasks/${json.id}/events`, {
      headers: { 'last-event-id': '3' },
    });
    expect(rest.map((e) => e.id)).toEqual(all.slice(3).map((e) => e.id));
  });

  it('replays a task no longer in memory from the store', async () => {
    await h.setup({ 'a.txt': 'A' }, readThenAnswer);
    const { call, server } = await api(h.engine(), h.workspace, { finishedTasksKept: 0 });
    const { json } = await call('POST', '/v1/tasks?wait=true', task());
    expect(json.status).toBe('completed');
    const events = await readSse(`${server.url}/v1/tasks/${json.id}/events`);
    expect(events.map((e) => `${e.event}${e.data.phase ? `:${e.data.phase}` : ''}`)).toEqual([
      'task.queued',
      'task.started',
      'task.tool:started',
      'task.tool:finished',
      'task.turn',
      'task.turn',
      'task.finished',
    ]);
    expect(events.at(-1)!.data.result).toMatchObject({ status: 'completed', content: 'answer to say hi' });
  });
});

describe('agents, health, readiness, metrics', () => {
  it('lists the agents with their source and problems', async () => {
    await h.setup({
      '.claude/agents/rev.md': agentFile({
        name: 'rev',
        description: 'reviews',
        tools: 'Read',
        model: 'haiku',
      }),
      '.claude/agents/broken.md': '---\nname: broken\n---\n',
    });
    const { call } = await api(h.engine(), h.workspace);
    const { json } = await call('GET', '/v1/agents');
    expect(json.agents).toContainEqual(
      expect.objectContaining({ name: 'rev', description: 'reviews', model: 'haiku', tools: ['Read'] }),
    );
    expect(json.problems).toContainEqual(
      expect.objectContaining({ severity: 'error', field: 'description' }),
    );
  });

  it('answers /health, /ready (store, agents, providers) and /metrics', async () => {
    await h.setup();
    const { call } = await api(
      h.engine(),
      h.workspace,
      {},
      { circuits: () => [{ provider: 'openai', state: 'closed' }] },
    );
    expect((await call('GET', '/health')).json).toMatchObject({ status: 'ok' });
    const ready = await call('GET', '/ready');
    expect(ready.status).toBe(200);
    expect(ready.json.checks).toMatchObject({
      store: { ok: true },
      agents: { ok: true, count: 3 },
      providers: { ok: true, circuits: { openai: 'closed' } },
    });
    const metrics = await call('GET', '/metrics');
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(metrics.text).toContain('codex_task_circuit_state{provider="openai"} 0');
  });

  it("reads circuit states from the engine's provider health by default", async () => {
    await h.setup({}, () => ({ text: 'ok' }));
    const { call } = await api(h.engine(), h.workspace);
    await call('POST', '/v1/tasks?wait=true', { description: 'd', prompt: 'p' });
    const ready = await call('GET', '/ready');
    expect(ready.status).toBe(200);
    expect(ready.json.checks.providers.circuits.openai).toBe('closed');
    expect((await call('GET', '/metrics')).text).toContain('codex_task_circuit_state{provider="openai"} 0');
  });

  it('is not ready when every provider circuit is open', async () => {
    await h.setup();
    const { call } = await api(
      h.engine(),
      h.workspace,
      {},
      { circuits: () => [{ provider: 'openai', state: 'open' }] },
    );
    const ready = await call('GET', '/ready');
    expect(ready.status).toBe(503);
    expect(ready.json.checks.providers.ok).toBe(false);
  });
});

describe('authentication', () => {
  it('requires the bearer token on every route but /health when one is set', async () => {
    await h.setup();
    const { call } = await api(h.engine(), h.workspace, { token: 's3cret-token' });
    expect((await call('GET', '/health')).status).toBe(200);
    const none = await call('GET', '/v1/agents');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect((await call('GET', '/v1/agents', undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await call('POST', '/v1/tasks', task())).status).toBe(401);
    expect((await call('GET', '/metrics')).status).toBe(401);
    expect(
      (await call('GET', '/v1/agents', undefined, { authorization: 'Bearer s3cret-token' })).status,
    ).toBe(200);
  });

  it('refuses to bind beyond loopback without a token, and serves there with one', async () => {
    await h.setup();
    const refused = startHttpServer({ engine: h.engine(), host: '0.0.0.0', port: 0 });
    await expect(refused).rejects.toThrow(UnprotectedListenError);
    await expect(refused).rejects.toThrow(/^Refusing to listen on 0\.0\.0\.0 without a token/);
    const { server } = await api(h.engine(), h.workspace, { host: '0.0.0.0', token: 'tok-123456' });
    const res = await fetch(`http://127.0.0.1:${server.port}/v1/agents`, {
      headers: { authorization: 'Bearer tok-123456' },
    });
    expect(res.status).toBe(200);
  });
});

describe('requests from browsers and DNS-rebinding pages', () => {
  const json = { 'content-type': 'application/json' };
  const body = JSON.stringify(task());

  it('refuses a Host that is not loopback (DNS rebinding), on every route', async () => {
    await h.setup();
    const { server, obs } = await api(h.engine(), h.workspace);
    const post = await rawHttp(`${server.url}/v1/tasks?wait=true`, {
      method: 'POST',
      headers: { ...json, host: `evil.example:${server.port}` },
      body,
    });
    expect(post.status).toBe(403);
    expect(JSON.parse(post.text).error.type).toBe('ForbiddenHost');
    const list = await rawHttp(`${server.url}/v1/tasks`, { headers: { host: 'evil.example' } });
    expect(list.status).toBe(403);
    expect(obs.store!.count()).toBe(0);
    expect(h.model.requests).toHaveLength(0);
  });

  it('refuses a cross-origin browser request (Origin of another site, or Sec-Fetch-Site: cross-site)', async () => {
    await h.setup();
    const { server, obs } = await api(h.engine(), h.workspace);
    const foreign = await rawHttp(`${server.url}/v1/tasks?wait=true`, {
      method: 'POST',
      headers: { ...json, origin: 'https://evil.example' },
      body,
    });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.text).error.type).toBe('ForbiddenOrigin');
    // Another program on this machine, on another port, is another origin too.
    const otherPort = await rawHttp(`${server.url}/v1/agents`, {
      headers: { origin: `http://localhost:${server.port + 1}` },
    });
    expect(otherPort.status).toBe(403);
    const crossSite = await rawHttp(`${server.url}/v1/agents`, {
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    expect(obs.store!.count()).toBe(0);
  });

  it('refuses a POST whose body is not declared JSON (text/plain, forms, none: no CORS preflight)', async () => {
    await h.setup();
    const { server, obs } = await api(h.engine(), h.workspace);
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      '',
    ]) {
      const res = await rawHttp(`${server.url}/v1/tasks?wait=true`, {
        method: 'POST',
        headers: type ? { 'content-type': type } : {},
        body,
      });
      expect(res.status, type).toBe(415);
      expect(JSON.parse(res.text).error.type).toBe('UnsupportedMediaType');
    }
    expect(obs.store!.count()).toBe(0);
  });

  it('serves loopback Hosts, its own origin and JSON with a charset', async () => {
    await h.setup({}, () => ({ text: 'hello' }));
    const { server } = await api(h.engine(), h.workspace);
    for (const host of [
      `127.0.0.1:${server.port}`,
      `localhost:${server.port}`,
      'localhost',
      `[::1]:${server.port}`,
      `app.localhost:${server.port}`,
    ]) {
      expect((await rawHttp(`${server.url}/v1/agents`, { headers: { host } })).status, host).toBe(200);
    }
    const res = await rawHttp(`${server.url}/v1/tasks?wait=true`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        host: `localhost:${server.port}`,
        origin: `http://localhost:${server.port}`,
        'sec-fetch-site': 'same-origin',
      },
      body,
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ status: 'completed', content: 'hello' });
  });
});
