import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import type { ProviderConfig } from '../src/providers/index.ts';
import {
  type ScriptedModelServer,
  type ScriptedReply,
  type ScriptedRequest,
  startScriptedModel,
} from '../src/scripted-model/index.ts';
import { FAST, input, recordCalls } from './resilience-support.ts';
import { agentFile, useHarness } from './support.ts';

const h = useHarness();

/** Two providers on the scripted server, told apart by model id: `primary:model-a` and `backup:model-b`. */
function twoProviders(): ProviderConfig[] {
  return [
    {
      id: 'primary',
      kind: 'openai',
      baseURL: h.model.baseUrls.openai,
      apiKey: 't',
      tiers: { sonnet: 'model-a' },
    },
    {
      id: 'backup',
      kind: 'anthropic',
      baseURL: h.model.baseUrls.anthropic,
      apiKey: 't',
      apiKeyEnv: 'ANTHROPIC_API_KEY',
    },
  ];
}
const failover = { sonnet: ['primary:model-a', 'backup:model-b'] };
const engineWithChain = (extra = {}) =>
  h.engine({ providers: twoProviders(), failover, callerModel: 'sonnet', resilience: FAST, ...extra });

/** model-a answers per `a` (a 503 unless told otherwise); model-b always answers. */
function byModel(
  a: (req: ScriptedRequest) => ScriptedReply | Promise<ScriptedReply> = () => ({
    fault: { kind: 'status', status: 503 },
  }),
) {
  return (req: ScriptedRequest): ScriptedReply | Promise<ScriptedReply> =>
    req.model === 'model-a' ? a(req) : { text: `served by ${req.model}` };
}
const requestsTo = (model: string) => h.model.requests.filter((r) => r.model === model).length;

