import type { TaskEngine } from '../engine/index.ts';
import type { ProviderHealth } from '../models/index.ts';
import { type CircuitReport, listen } from '../telemetry/index.ts';

/** Time model calls spent waiting before they went out (rate limits, the provider's concurrency), per provider. */
export interface ProviderWaits {
  /** Attempts that waited at all, and how long in all (ms). */
  waits: number;
  waitedMs: number;
  /** Attempts answered 429. */
  rateLimited: number;
  /** Backoff (Retry-After included) before retries, ms. */
  backoffMs: number;
}

/** Counts the waits of model calls from the engine's events (the gateway's health has no history of them). */
export class WaitCounter {
  readonly #byProvider = new Map<string, ProviderWaits>();
  readonly #stop: () => void;

  constructor(engine: TaskEngine) {
    this.#stop = listen(engine, {
      'task.model_call': (e) => {
        let w = this.#byProvider.get(e.provider);
        if (!w) {
          w = { waits: 0, waitedMs: 0, rateLimited: 0, backoffMs: 0 };
          this.#byProvider.set(e.provider, w);
        }
        // Under a millisecond is the cost of taking a slot, not a wait.
        if (e.queuedMs >= 1) {
          w.waits += 1;
          w.waitedMs += Math.round(e.queuedMs);
        }
        if (e.status === 429 || e.reason === '429') w.rateLimited += 1;
        if (e.waitMs) w.backoffMs += Math.round(e.waitMs);
      },
    });
  }

  of(provider: string): ProviderWaits {
    return this.#byProvider.get(provider) ?? { waits: 0, waitedMs: 0, rateLimited: 0, backoffMs: 0 };
  }

  close(): void {
    this.#stop();
  }
}

export interface HealthView {
  providers: (ProviderHealth & { waits: ProviderWaits })[];
  circuits: readonly CircuitReport[];
  load: { active: number; queued: number; limit: number };
  resilience: { retries: number; failovers: number; openCircuitWaits: number };
}

export function healthView(
  engine: TaskEngine,
  circuits: () => readonly CircuitReport[],
  waits: WaitCounter,
): HealthView {
  return {
    providers: engine.providerHealth().map((h) => ({ ...h, waits: waits.of(h.provider) })),
    circuits: circuits(),
    load: engine.load,
    resilience: engine.resilienceStats,
  };
}
