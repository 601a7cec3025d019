import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { streamText } from 'ai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderConfig } from '../providers/index.ts';
import { resolveModel } from '../providers/index.ts';
import { type ScriptedModelServer, startScriptedModel } from '../scripted-model/index.ts';
import { ModelGateway, type UsageReport } from './model-gateway.ts';

/**
 * Streamed model turns through the gateway, over HTTP to the scripted model (Anthropic's wire format,
 * whose client ends a stream without a finish part when no output came): what the reader of the
 * stream gets when it breaks before or after the output starts, and the slot it holds among the
 * provider's calls in flight.
 */
let model: ScriptedModelServer;
let proxy: Server;
let proxyUrl: string;
/** How many of the next streams the proxy ends cleanly after their first event (`message_start`). */
let endEarly = 0;

beforeAll(async () => {
  model = await startScriptedModel({ handler: () => ({ text: 'ok' }) });
  // Passes requests on to the scripted model; can end a reply early as a well-formed, finished HTTP
  // response (a proxy or load balancer closing it), which is not a broken connection.
  proxy = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let upstream: Response;
    let text: string;
    try {
      upstream = await fetch(`${model.url}${req.url}`, {
        method: req.method ?? 'POST',
        headers: {
          'content-type': 'application/json',
          'x-api-key': 'test',
          'anthropic-version': '2023-06-01',
        },
        body: Buffer.concat(chunks),
      });
      text = await upstream.text();
    } catch {
      res.destroy();
      return;
    }
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'text/plain' });
    if (endEarly > 0) {
      endEarly--;
      res.end(`${text.split('\n\n')[0]}\n\n`);
    } else res.end(text);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/v1`;
});
afterEach(() => {
  model.reset();
  endEarly = 0;
});
afterAll(async () => {
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
  await model.close();
});

/** `direct`: to the scripted model itself, whose `cut` fault breaks the connection mid-stream. */
function setup(direct = false) {
  const baseURL = direct ? model.baseUrls.anthropic : proxyUrl;
  const providers: ProviderConfig[] = [{ id: 'anthropic', kind: 'anthropic', baseURL, apiKey: 'test' }];
  const gateway = new ModelGateway({
    providers,
    resilience: { retry: { initialDelayMs: 1, maxDelayMs: 5 } },
  });
  const route = gateway.route(resolveModel({ callerModel: 'anthropic:claude-sonnet-5', env: {} }, providers));
  const attempts: string[] = [];
  const usage: UsageReport[] = [];
  const languageModel = gateway.languageModel(route, {
    onAttempt: (a) => attempts.push(a.reason ?? a.outcome),
    onUsage: (u) => usage.push(u),
  });
  const inFlight = () => gateway.providerHealth()[0]!.concurrency.inFlight;
  return { gateway, languageModel, attempts, usage, inFlight };
}

const PROMPT = [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'hello' }] }];

describe('a streamed turn', () => {
  it('that ends before any output and without a finish is retried, unseen by the reader', async () => {
    model.setHandler(() => ({ text: 'streamed fine' }));
    endEarly = 1;
    const { languageModel, attempts, inFlight } = setup();
    expect(await streamText({ model: languageModel, prompt: 'hello', maxRetries: 0 }).text).toBe(
      'streamed fine',
    );
    expect(attempts).toEqual(['cut', 'ok']);
    expect(model.stats.requests).toBe(2);
    expect(inFlight()).toBe(0);
  });

  it('cut after its output started fails for the reader, is not retried, and frees its slot', async () => {
    model.setHandler(() => ({
      text: 'the first words and then more',
      fault: { kind: 'cut', afterEvents: 3 },
    }));
    const { languageModel, attempts, inFlight } = setup(true);
    const { stream } = await languageModel.doStream({ prompt: PROMPT });
    const reader = stream.getReader();
    const seen: string[] = [];
    const failure = await (async () => {
      for (;;) {
        const next = await reader.read();
        if (next.done) return undefined;
        seen.push(next.value.type);
      }
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(seen).toContain('text-start');
    expect(seen).not.toContain('finish');
    expect(attempts).toEqual(['ok']);
    expect(model.stats.requests).toBe(1);
    expect(inFlight()).toBe(0);
  });

  it('holds its slot while read, and frees it when the reader cancels', async () => {
    model.setHandler(() => ({ text: 'a long answer, read only in part' }));
    const { languageModel, usage, inFlight } = setup();
    const { stream } = await languageModel.doStream({ prompt: PROMPT });
    const reader = stream.getReader();
    expect((await reader.read()).done).toBe(false);
    expect(inFlight()).toBe(1);
    await reader.cancel('not needed any more');
    expect(inFlight()).toBe(0);
    // Cancelled before its finish: no usage was reported for it.
    expect(usage).toEqual([]);
  });

  it('reports the usage of a reply with no output, whose finish arrives while the stream is primed', async () => {
    model.setHandler(() => ({ text: '', usage: { inputTokens: 12, outputTokens: 0 } }));
    const { languageModel, usage, inFlight } = setup();
    const result = streamText({ model: languageModel, prompt: 'hello', maxRetries: 0 });
    expect(await result.text).toBe('');
    expect(usage).toEqual([
      expect.objectContaining({
        provider: 'anthropic',
        model: 'anthropic:claude-sonnet-5',
        usage: expect.objectContaining({ inputTokens: 12, outputTokens: 0 }),
      }),
    ]);
    expect(inFlight()).toBe(0);
  });
});
