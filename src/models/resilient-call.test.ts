import { generateText } from 'ai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderConfig } from '../providers/index.ts';
import { resolveModel } from '../providers/index.ts';
import { type ScriptedModelServer, type ScriptedReply, startScriptedModel } from '../scripted-model/index.ts';
import { ModelGateway, type ModelGatewayOptions } from './model-gateway.ts';

/**
 * The retry loop of a model turn against the scripted model server over HTTP, with one provider and
 * no failover chain: what a call does while that provider's circuit is open, and when it is cancelled.
 */
let server: ScriptedModelServer;
let providers: ProviderConfig[];

beforeAll(async () => {
  server = await startScriptedModel({ handler: () => ({ text: 'ok' }) });
  providers = [{ id: 'openai', kind: 'openai', baseURL: server.baseUrls.openai, apiKey: 'test' }];
});
afterEach(() => server.reset());
afterAll(() => server.close());

function gatewayWith(resilience: ModelGatewayOptions['resilience']) {
  const gateway = new ModelGateway({ providers, resilience });
  const call = (observer: { onAttempt?: (outcome: string) => void; beforeAttempt?: () => void } = {}) => {
    const route = gateway.route(resolveModel({ callerModel: 'openai:gpt-5.5', env: {} }, providers));
    const model = gateway.languageModel(route, {
      beforeAttempt: () => observer.beforeAttempt?.(),
      onAttempt: (a) => observer.onAttempt?.(a.outcome),
    });
    return (signal?: AbortSignal) =>
      generateText({ model, prompt: 'hello', maxRetries: 0, ...(signal && { abortSignal: signal }) });
  };
  return { gateway, call };
}

const failure = (status: number): ScriptedReply => ({ fault: { kind: 'status', status } });

describe('a call to a provider whose circuit is open, with nowhere else to go', () => {
  it('waits for the cool-down and probes; a call held behind a failed probe is not sent, and goes later', async () => {
    const halfOpenAfterMs = 150;
    const { gateway, call } = gatewayWith({
      retry: { initialDelayMs: 1, maxDelayMs: 5, maxRetryTimeMs: 10_000, maxAttempts: 10 },
      breaker: { consecutiveFailures: 1, halfOpenAfterMs },
    });
    const first: string[] = [];
    const second: string[] = [];
    let secondCall: Promise<{ text: string }> | undefined;
    let secondAdmitted!: () => void;
    const admitted = new Promise<void>((resolve) => {
      secondAdmitted = resolve;
    });
    let n = 0;
    server.setHandler(async (): Promise<ScriptedReply> => {
      n++;
      // 1: opens the circuit. 2: the probe after the cool-down, which fails once a second call is
      // waiting behind it. Then the provider is back.
      if (n === 1) return failure(500);
      if (n === 2) {
        secondCall = call({ beforeAttempt: secondAdmitted, onAttempt: (o) => second.push(o) })();
        await admitted;
        return failure(500);
      }
      return { text: 'ok' };
    });

    const result = await call({ onAttempt: (o) => first.push(o) })();
    expect(result.text).toBe('ok');
    expect((await secondCall!).text).toBe('ok');
    // The first call: its failure, the failed probe, then success. The second was held behind the
    // probe and refused when it failed: never sent, so never reported; it went out after the next cool-down.
    expect(first).toEqual(['retry', 'retry', 'ok']);
    expect(second).toEqual(['ok']);
    expect(server.stats.requests).toBe(4);
    expect(gateway.stats.retries).toBe(2);
    expect(gateway.stats.openCircuitWaits).toBeGreaterThanOrEqual(3);
    expect(gateway.providerHealth()[0]).toMatchObject({ circuit: 'closed', calls: 4, failures: 2 });
  });
});

describe('cancelling a call', () => {
  it('ends its wait before a retry at once, with the reason it was cancelled', async () => {
    const { gateway, call } = gatewayWith({
      retry: { initialDelayMs: 60_000, maxDelayMs: 60_000, maxRetryTimeMs: 600_000 },
    });
    server.setHandler(() => failure(503));
    const controller = new AbortController();
    const reason = new Error('the user pressed Ctrl-C');
    const attempts: string[] = [];
    const pending = call({
      onAttempt: (outcome) => {
        attempts.push(outcome);
        // Cancelled once the call has gone to sleep before its retry (a minute away).
        if (outcome === 'retry') queueMicrotask(() => controller.abort(reason));
      },
    })(controller.signal);
    await expect(pending).rejects.toBe(reason);
    expect(attempts).toEqual(['retry']);
    expect(server.stats.requests).toBe(1);
    expect(gateway.stats.retries).toBe(1);
  });
});
