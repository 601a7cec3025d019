import { Agent, request } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type ScriptedHandler,
  type ScriptedModelServer,
  type ScriptedReply,
  startScriptedModel,
} from './index.ts';

const servers: ScriptedModelServer[] = [];
async function start(options: Parameters<typeof startScriptedModel>[0] = {}): Promise<ScriptedModelServer> {
  const server = await startScriptedModel(options);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function post(server: ScriptedModelServer, path: string, body: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-trace': 'abc' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const chat = (text: string) => ({ model: 'gpt-test', messages: [{ role: 'user', content: text }] });

/**
 * A handler that answers once `count` requests are in flight together (or after 10 s, so a server
 * that never gets there fails the test's maxInFlight check instead of hanging it): concurrency is
 * then a count, whatever the machine's speed.
 */
function answerWhenInFlight(
  count: number,
  reply: ScriptedReply,
  server: () => ScriptedModelServer,
): ScriptedHandler {
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
    setTimeout(resolve, 10_000).unref();
  });
  return async () => {
    if (server().stats.inFlight >= count) release();
    await gate;
    return reply;
  };
}

describe('routes', () => {
  it('answers health, 404 and bad bodies in the vendor shape', async () => {
    const server = await start();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.baseUrls).toEqual({
      anthropic: `${server.url}/v1`,
      openai: `${server.url}/v1`,
      google: `${server.url}/v1beta`,
    });
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect((await post(server, '/v2/unknown', {})).status).toBe(404);

    const notJson = await post(server, '/v1/messages', '{nope');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    const noModel = await post(server, '/v1/chat/completions', { messages: [] });
    expect(noModel.status).toBe(400);
    expect(await noModel.json()).toMatchObject({ error: { message: 'model must be a string' } });
  });

  it('echoes by default, and turns a throwing handler into a 500 with its message', async () => {
    const server = await start();
    const echoed = await post(server, '/v1/chat/completions', chat('ping'));
    expect(await echoed.json()).toMatchObject({ choices: [{ message: { content: 'You said: ping' } }] });

    server.setHandler(() => {
      throw new Error('script bug');
    });
    const failed = await post(server, '/v1/chat/completions', chat('ping'));
    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchObject({ error: { message: expect.stringMatching(/script bug/) } });
  });

  it('keeps Responses conversations for previous_response_id, and rejects unknown references', async () => {
    const server = await start({
      handler: (req) => ({ text: `turn ${req.turn}: ${req.messages.length} messages` }),
    });
    const first = (await (
      await post(server, '/v1/responses', { model: 'gpt-test', input: 'hi' })
    ).json()) as {
      id: string;
    };
    expect(first).toMatchObject({ id: expect.stringMatching(/^resp_/), status: 'completed' });
    const second = await post(server, '/v1/responses', {
      model: 'gpt-test',
      previous_response_id: first.id,
      input: 'more',
    });
    expect(await second.json()).toMatchObject({ output: [{ content: [{ text: 'turn 1: 3 messages' }] }] });

    const missing = await post(server, '/v1/responses', {
      model: 'm',
      input: [{ type: 'item_reference', id: 'msg_x' }],
    });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { message: "Item with id 'msg_x' not found." } });
  });
});

describe('request log and stats', () => {
  it('records normalised requests with headers, bounded to the most recent', async () => {
    const server = await start({ logLimit: 3 });
    for (let i = 0; i < 7; i++) await (await post(server, '/v1/chat/completions', chat(`m${i}`))).json();
    expect(server.requests.map((r) => r.lastUserText)).toEqual(['m4', 'm5', 'm6']);
    expect(server.requests[0]).toMatchObject({
      format: 'openai-chat',
      model: 'gpt-test',
      headers: { 'x-trace': 'abc' },
    });
    expect(server.stats).toMatchObject({ requests: 7, inFlight: 0, maxInFlight: 1 });
    server.reset();
    expect(server.requests).toEqual([]);
    expect(server.stats.requests).toBe(0);
  });

  it('records when each request arrived, on the clock performance.timeOrigin + now() gives any process', async () => {
    const server = await start();
    const now = () => performance.timeOrigin + performance.now();
    const sent: number[] = [];
    const answered: number[] = [];
    for (let i = 0; i < 2; i++) {
      sent.push(now());
      await (await post(server, '/v1/chat/completions', chat(`m${i}`))).json();
      answered.push(now());
    }
    const [first, second] = server.requests.map((r) => r.receivedAt!);
    expect(first).toBeGreaterThanOrEqual(sent[0]!);
    expect(first).toBeLessThanOrEqual(answered[0]!);
    expect(second).toBeGreaterThanOrEqual(sent[1]!);
    expect(second).toBeLessThanOrEqual(answered[1]!);
  });

  it('counts concurrency and model time', async () => {
    const server: ScriptedModelServer = await start({
      latencyMs: 40,
      handler: answerWhenInFlight(5, { text: 'ok' }, () => server),
    });
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        post(server, '/v1/chat/completions', chat(`${i}`)).then((r) => r.json()),
      ),
    );
    expect(server.stats.maxInFlight).toBe(5);
    expect(server.stats.inFlight).toBe(0);
    expect(server.stats.modelTimeMs).toBeGreaterThanOrEqual(5 * 38);
  });
});

it('serves 100 concurrent streams', async () => {
  const text = 'a reasonably long answer with quite a few words in it';
  const server: ScriptedModelServer = await start({
    handler: answerWhenInFlight(100, { text }, () => server),
  });
  const dispatcher = new Agent();
  const body = JSON.stringify({
    model: 'claude-sonnet-4-5',
    max_tokens: 100,
    stream: true,
    messages: [{ role: 'user', content: 'hi' }],
  });
  const streams = await Promise.all(
    Array.from({ length: 100 }, async () => {
      const res = await request(`${server.url}/v1/messages`, { method: 'POST', body, dispatcher });
      return res.body.text();
    }),
  );
  await dispatcher.close();
  expect(streams.every((stream) => stream.includes('event: message_stop'))).toBe(true);
  expect(server.stats.maxInFlight).toBe(100);
  await vi.waitFor(() => expect(server.stats.inFlight).toBe(0));
  // What serving them costs is measured, not asserted here: `npm run bench` (bench/run.ts) runs 100
  // tasks in parallel against this server in its own process and reports the parallel efficiency.
});

it('closes with idle keep-alive and hanging connections open, ending them', async () => {
  const server = await startScriptedModel({ handler: () => ({ fault: { kind: 'hang' } }) });
  const dispatcher = new Agent({ keepAliveTimeout: 60_000 });
  const idle = await request(`${server.url}/health`, { dispatcher });
  await idle.body.text();
  const hanging = request(`${server.url}/v1/chat/completions`, {
    dispatcher,
    method: 'POST',
    body: JSON.stringify(chat('x')),
  }).catch((e: unknown) => e);
  await vi.waitFor(() => expect(server.stats.inFlight).toBe(1), { timeout: 10_000 });
  // A close that waited for its connections would never return: the hanging request never ends by
  // itself, and the client keeps the idle one for 60 s. It returns, and both are gone.
  await server.close();
  expect(await hanging).toBeInstanceOf(Error);
  await vi.waitFor(() => expect(server.stats.inFlight).toBe(0));
  await dispatcher.close();
});