describe('failover', () => {
  it('moves to the next candidate on availability errors, logs the switch, and reports modelsUsed', async () => {
    await h.setup({}, byModel());
    const engine = engineWithChain();
    const { failovers } = recordCalls(engine);
    const result = await engine.run(input());
    expect(result).toMatchObject({
      status: 'completed',
      content: 'served by model-b',
      resolvedModel: 'primary:model-a',
    });
    expect(result.modelsUsed.map((m) => [m.model, m.calls])).toEqual([['backup:model-b', 1]]);
    expect(result.failovers).toEqual([
      { turn: 1, from: 'primary:model-a', to: 'backup:model-b', reason: '503', status: 503 },
    ]);
    expect(failovers).toHaveLength(1);
    expect(requestsTo('model-a')).toBe(FAST.retry!.failoverAfterAttempts ?? 2);
  });

  it('never fails over on a request error (the same request would fail anywhere)', async () => {
    await h.setup(
      {},
      byModel(() => ({ fault: { kind: 'status', status: 400 } })),
    );
    const result = await engineWithChain().run(input());
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ type: 'Provider' });
    expect(requestsTo('model-b')).toBe(0);
  });

  it('never substitutes a model pinned with `failover: false`, or one without a chain', async () => {
    await h.setup(
      {
        '.claude/agents/pinned.md': agentFile({
          name: 'pinned',
          description: 'p',
          model: 'sonnet',
          failover: 'false',
        }),
      },
      byModel(),
    );
    const retry = { ...FAST, retry: { ...FAST.retry, maxAttempts: 3 } };
    const pinned = await engineWithChain({ resilience: retry }).run(input({ subagent_type: 'pinned' }));
    const noChain = await h
      .engine({ providers: twoProviders(), callerModel: 'sonnet', resilience: retry })
      .run(input());
    for (const result of [pinned, noChain]) {
      expect(result.status).toBe('failed');
      expect(result.error).toMatchObject({ type: 'ProviderUnavailable' });
      expect(result.failovers).toEqual([]);
    }
    expect(requestsTo('model-a')).toBe(6);
    expect(requestsTo('model-b')).toBe(0);
  });

  it('opens the circuit, fails over at once while open, half-opens after the cool-down, and closes', async () => {
    // The circuit's clock is Date (cockatiel's and the endpoint's), faked here and moved by hand: the
    // cool-down ends exactly when the test says, however slowly the machine runs. Timers stay real.
    vi.useFakeTimers({ toFake: ['Date'] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    let aDown = true;
    let releaseProbe = () => {};
    const probeHeld = new Promise<void>((resolve) => {
      releaseProbe = resolve;
    });
    await h.setup(
      {},
      byModel(async (): Promise<ScriptedReply> => {
        if (aDown) return { fault: { kind: 'status', status: 503 } };
        await probeHeld; // A answers the probe only once the test has seen the circuit half-open.
        return { text: 'A is back' };
      }),
    );
    const halfOpenAfterMs = 400;
    const engine = engineWithChain({
      resilience: { ...FAST, breaker: { consecutiveFailures: 3, halfOpenAfterMs } },
    });
    const circuit = () => engine.providerHealth().find((p) => p.provider === 'primary')!;
    // Two tasks: 2 + 1 failures on A open its circuit (each task still completes on B).
    for (let i = 0; i < 2; i++) expect((await engine.run(input())).content).toBe('served by model-b');
    expect(circuit()).toMatchObject({ circuit: 'open', lastError: { status: 503, reason: '503' } });
    const openedAt = Date.parse(circuit().openedAt!);
    expect(circuit().nextProbeAt).toBe(new Date(openedAt + halfOpenAfterMs).toISOString());

    // While open, up to the last millisecond of the cool-down: straight to B, nothing sent to A, and
    // no waiting for a probe (a wait would be counted, and with the clock stopped would never end).
    const before = requestsTo('model-a');
    for (const at of [openedAt, openedAt + halfOpenAfterMs - 1]) {
      vi.setSystemTime(at);
      const whileOpen = await engine.run(input());
      expect(whileOpen.failovers).toEqual([
        { turn: 1, from: 'primary:model-a', to: 'backup:model-b', reason: 'circuit-open' },
      ]);
    }
    expect(requestsTo('model-a')).toBe(before);
    expect(engine.resilienceStats.openCircuitWaits).toBe(0);

    // At the end of the cool-down one probe goes to A (half-open); its success closes the circuit.
    aDown = false;
    vi.setSystemTime(openedAt + halfOpenAfterMs);
    const probe = engine.run(input());
    await vi.waitFor(() => expect(requestsTo('model-a')).toBe(before + 1), { timeout: 10_000 });
    expect(circuit().circuit).toBe('half-open');
    releaseProbe();
    const probed = await probe;
    expect(probed).toMatchObject({ content: 'A is back', failovers: [] });
    expect(circuit()).toMatchObject({ circuit: 'closed', calls: 4, failures: 3 });
    expect(circuit().recent).toMatchObject({ calls: 4, errorRate: 0.75 });
    expect(circuit().recent.p50Ms).toBeGreaterThan(0);
  });

  describe('between two endpoints of the same API', () => {
    let second: ScriptedModelServer;
    beforeAll(async () => {
      second = await startScriptedModel({
        handler: (req) => ({ text: `B finished after ${req.toolResults.length} tool result` }),
      });
    });
    afterAll(() => second.close());

    it('sends the whole conversation after a mid-task failover (no item references the new endpoint never stored)', async () => {
      let aDown = false;
      await h.setup({ 'a.txt': 'alpha' }, (): ScriptedReply => {
        if (aDown) return { fault: { kind: 'status', status: 503 } };
        aDown = true; // A serves the first turn, then goes down.
        return { text: 'reading', toolCalls: [{ name: 'Read', input: { file_path: 'a.txt' } }] };
      });
      const providers: ProviderConfig[] = [
        { id: 'a', kind: 'openai', baseURL: h.model.baseUrls.openai, apiKey: 't' },
        { id: 'b', kind: 'openai', baseURL: second.baseUrls.openai, apiKey: 't' },
      ];
      // A model the SDK does not treat as a reasoning model: its text items are sent back as references.
      const engine = h.engine({
        providers,
        callerModel: 'a:gpt-4.1',
        failover: { 'gpt-4.1': ['b:gpt-4.1'] },
        resilience: FAST,
      });
      const result = await engine.run(input());
      expect(result).toMatchObject({
        status: 'completed',
        content: 'B finished after 1 tool result',
        turns: 2,
      });
      expect(result.modelsUsed.map((m) => m.model)).toEqual(['a:gpt-4.1', 'b:gpt-4.1']);
      expect(result.failovers[0]).toMatchObject({ turn: 2, from: 'a:gpt-4.1', to: 'b:gpt-4.1' });
      const seen = second.requests[0]!.messages.map((m) => m.role);
      expect(seen).toEqual(['user', 'assistant', 'tool']);
    });
  });
});
