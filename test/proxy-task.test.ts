import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadRuntimeSettings } from '../src/config/index.ts';
import {
  KEEPALIVE_EVENT,
  type ProxyOptions,
  type ProxyServer,
  SYNTHETIC_ID_PREFIX,
  startProxy,
} from '../src/proxy/index.ts';
import { type ScriptedModelServer, startScriptedModel } from '../src/scripted-model/index.ts';
import { agentFile, makeWorkspace } from './support.ts';

// Task inside the Responses stream, driven by hand-written requests in Codex's shapes (the real
// Codex CLI runs the same paths in codex-proxy-e2e.test.ts).
let model: ScriptedModelServer;
let workspace: string;
const proxies: ProxyServer[] = [];

beforeAll(async () => {
  model = await startScriptedModel();
  workspace = await makeWorkspace({
    '.claude/agents/napper.md': agentFile(
      { name: 'napper', description: 'Sleeps', tools: 'Read' },
      'AGENT:napper',
    ),
  });
});
afterEach(async () => {
  for (const p of proxies.splice(0)) await p.close();
  model.reset();
});
afterAll(() => model.close());

async function proxy(options: Partial<ProxyOptions> = {}): Promise<ProxyServer> {
  const settings = loadRuntimeSettings({ cwd: workspace, homeDir: workspace, env: {} });
  const p = await startProxy({
    settings,
    port: 0,
    upstream: model.baseUrls.openai,
    observe: { store: ':memory:', logger: false, audit: false, tracing: false },
    ...options,
  });
  proxies.push(p);
  return p;
}

const user = (text: string) => ({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] });
const post = (p: ProxyServer, body: unknown, signal?: AbortSignal) =>
  fetch(`${p.baseUrl}/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-parent' },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });

describe('Task in the proxy', () => {
  it('cancels the subagents of a response whose client went away', async () => {
    model.setHandler((req) =>
      req.system.includes('AGENT:napper')
        ? { text: 'never', latencyMs: 30_000 }
        : {
            toolCalls: [
              {
                name: 'Task',
                id: 'call_gone',
                input: { description: 'nap', prompt: 'nap', subagent_type: 'napper' },
              },
            ],
          },
    );
    const p = await proxy();
    const abort = new AbortController();
    const response = await post(
      p,
      { model: 'gpt-5.5', stream: true, tools: [], input: [user('go')] },
      abort.signal,
    );
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('Running 1 subagent'))
      text += new TextDecoder().decode((await reader.read()).value);
    abort.abort();
    const store = p.runtime.observability.store!;
    await expect
      .poll(() => store.list({ parentCallId: 'call_gone' })[0]?.status, { timeout: 5_000 })
      .toBe('cancelled');
  });

  it('adds Task to a responses-lite request without a functions namespace, and not where the client has its own or the request does not stream', async () => {
    model.setHandler(() => ({ text: 'ok' }));
    const p = await proxy();
    await (
      await post(p, {
        model: 'gpt-6.1-sol',
        stream: true,
        input: [{ type: 'additional_tools', tools: [] }, user('a')],
      })
    ).text();
    expect(model.requests.at(-1)!.tools).toEqual(['Task']);
    const own = { type: 'function', name: 'Task', description: 'mine', parameters: { type: 'object' } };
    await (await post(p, { model: 'gpt-5.5', stream: true, tools: [own], input: [user('b')] })).text();
    expect(model.requests.at(-1)!.tools).toEqual(['Task']);
    await (await post(p, { model: 'gpt-5.5', tools: [], input: [user('c')] })).text();
    expect(model.requests.at(-1)!.tools).toEqual([]);
  });

  it('forwards the body untouched when Task is disabled', async () => {
    model.setHandler(() => ({ text: 'ok' }));
    const p = await proxy({ injectTask: false, slashCommands: false });
    const body = { model: 'gpt-5.5', stream: true, tools: [], input: [user('hello')] };
    await (await post(p, body)).text();
    expect(model.requests.at(-1)!.tools).toEqual([]);
  });

  it('answers invalid Task input with an error naming the field', async () => {
    model.setHandler((req) =>
      req.toolResults.length > 0
        ? { text: `saw: ${req.toolResults[0]!.output}` }
        : { toolCalls: [{ name: 'Task', id: 'call_bad', input: { description: 'no prompt' } }] },
    );
    const p = await proxy();
    const first = await (
      await post(p, { model: 'gpt-5.5', stream: true, tools: [], input: [user('go')] })
    ).text();
    const progress = /"item":\{"id":"(rs_codextask_\w+)"/.exec(first)?.[1];
    expect(progress?.startsWith(SYNTHETIC_ID_PREFIX)).toBe(true);
    const call = {
      type: 'function_call',
      id: 'fc_1',
      call_id: 'call_bad',
      name: 'Task',
      arguments: '{"description":"no prompt"}',
    };
    await (
      await post(p, {
        model: 'gpt-5.5',
        stream: true,
        tools: [],
        input: [
          user('go'),
          call,
          { type: 'reasoning', id: progress, summary: [] },
          { type: 'function_call_output', call_id: 'call_bad', output: 'unsupported call: Task' },
        ],
      })
    ).text();
    const second = model.requests.at(-1)!;
    expect(second.toolResults[0]!.output).toMatch(/prompt/);
    expect(second.toolResults[0]!.output).not.toContain('unsupported call');
  });

  it('keeps the stream alive while a result it must wait for is computed (a call it never saw run)', async () => {
    model.setHandler((req) =>
      req.system.includes('AGENT:napper')
        ? { text: 'napped well', latencyMs: 600 }
        : { text: `saw: ${req.toolResults[0]?.output}` },
    );
    const p = await proxy({ keepAliveMs: 100 });
    const call = {
      type: 'function_call',
      id: 'fc_2',
      call_id: 'call_unseen',
      name: 'Task',
      arguments: JSON.stringify({ description: 'nap', prompt: 'nap', subagent_type: 'napper' }),
    };
    const response = await post(p, {
      model: 'gpt-5.5',
      stream: true,
      tools: [],
      input: [
        user('go'),
        call,
        { type: 'function_call_output', call_id: 'call_unseen', output: 'unsupported call: Task' },
      ],
    });
    expect(response.status).toBe(200);
    const events = (await response.text())
      .split('\n')
      .filter((l) => l.startsWith('event: '))
      .map((l) => l.slice(7));
    const created = events.indexOf('response.created');
    expect(events.slice(0, created).filter((e) => e === KEEPALIVE_EVENT).length).toBeGreaterThanOrEqual(3);
    expect(events.at(-1)).toBe('response.completed');
    expect(model.requests.at(-1)!.toolResults[0]!.output).toContain('napped well');
  });
});
