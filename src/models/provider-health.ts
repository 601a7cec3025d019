import type { ConcurrencySnapshot } from './adaptive-limit.ts';

/** One provider endpoint as `/health` and the dashboard show it. */
export interface ProviderHealth {
  provider: string;
  kind: string;
  baseURL?: string;
  /** `open`: calls fail over (or wait for the probe) without touching the provider. */
  circuit: 'closed' | 'open' | 'half-open' | 'isolated';
  /** ISO time the circuit last opened, while it is open or half-open. */
  openedAt?: string;
  /** ISO time the next probe call may go, while open. */
  nextProbeAt?: string;
  /** Model calls (attempts) since the engine started, and how many failed on availability. */
  calls: number;
  failures: number;
  /** Over the most recent calls (up to `window`). */
  recent: { window: number; calls: number; errorRate: number; p50Ms: number | null; p95Ms: number | null };
  lastError?: { message: string; status?: number; reason: string; at: string };
  rateLimit?: { queued: number; requestsAvailable?: number; tokensAvailable?: number };
  /** Calls in flight and their adaptive limit (`models/adaptive-limit.ts`). */
  concurrency: ConcurrencySnapshot;
}

/** Outcomes and latencies of the last `window` calls of one endpoint, in fixed ring buffers. */
export class HealthStats {
  readonly window: number;
  calls = 0;
  failures = 0;
  lastError: ProviderHealth['lastError'];
  readonly #ok: Uint8Array;
  readonly #latency: Float64Array;
  #next = 0;
  #filled = 0;

  constructor(window = 200) {
    this.window = window;
    this.#ok = new Uint8Array(window);
    this.#latency = new Float64Array(window);
  }

  record(ok: boolean, latencyMs: number): void {
    this.calls++;
    if (!ok) this.failures++;
    this.#ok[this.#next] = ok ? 1 : 0;
    this.#latency[this.#next] = latencyMs;
    this.#next = (this.#next + 1) % this.window;
    if (this.#filled < this.window) this.#filled++;
  }

  recordError(error: { message: string; status?: number; reason: string }): void {
    this.lastError = { ...error, at: new Date().toISOString() };
  }

  recent(): ProviderHealth['recent'] {
    const n = this.#filled;
    const latencies: number[] = [];
    let failed = 0;
    for (let i = 0; i < n; i++) {
      if (this.#ok[i]) latencies.push(this.#latency[i]!);
      else failed++;
    }
    latencies.sort((a, b) => a - b);
    const at = (p: number) =>
      latencies.length
        ? round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!)
        : null;
    return { window: this.window, calls: n, errorRate: n ? failed / n : 0, p50Ms: at(0.5), p95Ms: at(0.95) };
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
