import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadRuntimeSettings } from '../src/config/index.ts';
import {
  KEEPALIVE_EVENT,
  ProxyConfigError,
  type ProxyOptions,
  type ProxyServer,
  startProxy,
} from '../src/proxy/index.ts';
import { type ScriptedModelServer, startScriptedModel } from '../src/scripted-model/index.ts';
import { agentFile, makeWorkspace } from './support.ts';

// The proxy's edges, each with real loopback servers: a raw node:http upstream whose every byte the
// test writes (streams cut short, malformed events, errors after a stream was opened), and the
// scripted model where the subagents run (on its Anthropic wire, a provider of their own) or, for
// the tests about the subagents' credentials, as the upstream itself.

// biome-ignore lint/suspicious/noExplicitAny: tests read request and event bodies field by field
type Json = Record<string, any>;
type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>;
interface Upstream {
  url: string;
  seen: { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer }[];
  close(): Promise<void>;
}

let model: ScriptedModelServer;
let workspace: string;
const proxies: ProxyServer[] = [];
const upstreams: Upstream[] = [];

beforeAll(async () => {
  model = await startScriptedModel();
  workspace = await makeWorkspace({
    '.claude/agents/napper.md': agentFile(
      { name: 'napper', description: 'Sleeps', tools: 'Read', model: 'anthropic:claude-sonnet-5' },
      'AGENT:napper',
    ),
    '.claude/agents/helper.md': agentFile(
      { name: 'helper', description: 'Helps on the caller model', tools: 'Read' },
      'AGENT:helper',
    ),
    '.claude/commands/fix.md': '---\ndescription: Fix an issue\n---\nFix issue $ARGUMENTS carefully.',
    '.claude/commands/pair.md': 'Compare $1 with $2; then $3.',
    '.claude/commands/plain.md': 'Review the staged changes.',
    '.claude/commands/quick.md': '---\nmodel: gpt-5.5-mini\n---\nQuickly: $ARGUMENTS',
    '.claude/commands/elsewhere.md': '---\nmodel: anthropic:claude-opus-4-8\n---\nDeeply: $ARGUMENTS',
  });
});
afterEach(async () => {
  for (const p of proxies.splice(0)) await p.close();
  for (const u of upstreams.splice(0)) await u.close();
  model.reset();
});
afterAll(() => model.close());

async function startUpstream(handler: Handler): Promise<Upstream> {
  const seen: Upstream['seen'] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    await handler(req, res, body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const upstream: Upstream = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  upstreams.push(upstream);
  return upstream;
}

async function proxy(upstream: string, options: Partial<ProxyOptions> = {}): Promise<ProxyServer> {
  // The subagents' own provider: the scripted model's Anthropic wire (agents name it in `model`).
  const env = { ANTHROPIC_BASE_URL: model.baseUrls.anthropic, ANTHROPIC_API_KEY: 'sk-ant-test' };
  const settings = loadRuntimeSettings({ cwd: workspace, homeDir: workspace, env });
  const p = await startProxy({
    settings,
    port: 0,
    upstream,
    observe: { store: ':memory:', logger: false, audit: false, tracing: false },
    ...options,
  });
  proxies.push(p);
  return p;
}

function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open };
}

// Responses SSE, as the upstream writes it.
const sse = (type: string, data: object = {}) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const created = sse('response.created', { response: { id: 'resp_up', status: 'in_progress', output: [] } });
const completed = (output: unknown[] = []) =>
  sse('response.completed', { response: { id: 'resp_up', status: 'completed', output } });
const taskCall = (callId: string, args: string) => ({
  type: 'function_call',
  id: `fc_${callId}`,
  call_id: callId,
  name: 'Task',
  arguments: args,
  status: 'completed',
});
const itemDone = (index: number, item: object) =>
  sse('response.output_item.done', { output_index: index, item });
const napArgs = JSON.stringify({ description: 'nap', prompt: 'nap', subagent_type: 'napper' });

