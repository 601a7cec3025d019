import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { streamText } from 'ai';
import { describe, expect, it } from 'vitest';
import { ModelGateway, resolveModel } from '../src/models/index.ts';
import type { ScriptedReply } from '../src/scripted-model/index.ts';
import { FAST, input, recordCalls, stamped } from './resilience-support.ts';
import { providersFor, useHarness } from './support.ts';

const h = useHarness();

describe('retries through the real clients', () => {
  it.each([408, 409, 429, 500, 502, 503, 529])('retries a %i and completes', async (status) => {
    await h.setup(
      {},
      stamped((_, n): ScriptedReply => (n === 1 ? { fault: { kind: 'status', status } } : { text: 'ok' }))
        .handler,
    );
    const engine = h.engine({ resilience: FAST });
    const { calls } = recordCalls(engine);
    const result = await engine.run(input());
    expect(result).toMatchObject({ status: 'completed', content: 'ok', retries: 1 });
    expect(calls.map((c) => [c.outcome, c.status])).toEqual([
      ['retry', status],
      ['ok', undefined],
    ]);
    expect(h.model.stats.requests).toBe(2);
  });

  it('waits at least the Retry-After the provider asked for (retry-after-ms and seconds)', async () => {
    const ms = stamped(
      (_, n): ScriptedReply =>
        n === 1 ? { fault: { kind: 'status', status: 429, retryAfterMs: 300 } } : { text: 'ok' },
    );
    await h.setup({}, ms.handler);
    const engine = h.engine({ resilience: FAST });
    const { calls } = recordCalls(engine);
    expect((await engine.run(input())).status).toBe('completed');
    expect(ms.at[1]! - ms.at[0]!).toBeGreaterThanOrEqual(295);
    expect(calls[0]!.waitMs).toBeGreaterThanOrEqual(300);

    const seconds = stamped(
      (_, n): ScriptedReply =>
        n === 1 ? { fault: { kind: 'status', status: 503, retryAfterSeconds: 1 } } : { text: 'ok' },
    );
    h.model.setHandler(seconds.handler);
    expect((await engine.run(input())).status).toBe('completed');
    expect(seconds.at[1]! - seconds.at[0]!).toBeGreaterThanOrEqual(995);
  });

  it('caps a Retry-After at retryAfterCapMs', async () => {
    const t = stamped(
      (_, n): ScriptedReply =>
        n === 1 ? { fault: { kind: 'status', status: 429, retryAfterSeconds: 120 } } : { text: 'ok' },
    );
    await h.setup({}, t.handler);
    const engine = h.engine({ resilience: { ...FAST, retry: { ...FAST.retry, retryAfterCapMs: 200 } } });
    const { calls } = recordCalls(engine);
    const result = await engine.run(input());
    expect(result.status).toBe('completed');
    expect(t.at[1]! - t.at[0]!).toBeGreaterThanOrEqual(195);
    // The wait it chose: the cap plus at most 10 % jitter, not the 120 s asked for.
    expect(calls[0]!.waitMs).toBeGreaterThanOrEqual(200);
    expect(calls[0]!.waitMs).toBeLessThanOrEqual(220);
  });

  it.each([
    [400, 'refused the request'],
    [401, 'OPENAI_API_KEY'],
    [403, 'OPENAI_API_KEY'],
    [404, 'does not know the model'],
    [422, 'refused the request'],
  ])('fails fast on a %i, with its hint', async (status, hint) => {
    await h.setup({}, () => ({ fault: { kind: 'status', status } }));
    const engine = h.engine({ resilience: FAST });
    const result = await engine.run(input());
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ type: 'Provider' });
    expect(result.error!.message).toContain(String(status));
    expect(result.error!.hint).toContain(hint);
    expect(h.model.stats.requests).toBe(1);
    expect(result.retries).toBe(0);
  });

  it.each([
    ['a reset connection', { kind: 'reset' }],
    ['a reply cut mid-way', { kind: 'cut', afterEvents: 2 }],
    ['a malformed reply', { kind: 'malformed' }],
  ] as const)('retries %s', async (_, fault) => {
    await h.setup({}, stamped((_r, n): ScriptedReply => (n === 1 ? { fault } : { text: 'ok' })).handler);
    const result = await h.engine({ resilience: FAST }).run(input());
    expect(result).toMatchObject({ status: 'completed', content: 'ok', retries: 1 });
  });

  it('repeats a cut turn from its start without running the earlier turn’s tools again', async () => {
    let secondTurn = 0;
    await h.setup({}, (req): ScriptedReply => {
      if (req.turn === 0)
        return { toolCalls: [{ name: 'Bash', input: { command: 'echo ran >> side-effects.log' } }] };
      secondTurn++;
      return secondTurn === 1 ? { fault: { kind: 'cut', afterEvents: 1 } } : { text: 'done after the cut' };
    });
    const result = await h.engine({ resilience: FAST }).run(input());
    expect(result).toMatchObject({
      status: 'completed',
      content: 'done after the cut',
      retries: 1,
      turns: 2,
    });
    expect(await readFile(join(h.workspace, 'side-effects.log'), 'utf8')).toBe('ran\n');
    expect(result.toolStats.Bash!.calls).toBe(1);
    // The retried turn carried the tool result of the first turn.
    expect(h.model.requests.map((r) => r.toolResults.length)).toEqual([0, 1, 1]);
  });

  it('retries a stream cut before any output, unseen by the reader', async () => {
    let n = 0;
    await h.setup(
      {},
      (): ScriptedReply =>
        ++n === 1 ? { fault: { kind: 'cut', afterEvents: 0 } } : { text: 'streamed fine' },
    );
    const providers = providersFor(h.model);
    const gateway = new ModelGateway({ providers, resilience: FAST });
    const route = gateway.route(
      resolveModel({ callerModel: 'anthropic:claude-sonnet-5', env: {} }, providers),
    );
    const attempts: string[] = [];
    const model = gateway.languageModel(route, { onAttempt: (a) => attempts.push(a.outcome) });
    const result = streamText({ model, prompt: 'hello', maxRetries: 0 });
    expect(await result.text).toBe('streamed fine');
    expect(attempts).toEqual(['retry', 'ok']);
  });

  it('times out a stream that goes quiet between chunks (idle) before any output, and retries it', async () => {
    let n = 0;
    await h.setup(
      {},
      (): ScriptedReply => (++n === 1 ? { text: 'slow', chunkDelayMs: 2_000 } : { text: 'quick' }),
    );
    const providers = providersFor(h.model);
    const gateway = new ModelGateway({ providers, resilience: { ...FAST, timeouts: { idleMs: 150 } } });
    const route = gateway.route(
      resolveModel({ callerModel: 'anthropic:claude-sonnet-5', env: {} }, providers),
    );
    const attempts: (string | undefined)[] = [];
    const model = gateway.languageModel(route, { onAttempt: (a) => attempts.push(a.reason ?? a.outcome) });
    expect(await streamText({ model, prompt: 'hello', maxRetries: 0 }).text).toBe('quick');
    expect(attempts).toEqual(['timeout', 'ok']);
  });

  it('times out a call that never answers (time to first byte) and retries it', async () => {
    let n = 0;
    await h.setup({}, (): ScriptedReply => (++n === 1 ? { fault: { kind: 'hang' } } : { text: 'ok' }));
    const engine = h.engine({ resilience: { ...FAST, timeouts: { firstByteMs: 150 } } });
    const { calls } = recordCalls(engine);
    const result = await engine.run(input());
    expect(result.status).toBe('completed');
    expect(calls[0]).toMatchObject({ outcome: 'retry', reason: 'timeout' });
  });

  it('bounds each call by its total timeout too', async () => {
    let n = 0;
    await h.setup({}, (): ScriptedReply => (++n === 1 ? { fault: { kind: 'hang' } } : { text: 'ok' }));
    const engine = h.engine({ resilience: { ...FAST, timeouts: { callMs: 150 } } });
    const { calls } = recordCalls(engine);
    expect((await engine.run(input())).status).toBe('completed');
    expect(calls[0]).toMatchObject({ outcome: 'retry', reason: 'timeout' });
  });

  it('gives up on a persistent 503 within the retry budget, with the real status and message', async () => {
    await h.setup({}, () => ({ fault: { kind: 'status', status: 503 } }));
    const engine = h.engine({ resilience: { ...FAST, retry: { ...FAST.retry, maxAttempts: 4 } } });
    const { calls } = recordCalls(engine);
    const result = await engine.run(input());
    // Three backoffs of at most maxDelayMs each, then it gives up on the attempt count, long before
    // the 3 s maxRetryTimeMs would stop it.
    expect(calls.map((c) => c.outcome)).toEqual(['retry', 'retry', 'retry', 'failed']);
    for (const call of calls.slice(0, 3)) expect(call.waitMs).toBeLessThanOrEqual(FAST.retry!.maxDelayMs!);
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ type: 'ProviderUnavailable' });
    expect(result.error!.message).toContain('answered 503: Service unavailable (scripted fault).');
    expect(result.error!.message).toContain('4 attempts');
    expect(result.error!.hint).toContain('failover');
    expect(h.model.stats.requests).toBe(4);
  });
});
