import { describe, expect, it } from 'vitest';
import type { ScriptedHandler } from '../src/scripted-model/index.ts';
import { attachMetrics } from '../src/telemetry/index.ts';
import { FAST, input, recordCalls } from './resilience-support.ts';
import { useHarness } from './support.ts';

const h = useHarness();

/**
 * A provider that serves `places` calls at once (each for `latencyMs`) and answers 429 at once to any
 * more. The latencies are long next to what a task costs the engine on a loaded machine, so the
 * provider, not the pace of the client, decides what happens: retries 5–20 ms apart find it full
 * many times per call, and the limit settles at its capacity within the first calls.
 */
function provider(places: number, latencyMs: number) {
  const counts = { refused: 0, serving: 0, maxServing: 0 };
  const handler: ScriptedHandler = () => {
    if (counts.serving >= places) {
      counts.refused++;
      return { latencyMs: 0, fault: { kind: 'status', status: 429 } };
    }
    counts.maxServing = Math.max(counts.maxServing, ++counts.serving);
    setTimeout(() => counts.serving--, latencyMs);
    return { text: 'ok', latencyMs };
  };
  return { counts, handler };
}

describe('adaptive concurrency', () => {
  it('cuts a provider’s limit on calls in flight under 429s, makes calls wait instead of failing, and grows it back', async () => {
    const tight = provider(3, 250);
    await h.setup({}, tight.handler);
    const engine = h.engine({ concurrency: 10, resilience: FAST });
    const { calls } = recordCalls(engine);
    const { registry } = attachMetrics(engine);
    const openai = () => engine.providerHealth().find((p) => p.provider === 'openai')!;

    const first = await engine.runAll(Array.from({ length: 30 }, () => input()));
    expect(first.every((r) => r.status === 'completed')).toBe(true);
    expect(tight.counts.refused).toBeGreaterThan(0);
    expect(calls.filter((c) => c.status === 429)).toHaveLength(tight.counts.refused);
    const squeezed = openai();
    // Started at 10; each window of refusals cut it to 0.9 × the calls in flight, until it stayed
    // at the provider's 3 or one over it (it grows by a fraction per success and is cut when refused).
    expect(squeezed.concurrency.cuts).toBeGreaterThan(0);
    expect(squeezed.concurrency.limit).toBeLessThanOrEqual(4);
    expect(squeezed.concurrency.waited).toBeGreaterThan(0);
    expect(squeezed.concurrency.inFlight).toBe(0);
    // Refusals sent together count once against the circuit: it stayed closed.
    expect(squeezed.circuit).toBe('closed');
    const metrics = await registry.metrics();
    expect(metrics).toContain(
      `codex_task_provider_concurrency_limit{provider="openai"} ${squeezed.concurrency.limit}`,
    );
    expect(metrics).toContain('codex_task_provider_calls_in_flight{provider="openai"} 0');

    // Calls long enough to dominate a task's time, so the limit is in use (it grows only then):
    // above the threshold by 1/limit per success, so 3.6 → 8 takes about 26 successes.
    const roomy = provider(100, 150);
    h.model.setHandler(roomy.handler);
    const second = await engine.runAll(Array.from({ length: 80 }, () => input()));
    expect(second.every((r) => r.status === 'completed')).toBe(true);
    expect(roomy.counts.refused).toBe(0);
    const recovered = openai().concurrency;
    // About one more call per round trip above the threshold (towards the engine's 10 tasks).
    expect(recovered.limit).toBeGreaterThanOrEqual(Math.max(8, 2 * squeezed.concurrency.limit));
    expect(recovered.cuts).toBe(squeezed.concurrency.cuts);
    expect(roomy.counts.maxServing).toBeGreaterThan(squeezed.concurrency.limit);
  });
});