const user = (text: string, id?: string) => ({
  type: 'message',
  role: 'user',
  ...(id ? { id } : {}),
  content: [{ type: 'input_text', text }],
});
const unsupported = (callId: string) => ({
  type: 'function_call_output',
  call_id: callId,
  output: 'unsupported call: Task',
});
const post = (
  p: ProxyServer,
  body: unknown,
  init: { headers?: Record<string, string>; signal?: AbortSignal } = {},
) =>
  fetch(`${p.baseUrl}/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(init.signal ? { signal: init.signal } : {}),
  });

const eventTypes = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith('event: '))
    .map((l) => l.slice(7));
const eventData = (text: string, type: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith(`data: {"type":"${type}"`))
    .map((l) => JSON.parse(l.slice(6)) as Json);

/** Reads a stream until its text so far contains `marker`. */
async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, marker: string): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes(marker)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended before '${marker}':\n${text}`);
    text += decoder.decode(value, { stream: true });
  }
  return text;
}

async function readRest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return Buffer.concat(chunks);
    chunks.push(Buffer.from(value));
  }
}

/** The user texts of the latest request the upstream got (what the model read). */
function userTexts(upstream: Upstream): unknown[] {
  const body = JSON.parse(upstream.seen.at(-1)!.body.toString('utf8')) as { input: Json[] };
  return body.input
    .filter((item) => item.role === 'user')
    .map((item) => (typeof item.content === 'string' ? item.content : item.content[0].text));
}

/** The output of the (one) function call output in the latest request the upstream got. */
function sentOutput(upstream: Upstream): unknown {
  const body = JSON.parse(upstream.seen.at(-1)!.body.toString('utf8')) as { input: Json[] };
  return body.input.find((item) => item.type === 'function_call_output')?.output;
}

describe('slash commands through the proxy', () => {
  const json = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"id":"resp_up","status":"completed","output":[]}');
  };

  it('substitutes $ARGUMENTS and $1…, appends ARGUMENTS: to a body without placeholders, in either content shape', async () => {
    const up = await startUpstream(json);
    const p = await proxy(`${up.url}/v1`);
    const cases: [string, string][] = [
      ['/fix 42 in the parser', 'Fix issue 42 in the parser carefully.'],
      ['/pair "src/a b.ts" src/c.ts', 'Compare src/a b.ts with src/c.ts; then .'],
      ['/plain focus on tests', 'Review the staged changes.\n\nARGUMENTS: focus on tests'],
      ['/plain', 'Review the staged changes.'],
    ];
    for (const [typed, expanded] of cases) {
      const response = await post(p, { model: 'gpt-5.5', stream: true, input: [user(typed)] });
      expect(response.status).toBe(200);
      await response.text();
      expect(userTexts(up)).toEqual([expanded]);
    }
    // A string content (what other Responses clients send) is expanded in place too.
    await (await post(p, { model: 'gpt-5.5', input: [{ role: 'user', content: '/fix 7' }] })).text();
    expect(userTexts(up)).toEqual(['Fix issue 7 carefully.']);
  });

  it('sends anything that is not a known command exactly as the client wrote it', async () => {
    const up = await startUpstream(json);
    const p = await proxy(`${up.url}/v1`);
    const bodies = [
      { model: 'gpt-5.5', input: [user('/nosuchcommand with args')] },
      { model: 'gpt-5.5', input: [user('/usr/bin/env node script.js')] },
      { model: 'gpt-5.5', input: [user('please /fix 42')] },
      { model: 'gpt-5.5', input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'x' }] }] },
      { model: 'gpt-5.5', input: [{ role: 'user', content: { text: '/fix 1' } }] },
      { model: 'gpt-5.5', input: 'a string input, /fix 3' },
    ];
    for (const body of bodies) {
      // Spaced unusually: a body the proxy had rewritten would come out compact.
      const text = JSON.stringify(body, null, 1);
      await (await post(p, text)).text();
      expect(up.seen.at(-1)!.body.toString('utf8')).toBe(text);
    }
  });

  it("sets the turn's model from the command, and keeps the request's (with a warning) when the upstream cannot serve it", async () => {
    const up = await startUpstream(json);
    const log = join(workspace, `slash-${Date.now()}.log`);
    const p = await proxy(`${up.url}/v1`, {
      observe: {
        store: ':memory:',
        audit: false,
        tracing: false,
        logger: { level: 'warn', destination: log, sync: true },
      },
    });
    const sent = () => JSON.parse(up.seen.at(-1)!.body.toString('utf8')) as { model: string };
    await (await post(p, { model: 'gpt-5.5', stream: true, input: [user('/quick rename x')] })).text();
    expect(sent().model).toBe('gpt-5.5-mini');
    expect(userTexts(up)).toEqual(['Quickly: rename x']);
    await (await post(p, { model: 'gpt-5.5', stream: true, input: [user('/elsewhere rename y')] })).text();
    expect(sent().model).toBe('gpt-5.5');
    expect(userTexts(up)).toEqual(['Deeply: rename y']);
    const warning = (await readFile(log, 'utf8')).split('\n').find((l) => l.includes('elsewhere.md'));
    expect(JSON.parse(warning!).msg).toMatch(
      /elsewhere\.md: model 'anthropic:claude-opus-4-8' cannot be served by the upstream \(.+\); the request's model is kept$/,
    );
  });

  it('shows the model, in later turns, the expansion it saw then, even after the command file changed', async () => {
    const up = await startUpstream(json);
    const p = await proxy(`${up.url}/v1`);
    const file = join(workspace, '.claude/commands/turns.md');
    await writeFile(file, 'First version: $ARGUMENTS');
    const first = user('/turns one', 'msg_1');
    await (await post(p, { model: 'gpt-5.5', stream: true, input: [first] })).text();
    expect(userTexts(up)).toEqual(['First version: one']);
    // Codex resends the message as typed; the command changed meanwhile (read again per turn).
    await writeFile(file, 'Second version: $ARGUMENTS');
    const reply = { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'done' }] };
    const second = user('/turns two', 'msg_2');
    await (await post(p, { model: 'gpt-5.5', stream: true, input: [first, reply, second] })).text();
    expect(userTexts(up)).toEqual(['First version: one', 'Second version: two']);
    // A third turn that is no command: both earlier expansions stay as the model saw them.
    await (
      await post(p, { model: 'gpt-5.5', stream: true, input: [first, reply, second, reply, user('thanks')] })
    ).text();
    expect(userTexts(up)).toEqual(['First version: one', 'Second version: two', 'thanks']);
  });

  it('leaves /commands as typed when slash commands are off', async () => {
    const up = await startUpstream(json);
    const p = await proxy(`${up.url}/v1`, { slashCommands: false });
    await (await post(p, { model: 'gpt-5.5', stream: true, input: [user('/fix 42')] })).text();
    expect(userTexts(up)).toEqual(['/fix 42']);
  });
});

