import { describe, expect, it } from 'vitest';
import { FAST, input, recordCalls } from './resilience-support.ts';
import { providersFor, useHarness } from './support.ts';

const h = useHarness();

describe('rate limits', () => {
  it('queues calls over a provider’s requests-per-minute budget instead of failing them', async () => {
    await h.setup({}, () => ({ text: 'ok' }));
    // 600 a minute = one every 100 ms, no burst. What must hold whatever the machine's load: the
    // requests reach the provider spread over the budget (load only spreads them more), none fails.
    const engine = h.engine({ concurrency: 5, rateLimits: { openai: { requestsPerMinute: 600, burst: 1 } } });
    const results = await engine.runAll(Array.from({ length: 5 }, () => input()));
    expect(results.every((r) => r.status === 'completed')).toBe(true);
    const arrivals = h.model.requests.map((r) => r.receivedAt!).sort((a, b) => a - b);
    expect(arrivals).toHaveLength(5);
    // Five requests, one per 100 ms: the last leaves ≥ 400 ms after the first. The server stamps
    // arrivals, and a loaded machine can stamp the first one late (50 ms was seen), so the bound is
    // 250: still over twice what the requests take without the limit (they leave within a few ms).
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(250);
    expect(engine.providerHealth().find((p) => p.provider === 'openai')!.rateLimit).toMatchObject({
      queued: 0,
    });
  });

  it('queues on a tokens-per-minute budget settled with the real usage, under the concurrency limit', async () => {
    await h.setup({}, () => ({ text: 'ok', usage: { inputTokens: 3_010_000, outputTokens: 0 } }));
    const providers = providersFor(h.model).map((p) =>
      p.id === 'openai' ? { ...p, rateLimit: { tokensPerMinute: 6_000_000 } } : p,
    );
    // 100 tokens a ms: two calls of 3.01M overdraw the minute's 6M by 20k; the third waits ~200 ms for the refill.
    const engine = h.engine({ providers, concurrency: 2 });
    const { calls } = recordCalls(engine);
    for (let i = 0; i < 3; i++) expect((await engine.run(input())).status).toBe('completed');
    const queued = calls.map((c) => c.queuedMs);
    expect(queued[2]).toBeGreaterThanOrEqual(50);
    // The first call found the budget full and did not wait for a refill as the third did.
    expect(queued[0]).toBeLessThan(queued[2]! / 4);
    expect(h.model.stats.maxInFlight).toBeLessThanOrEqual(2);
  });
});

describe('usage, cost and budgets', () => {
  it('prices each call from the table: uncached input, cache reads and output', async () => {
    await h.setup({}, () => ({
      text: 'ok',
      usage: { inputTokens: 1000, outputTokens: 500, cachedInputTokens: 200 },
    }));
    const engine = h.engine();
    const { calls } = recordCalls(engine);
    const result = await engine.run(input());
    // gpt-5.5: $5 in, $0.50 cached, $30 out per million → 800 × 5 + 200 × 0.5 + 500 × 30
    const expected = (800 * 5 + 200 * 0.5 + 500 * 30) / 1e6;
    expect(result.usage).toMatchObject({ inputTokens: 1000, outputTokens: 500, cacheReadTokens: 200 });
    expect(result.usage.costUsd).toBeCloseTo(expected, 10);
    expect(result.modelsUsed).toEqual([expect.objectContaining({ model: 'openai:gpt-5.5', calls: 1 })]);
    expect(calls.at(-1)).toMatchObject({ outcome: 'ok', provider: 'openai', costUsd: expect.any(Number) });
    const totals = engine.usage();
    expect(totals.tasks).toBe(1);
    expect(totals.byAgentType['general-purpose']!.costUsd).toBeCloseTo(expected, 10);
    expect(totals.byModel['openai:gpt-5.5']!.calls).toBe(1);
  });

  it('reports tokens but a null cost for a model without a price', async () => {
    await h.setup({}, () => ({ text: 'ok', usage: { inputTokens: 10, outputTokens: 5 } }));
    const engine = h.engine();
    const result = await engine.run(input({ model: 'openai:some-unpriced-model' }));
    expect(result.usage).toMatchObject({ inputTokens: 10, outputTokens: 5, costUsd: null });
    expect(engine.usage()).toMatchObject({ unpricedCalls: 1, usage: { costUsd: null } });
  });

  it('refuses a Task over maxTasks with a clear error, before any model call', async () => {
    await h.setup({}, () => ({ text: 'ok' }));
    const engine = h.engine({ maxTasks: 2 });
    const results = await engine.runAll([input(), input(), input()]);
    expect(results.map((r) => r.status)).toEqual(['completed', 'completed', 'failed']);
    expect(results[2]!.error).toMatchObject({ type: 'BudgetExceeded' });
    expect(results[2]!.error!.message).toContain('maxTasks');
    expect(results[2]!.error!.hint).toBeTruthy();
    expect(h.model.stats.requests).toBe(2);
  });

  it('refuses new Tasks once maxCostUsd is spent, and stops a running one at its next model call', async () => {
    await h.setup({ 'a.txt': 'A' }, (req) =>
      req.turn === 0
        ? {
            toolCalls: [{ name: 'Read', input: { file_path: 'a.txt' } }],
            usage: { inputTokens: 1000, outputTokens: 0 },
          }
        : { text: 'done', usage: { inputTokens: 1000, outputTokens: 0 } },
    );
    // $1 per 1,000 input tokens: the first turn spends the whole $1 budget.
    const engine = h.engine({ maxCostUsd: 1, prices: { 'openai:gpt-5.5': { input: 1000, output: 0 } } });
    const first = await engine.run(input());
    expect(first.status).toBe('failed');
    expect(first.error).toMatchObject({ type: 'BudgetExceeded' });
    expect(first.turns).toBe(1);
    const second = await engine.run(input());
    expect(second.error!.message).toContain('Task refused');
    expect(h.model.stats.requests).toBe(1);
  });
});

describe('provider health', () => {
  it('gives each provider’s circuit, recent error rate, latency percentiles and last error', async () => {
    let n = 0;
    await h.setup({}, () =>
      ++n % 2 === 1 ? { fault: { kind: 'status', status: 500 } } : { text: 'ok', latencyMs: 20 },
    );
    const engine = h.engine({ resilience: FAST });
    await engine.runAll([input(), input()]);
    const openai = engine.providerHealth().find((p) => p.provider === 'openai')!;
    expect(openai).toMatchObject({ kind: 'openai', circuit: 'closed', calls: 4, failures: 2 });
    expect(openai.recent.errorRate).toBeCloseTo(0.5);
    expect(openai.recent.p50Ms).toBeGreaterThanOrEqual(15);
    expect(openai.recent.p95Ms).toBeGreaterThanOrEqual(openai.recent.p50Ms!);
    expect(openai.lastError).toMatchObject({ status: 500, reason: '500' });
    expect(engine.providerHealth().map((p) => p.provider)).toEqual(['openai', 'anthropic', 'google']);
  });
});
