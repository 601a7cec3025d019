import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { APICallError, generateText, streamText } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFaultMix } from './faults.ts';
import { type Fault, type ScriptedModelServer, startScriptedModel } from './index.ts';

let server: ScriptedModelServer;
beforeAll(async () => {
  server = await startScriptedModel();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const TEXT = 'one two three four five six seven eight nine ten eleven twelve';

function withFault(fault: Fault): void {
  server.setHandler(() => ({ text: TEXT, fault }));
}

function post(path: string, body: object, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...init,
  });
}

const anthropicBody = (stream: boolean) => ({
  model: 'claude-test',
  max_tokens: 100,
  stream,
  messages: [{ role: 'user', content: 'hi' }],
});

describe('status faults', () => {
  it('send the status, retry-after headers and a vendor-shaped body', async () => {
    withFault({ kind: 'status', status: 429, retryAfterSeconds: 2, retryAfterMs: 1500 });
    const anthropic = await post('/v1/messages', anthropicBody(false));
    expect(anthropic.status).toBe(429);
    expect(anthropic.headers.get('retry-after')).toBe('2');
    expect(anthropic.headers.get('retry-after-ms')).toBe('1500');
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });

    withFault({ kind: 'status', status: 503 });
    const gemini = await post('/v1beta/models/gemini-x:generateContent', { contents: [] });
    expect(gemini.status).toBe(503);
    expect(gemini.headers.get('retry-after')).toBeNull();
    expect(await gemini.json()).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE' } });
  });

  it('use a custom body verbatim', async () => {
    withFault({ kind: 'status', status: 502, body: '<html>Bad Gateway</html>' });
    const res = await post('/v1/chat/completions', { model: 'm', messages: [] });
    expect(res.status).toBe(502);
    expect(await res.text()).toBe('<html>Bad Gateway</html>');
  });

  it('reach the AI SDK as an APICallError carrying the status and the message', async () => {
    withFault({ kind: 'status', status: 529 });
    const model = createAnthropic({ baseURL: server.baseUrls.anthropic, apiKey: 'test' })(
      'claude-sonnet-4-5',
    );
    const error = await generateText({ model, prompt: 'hi', maxRetries: 0 }).catch((e: unknown) => e);
    expect(APICallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 529, message: 'Overloaded (scripted fault).' });
  });
});

it('reset destroys the connection before any response', async () => {
  withFault({ kind: 'reset' });
  await expect(post('/v1/messages', anthropicBody(false))).rejects.toThrow(/fetch failed/);
  await vi.waitFor(() => expect(server.stats.inFlight).toBe(0), { timeout: 10_000, interval: 10 });
});

describe('cut', () => {
  it('ends a stream after N events', async () => {
    withFault({ kind: 'cut', afterEvents: 4 });
    const res = await post('/v1/messages', anthropicBody(true));
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let received = '';
    const failure = await (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return undefined;
        received += decoder.decode(value);
      }
    })().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(received.match(/^event: /gm)).toHaveLength(4);
    expect(received).not.toContain('message_stop');
  });

  it('breaks a JSON body half-way', async () => {
    withFault({ kind: 'cut', afterEvents: 0 });
    const res = await post('/v1/chat/completions', {
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
    });
    await expect(res.text()).rejects.toThrow();
  });

  it('surfaces in streamText as an error, after the first deltas', async () => {
    withFault({ kind: 'cut', afterEvents: 6 });
    const model = createOpenAI({ baseURL: server.baseUrls.openai, apiKey: 'test' }).responses('gpt-4.1');
    const result = streamText({ model, prompt: 'hi', maxRetries: 0, onError: () => {} });
    let text = '';
    const thrown = await (async () => {
      for await (const part of result.stream) if (part.type === 'text-delta') text += part.text;
    })().catch((e: unknown) => e);
    expect(text.length).toBeGreaterThan(0);
    expect(text.length).toBeLessThan(TEXT.length);
    // The SDK wraps undici's "terminated" (other side closed) in an APICallError.
    expect(APICallError.isInstance(thrown)).toBe(true);
    expect(String((thrown as Error).cause)).toMatch(/terminated/);
  });
});

describe('malformed', () => {
  it('answers 200 with a body that is not JSON', async () => {
    withFault({ kind: 'malformed' });
    const res = await post('/v1/responses', { model: 'm', input: 'hi' });
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow(SyntaxError);
  });

  it('sends a broken SSE event when streaming', async () => {
    withFault({ kind: 'malformed' });
    const res = await post('/v1beta/models/gemini-x:streamGenerateContent?alt=sse', { contents: [] });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const data = (await res.text()).replace(/^data: /, '').trim();
    expect(() => JSON.parse(data)).toThrow();
  });
});

it('hang never answers, and ends when the client aborts', async () => {
  withFault({ kind: 'hang' });
  const started = performance.now();
  const request = post('/v1/messages', anthropicBody(false), { signal: AbortSignal.timeout(100) });
  await expect(request).rejects.toThrow(/abort|timeout/i);
  expect(performance.now() - started).toBeGreaterThanOrEqual(90);
  await vi.waitFor(() => expect(server.stats.inFlight).toBe(0), { timeout: 10_000, interval: 10 });
});

it('latency delays the first byte, and is cut short when the client aborts', async () => {
  server.setHandler(() => ({ text: 'late', latencyMs: 60 }));
  const started = performance.now();
  await (await post('/v1/messages', anthropicBody(false))).json();
  expect(performance.now() - started).toBeGreaterThanOrEqual(55);

  const latencyMs = 10_000;
  server.setHandler(() => ({ text: 'never', latencyMs }));
  await expect(
    post('/v1/messages', anthropicBody(false), { signal: AbortSignal.timeout(50) }),
  ).rejects.toThrow();
  await vi.waitFor(() => expect(server.stats.inFlight).toBe(0), { timeout: latencyMs / 2, interval: 10 });
  // Both requests' time together: the server let go of the second when the client did, not after its latency.
  expect(server.stats.modelTimeMs).toBeLessThan(latencyMs / 2);
});

describe('seeded fault mix', () => {
  const kinds: Fault[] = [{ kind: 'reset' }, { kind: 'status', status: 500 }];
  const draw = (seed: number, rate: number) => {
    const next = createFaultMix({ rate, kinds, seed });
    return Array.from({ length: 200 }, () => next()?.kind ?? 'ok');
  };

  it('is reproducible from its seed and close to its rate', () => {
    const run = draw(7, 0.3);
    expect(draw(7, 0.3)).toEqual(run);
    expect(draw(8, 0.3)).not.toEqual(run);
    const faulted = run.filter((kind) => kind !== 'ok').length;
    expect(faulted).toBeGreaterThan(30);
    expect(faulted).toBeLessThan(90);
    expect(new Set(run)).toEqual(new Set(['ok', 'reset', 'status']));
  });

  it('never faults at rate 0 and always at rate 1', () => {
    expect(draw(1, 0).every((kind) => kind === 'ok')).toBe(true);
    expect(draw(1, 1).includes('ok')).toBe(false);
  });
});