describe('the Responses route when things go wrong', () => {
  it('passes a body that is not a JSON object upstream as sent, and the upstream’s own error back', async () => {
    const error =
      '{"error":{"message":"We could not parse the JSON body of your request.","type":"invalid_request_error"}}';
    const up = await startUpstream((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(error);
    });
    const p = await proxy(`${up.url}/v1`);
    for (const body of ['{"model":"gpt-5.5","input":', '["not", "an", "object"]']) {
      const response = await post(p, body);
      expect(response.status).toBe(400);
      expect(await response.text()).toBe(error);
      expect(up.seen.at(-1)!.body.toString('utf8')).toBe(body);
    }
  });

  it('cancels the upstream request when the client hangs up before the upstream answers', async () => {
    const arrived = gate();
    const upstreamGone = gate();
    const up = await startUpstream((_req, res) => {
      // Never answers: only the proxy giving up ends this request.
      res.on('close', upstreamGone.open);
      arrived.open();
    });
    const p = await proxy(`${up.url}/v1`);
    const abort = new AbortController();
    const request = post(
      p,
      { model: 'gpt-5.5', stream: true, input: [user('hi')] },
      { signal: abort.signal },
    );
    await arrived.wait;
    abort.abort();
    await expect(request).rejects.toThrow(/abort/i);
    await upstreamGone.wait;
  });

  it('cuts the client’s stream where the upstream cut its own, on the Task path and the plain one', async () => {
    let release = gate();
    const partial = 'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","del';
    const up = await startUpstream(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(created);
      await release.wait;
      res.write(partial);
      res.destroy();
    });
    const p = await proxy(`${up.url}/v1`);
    const requests = [
      () => post(p, { model: 'gpt-5.5', stream: true, tools: [], input: [user('hi')] }),
      () => fetch(`${p.baseUrl}/models`),
    ];
    for (const send of requests) {
      release = gate();
      const response = await send();
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      expect(await readUntil(reader, '\n\n')).toBe(created);
      release.open();
      // Not a clean end: the client knows the response is incomplete (Codex retries it).
      await expect(readRest(reader)).rejects.toThrow();
    }
    expect(up.seen).toHaveLength(2);
  });

  it('relays events it cannot parse, and a last event never terminated, byte for byte, running nothing', async () => {
    const upstreamBytes = [
      created,
      // A done function call whose data is not JSON.
      'event: response.output_item.done\ndata: {"type":"response.output_item.done","item":{"type":"function_call","name":"Task",\n\n',
      // No event line, data that is JSON but no object.
      'data: "response.output_item.done: function_call"\n\n',
      // `event:` without its space, a function call of another tool.
      `event:response.output_item.done\ndata: ${JSON.stringify({ type: 'response.output_item.done', output_index: 0, item: { type: 'function_call', name: 'exec_command', call_id: 'call_x', arguments: '{}' } })}\n\n`,
      completed([]),
      'event: response.output_text.done\ndata: {"type":"response.output_text.done","text":"tail"}\n',
    ].join('');
    const up = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(upstreamBytes);
    });
    const p = await proxy(`${up.url}/v1`);
    const response = await post(p, { model: 'gpt-5.5', stream: true, tools: [], input: [user('hi')] });
    expect(Buffer.from(await response.arrayBuffer()).toString('utf8')).toBe(upstreamBytes);
    expect(model.requests).toHaveLength(0);
    expect(p.runtime.observability.store!.list({})).toHaveLength(0);
  });

  it('relays an event bigger than the socket buffers whole and in order, as fast as the client takes it', async () => {
    const big = sse('response.output_text.delta', { output_index: 0, delta: 'x'.repeat(2 * 1024 * 1024) });
    const upstreamBytes = Buffer.from(`${created}${big}${completed([])}`);
    const up = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(upstreamBytes);
    });
    const p = await proxy(`${up.url}/v1`);
    const response = await post(p, { model: 'gpt-5.5', stream: true, tools: [], input: [user('hi')] });
    expect(Buffer.from(await response.arrayBuffer()).equals(upstreamBytes)).toBe(true);
  });

  it('holds whatever follows the final event, however large, until its subagent is done, then relays it unchanged', async () => {
    model.setHandler((req) => (req.system.includes('AGENT:napper') ? { text: 'napped' } : { text: '?' }));
    const call = taskCall('call_held', napArgs);
    const before = `${created}${itemDone(0, call)}`;
    const after = `${completed([call])}: ${'after the end '.repeat(40_000)}\n\n`;
    const up = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`${before}${after}`);
    });
    const p = await proxy(`${up.url}/v1`);
    const response = await post(p, { model: 'gpt-5.5', stream: true, tools: [], input: [user('go')] });
    const text = await response.text();
    expect(text.startsWith(before)).toBe(true);
    expect(text.endsWith(after)).toBe(true);
    const progress = text.slice(before.length, text.length - after.length);
    expect(eventData(progress, 'response.reasoning_summary_text.delta')[0]!.delta).toBe(
      'Running 1 subagent: nap (napper)',
    );
    expect(model.requests.filter((r) => r.system.includes('AGENT:napper'))).toHaveLength(1);
  });
});

describe('a stream opened to wait for a Task result', () => {
  /**
   * Request 1 streams a Task call whose subagent waits on `nap`; request 2 (Codex's next, with the
   * "unsupported call" answer) comes before it finished, so the proxy opens its stream and keeps it
   * alive. `meanwhile` runs once request 1's upstream stream is over; `answer` answers request 2.
   */
  async function waitingStream(options: { meanwhile?: (up: Upstream) => Promise<void>; answer?: Handler }) {
    const nap = gate();
    model.setHandler(async (req) => {
      if (!req.system.includes('AGENT:napper')) return { text: '?' };
      await nap.wait;
      return { text: 'napped' };
    });
    const call = taskCall('call_wait', napArgs);
    const up = await startUpstream((req, res, body) => {
      if (body.includes('function_call_output') && options.answer) return options.answer(req, res, body);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`${created}${itemDone(0, call)}${completed([call])}`);
    });
    const p = await proxy(`${up.url}/v1`, { keepAliveMs: 60_000 });
    const first = await post(p, { model: 'gpt-5.5', stream: true, tools: [], input: [user('go')] });
    const firstReader = first.body!.getReader();
    // Progress comes once the upstream's stream has ended (its final event held back).
    await readUntil(firstReader, 'Running 1 subagent');
    await options.meanwhile?.(up);
    const response = await post(p, {
      model: 'gpt-5.5',
      stream: true,
      tools: [],
      input: [user('go'), call, unsupported('call_wait')],
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    let text = await readUntil(reader, KEEPALIVE_EVENT);
    nap.open();
    text += (await readRest(reader)).toString('utf8');
    // Request 1 still ends as the upstream ended it, after its subagent's progress.
    expect((await readRest(firstReader)).toString('utf8').endsWith(completed([call]))).toBe(true);
    return { text, up };
  }

  it('reports an upstream gone meanwhile as response.failed, which Codex shows', async () => {
    const { text } = await waitingStream({ meanwhile: (up) => up.close() });
    expect(eventTypes(text)).toEqual([KEEPALIVE_EVENT, 'response.failed']);
    const [failed] = eventData(text, 'response.failed');
    expect(failed!.response.status).toBe('failed');
    expect(failed!.response.error.code).toBe('upstream_unavailable');
    expect(failed!.response.error.message).toMatch(
      /^codex-task proxy: the upstream http:\/\/127\.0\.0\.1:\d+\/v1 is not reachable \(ECONNREFUSED/,
    );
  });

  it("reports an upstream's error answer as response.failed with its status and body", async () => {
    const error = '{"error":{"message":"Rate limit reached","type":"rate_limit_exceeded"}}';
    const { text, up } = await waitingStream({
      answer: (_req, res) => {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
        res.end(error);
      },
    });
    expect(eventTypes(text)).toEqual([KEEPALIVE_EVENT, 'response.failed']);
    const [failed] = eventData(text, 'response.failed');
    expect(failed!.response.error.message).toBe(`codex-task proxy: upstream answered 429: ${error}`);
    // The upstream got the real result in place of Codex's "unsupported call".
    expect(sentOutput(up)).toContain('napped');
  });
});

describe('Task calls at the edges', () => {
  it('answers a call whose arguments are not JSON with the input error, after a restart too, and runs nothing', async () => {
    const broken = taskCall('call_broken', '{"description": "cut short", "prompt": ');
    const up = await startUpstream((_req, res, body) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (body.includes('function_call_output')) res.end(`${created}${completed([])}`);
      else res.end(`${created}${itemDone(0, broken)}${completed([broken])}`);
    });
    const observe = {
      store: join(workspace, `broken-${Date.now()}.db`),
      logger: false,
      audit: false,
      tracing: false,
    } as const;
    const next = {
      model: 'gpt-5.5',
      stream: true,
      tools: [],
      input: [user('go'), broken, unsupported('call_broken')],
    };
    const answer = () => sentOutput(up) as string;
    const before = await proxy(`${up.url}/v1`, { observe });
    const first = await (
      await post(before, { model: 'gpt-5.5', stream: true, tools: [], input: [user('go')] })
    ).text();
    expect(eventData(first, 'response.reasoning_summary_text.delta')[0]!.delta).toBe(
      'Running 1 subagent: Task',
    );
    expect(eventTypes(first).at(-1)).toBe('response.completed');
    await (await post(before, next)).text();
    expect(answer()).toMatch(
      /^Invalid Task input: the arguments are not JSON \(.+\)\nHint: Call Task with a JSON object/,
    );
    const error = answer();
    await before.close();
    proxies.splice(proxies.indexOf(before), 1);
    // The restarted proxy knows the call streamed (the records), has no result for it, and answers it again.
    const after = await proxy(`${up.url}/v1`, { observe });
    const text = await (await post(after, next)).text();
    expect(eventTypes(text).at(-1)).toBe('response.completed');
    expect(answer()).toBe(error);
    expect(after.runtime.observability.store!.list({})).toHaveLength(0);
  });

  it('adds Task to requests that offer no tools, in both request shapes', async () => {
    const up = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`${created}${completed([])}`);
    });
    const p = await proxy(`${up.url}/v1`);
    const sent = () => JSON.parse(up.seen.at(-1)!.body.toString('utf8')) as Json;
    await (await post(p, { model: 'gpt-5.5', stream: true, input: [user('classic')] })).text();
    expect(sent().tools.map((t: Json) => [t.type, t.name])).toEqual([
      ['function', 'Task'],
      ['function', 'SendMessage'],
    ]);
    // responses-lite (gpt-6*): an `additional_tools` item, here without a `tools` list of its own.
    await (
      await post(p, {
        model: 'gpt-6.1-sol',
        stream: true,
        input: [{ type: 'additional_tools' }, user('lite')],
      })
    ).text();
    expect(sent().tools).toBeUndefined();
    expect(sent().input[0].tools.map((t: Json) => [t.type, t.name])).toEqual([
      ['function', 'Task'],
      ['function', 'SendMessage'],
    ]);
  });

  it('replaces Codex\'s answer in its object shape too, and leaves answers that are not its "unsupported call" alone', async () => {
    const broken = taskCall('call_shapes', 'not json');
    const up = await startUpstream((_req, res, body) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (body.includes('function_call_output')) res.end(`${created}${completed([])}`);
      else res.end(`${created}${itemDone(0, broken)}${completed([broken])}`);
    });
    const p = await proxy(`${up.url}/v1`);
    await (await post(p, { model: 'gpt-5.5', stream: true, tools: [], input: [user('go')] })).text();
    const answers = [
      { content: 'unsupported call: Task', success: false },
      [{ type: 'input_text', text: 'unsupported call: Task' }],
      'aborted by user',
    ];
    const outputs: unknown[] = [];
    for (const output of answers) {
      const call = { type: 'function_call_output', call_id: 'call_shapes', output };
      await (
        await post(p, { model: 'gpt-5.5', stream: true, tools: [], input: [user('go'), broken, call] })
      ).text();
      outputs.push(sentOutput(up));
    }
    expect(outputs[0]).toMatch(/^Invalid Task input: the arguments are not JSON/);
    expect(outputs.slice(1)).toEqual(answers.slice(1));
  });

  it('a subagent of a request without Authorization reaches the upstream with no key at all', async () => {
    model.setHandler((req) =>
      req.system.includes('AGENT:helper')
        ? { text: 'helped' }
        : req.toolResults.length > 0
          ? { text: 'done' }
          : {
              toolCalls: [
                {
                  name: 'Task',
                  id: 'call_nokey',
                  input: { description: 'help', prompt: 'help', subagent_type: 'helper' },
                },
              ],
            },
    );
    const p = await proxy(model.baseUrls.openai);
    const text = await (await post(p, { model: 'gpt-5.5', stream: true, input: [user('go')] })).text();
    expect(eventTypes(text).at(-1)).toBe('response.completed');
    const [parent, helper] = model.requests;
    expect(parent!.tools).toEqual(['Task', 'SendMessage']);
    expect(parent!.headers.authorization).toBeUndefined();
    // `helper` has no model: it inherits the request's, on the proxy's upstream, with the caller's
    // (absent) credentials — never the placeholder key the proxy gives its AI SDK provider.
    expect(helper!.system).toContain('AGENT:helper');
    expect(helper!.model).toBe('gpt-5.5');
    expect(helper!.headers.authorization).toBeUndefined();
    expect(JSON.stringify(helper!.headers)).not.toContain('codex-task-proxy-forwards');
  });
});

describe('the proxy at start-up and on plain paths', () => {
  it('refuses an upstream that is not a URL, and a port already taken, with errors that say so', async () => {
    const settings = loadRuntimeSettings({ cwd: workspace, homeDir: workspace, env: {} });
    const observe = { store: ':memory:', logger: false, audit: false, tracing: false } as const;
    const bad = startProxy({ settings, port: 0, upstream: 'api.openai.com/v1', observe });
    await expect(bad).rejects.toThrow(ProxyConfigError);
    await expect(bad).rejects.toThrow("The upstream 'api.openai.com/v1' is not a URL");
    const up = await startUpstream((_req, res) => void res.end('{"data":[]}'));
    const first = await proxy(`${up.url}/v1`);
    await expect(
      startProxy({ settings, port: first.port, upstream: `${up.url}/v1`, observe }),
    ).rejects.toThrow(/EADDRINUSE/);
    // The one that listens is unaffected.
    expect(await (await fetch(`${first.baseUrl}/models`)).text()).toBe('{"data":[]}');
  });

  it('forwards paths with dots in their names (not dot segments) as they are', async () => {
    const up = await startUpstream((_req, res) => void res.end('{}'));
    const p = await proxy(`${up.url}/v1`);
    const response = await fetch(`${p.baseUrl}/files/report.v2.jsonl/content?x=1.5`);
    expect(response.status).toBe(200);
    expect(up.seen.map((s) => s.url)).toEqual(['/v1/files/report.v2.jsonl/content?x=1.5']);
  });
});
