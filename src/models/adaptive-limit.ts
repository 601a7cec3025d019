import { TaskCancelledError } from '../errors/index.ts';

/**
 * How many model calls may be in flight to one provider, learnt from what it takes: AIMD, additive
 * increase and multiplicative decrease, as TCP Reno controls its window (RFC 5681 §3.1) and
 * Netflix's concurrency-limits applies it to requests (`AIMDLimit`). A drop is a call the provider
 * refused as overloaded (429, 503, 529) or, as Gradient2 reads queueing, a recent latency grown past
 * `latencyTolerance` × its baseline. On a drop the limit becomes β × the calls in flight, or × the
 * limit if lower (RFC 5681's FlightSize: a limit never reached says nothing), and the threshold β ×
 * the old limit, so a cut that found few calls in flight is made up quickly. Per call that
 * succeeds while at least half the limit is in use (Netflix's test that the limit is being used),
 * it grows by 1 under the threshold (slow start: doubling per round trip) and by 1/limit above it
 * (congestion avoidance: one more call per round trip, so it probes the provider's limit gently).
 * One cut per window (RFC 6582's `recover`): a call sent before the latest cut cannot cut again, so
 * twenty calls refused together cost one cut, not twenty.
 */
export interface AimdConfig {
  /** The ceiling; Infinity: none (the engine's `concurrency` bounds the calls, and the limit grows only while used). */
  max: number;
  /** The limit to start from (under the ceiling); slow start takes it up from there. */
  initial: number;
  /** The floor; equal to `max`, a fixed limit. */
  min: number;
  /** Multiplicative decrease (β). */
  backoffRatio: number;
  /** A recent latency over this many times the baseline is a drop. */
  latencyTolerance: number;
}

/** Plain data: `nextAimd` takes it and a sample and returns the next, so the algorithm is tested without a clock. */
export interface AimdState {
  /** Fractional; calls may start while fewer than ⌊limit⌋ are in flight. */
  limit: number;
  /** Slow start below it, congestion avoidance above (TCP's ssthresh); Infinity until the first cut. */
  threshold: number;
  /** Cuts so far; each call carries the count at its start (`cutsAtStart`). */
  cuts: number;
  /** Latency of successful calls: a slow average (the baseline) and a fast one (recent), in ms. */
  baselineMs: number;
  recentMs: number;
  samples: number;
}

/** What one finished call tells the limit; `inFlight` counts it. */
export type AimdSample =
  | { outcome: 'ok'; latencyMs: number; inFlight: number; cutsAtStart: number }
  | { outcome: 'overload'; inFlight: number; cutsAtStart: number };

export const AIMD_DEFAULTS: Omit<AimdConfig, 'max'> = {
  // Netflix's AIMDLimit starts at 10 too: a first burst at the engine's full concurrency would be
  // refused wholesale by a provider that takes fewer.
  initial: 10,
  min: 1,
  // Netflix's default; Reno's 0.5 would halve the calls that were running fine to shed one too many.
  backoffRatio: 0.9,
  // Over Gradient2's 1.5: an LLM call's latency varies with the length of its reply.
  latencyTolerance: 2,
};
/** Samples averaged plainly before latency may cut (as Gradient2's warm-up). */
const WARMUP = 10;
/** Exponential averages over about this many samples (Netflix's ExpAvgMeasurement). */
const BASELINE_WINDOW = 100;
const RECENT_WINDOW = 5;
/** Growth under this is not queueing (an event-loop pause, a GC): it matters only to calls this short. */
const LATENCY_SLACK_MS = 250;

export function initialAimd(config: AimdConfig): AimdState {
  const limit = Math.max(config.min, Math.min(config.initial, config.max));
  return { limit, threshold: Number.POSITIVE_INFINITY, cuts: 0, baselineMs: 0, recentMs: 0, samples: 0 };
}

export function nextAimd(state: AimdState, sample: AimdSample, config: AimdConfig): AimdState {
  const current = sample.cutsAtStart === state.cuts;
  if (sample.outcome === 'overload') return current ? cut(state, sample.inFlight, config) : state;
  const samples = state.samples + 1;
  const baselineMs = average(state.baselineMs, sample.latencyMs, samples, BASELINE_WINDOW);
  const recentMs = average(state.recentMs, sample.latencyMs, samples, RECENT_WINDOW);
  const next = { ...state, samples, baselineMs, recentMs };
  const slower = recentMs > config.latencyTolerance * baselineMs && recentMs - baselineMs > LATENCY_SLACK_MS;
  if (current && samples > WARMUP && slower) {
    // A provider that stays slower was not slowed by us: the baseline moves halfway up, so a
    // lasting step in latency costs a cut or two, not a collapse to the floor.
    const settled = (baselineMs + recentMs) / 2;
    return { ...cut(next, sample.inFlight, config), baselineMs: settled, recentMs: settled };
  }
  if (sample.inFlight * 2 < next.limit) return next;
  const grown =
    next.limit < next.threshold ? Math.min(next.threshold, next.limit + 1) : next.limit + 1 / next.limit;
  return { ...next, limit: Math.min(config.max, grown) };
}

function cut(state: AimdState, inFlight: number, config: AimdConfig): AimdState {
  const floor = (value: number) => Math.max(config.min, config.backoffRatio * value);
  const limit = floor(Math.min(state.limit, inFlight));
  return { ...state, limit, threshold: Math.max(limit, floor(state.limit)), cuts: state.cuts + 1 };
}

function average(previous: number, value: number, n: number, window: number): number {
  if (n <= WARMUP) return previous + (value - previous) / n;
  return previous + (value - previous) * (2 / (window + 1));
}

/** One call's hold on a slot. */
export interface Permit {
  /** Time spent waiting for the slot, ms. */
  readonly waitedMs: number;
  /**
   * What the call showed, once: `ok` (latency from the slot to now), `overload`, or `other` (tells
   * nothing). True when it cut the limit (an overload from a call sent before the latest cut does not).
   */
  settle(outcome: 'ok' | 'overload' | 'other'): boolean;
  /** Frees the slot; a streamed reply frees it when the stream ends. Idempotent. */
  release(): void;
}

/** As `/health` shows it. */
export interface ConcurrencySnapshot {
  /** Calls that may be in flight now. */
  limit: number;
  inFlight: number;
  /** Calls waiting for a slot now, and calls that have had to wait since the engine started. */
  waiting: number;
  waited: number;
  /** Windows of refusals (or of slowing down) answered with a cut; at the floor the limit stays. */
  cuts: number;
}

interface Waiter {
  grant: (permit: Permit) => void;
  queuedAt: number;
}

/**
 * The gate over one provider's calls: a call over the limit waits in line (first come, first
 * served) until a slot frees or the limit grows, or until its signal aborts; it is never failed.
 */
export class AdaptiveLimit {
  readonly config: AimdConfig;
  #state: AimdState;
  #inFlight = 0;
  #waited = 0;
  readonly #queue: Waiter[] = [];
  readonly #now: () => number;

  constructor({ now, ...options }: Partial<AimdConfig> & { now?: () => number } = {}) {
    const max = options.max ?? Number.POSITIVE_INFINITY;
    this.config = {
      max,
      // A floor over the ceiling is the ceiling: a fixed limit.
      min: Math.min(options.min ?? AIMD_DEFAULTS.min, max),
      // Under a ceiling (the configured concurrency), start at it: a fan-out to a provider that takes
      // it all loses nothing, and the first push-back cuts to what it does take. No ceiling: start low.
      initial: options.initial ?? (Number.isFinite(max) ? max : AIMD_DEFAULTS.initial),
      backoffRatio: options.backoffRatio ?? AIMD_DEFAULTS.backoffRatio,
      latencyTolerance: options.latencyTolerance ?? AIMD_DEFAULTS.latencyTolerance,
    };
    this.#state = initialAimd(this.config);
    this.#now = now ?? (() => performance.now());
  }

  /** Calls that may be in flight now. */
  get limit(): number {
    return Math.max(1, Math.floor(this.#state.limit));
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  acquire(signal?: AbortSignal): Promise<Permit> {
    if (signal?.aborted) return Promise.reject(signal.reason ?? new TaskCancelledError());
    const queuedAt = this.#now();
    if (this.#queue.length === 0 && this.#inFlight < this.limit)
      return Promise.resolve(this.#grant(queuedAt));
    this.#waited++;
    return new Promise<Permit>((resolve, reject) => {
      const onAbort = () => {
        const index = this.#queue.indexOf(waiter);
        if (index >= 0) this.#queue.splice(index, 1);
        reject(signal?.reason ?? new TaskCancelledError());
      };
      const waiter: Waiter = {
        queuedAt,
        grant: (permit) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(permit);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  snapshot(): ConcurrencySnapshot {
    return {
      limit: this.limit,
      inFlight: this.#inFlight,
      waiting: this.#queue.length,
      waited: this.#waited,
      cuts: this.#state.cuts,
    };
  }

  #grant(queuedAt: number): Permit {
    this.#inFlight++;
    const startedAt = this.#now();
    const cutsAtStart = this.#state.cuts;
    let settled = false;
    let released = false;
    return {
      waitedMs: startedAt - queuedAt,
      settle: (outcome) => {
        const first = !settled;
        settled = true;
        if (!first || outcome === 'other') return false;
        // Settled after its release (a reply read in full) it still counts as in flight.
        const inFlight = this.#inFlight + (released ? 1 : 0);
        const sample: AimdSample =
          outcome === 'ok'
            ? { outcome, latencyMs: this.#now() - startedAt, inFlight, cutsAtStart }
            : { outcome, inFlight, cutsAtStart };
        const cuts = this.#state.cuts;
        this.#state = nextAimd(this.#state, sample, this.config);
        this.#drain();
        return this.#state.cuts > cuts;
      },
      release: () => {
        if (released) return;
        released = true;
        this.#inFlight--;
        this.#drain();
      },
    };
  }

  #drain(): void {
    while (this.#queue.length > 0 && this.#inFlight < this.limit) {
      const waiter = this.#queue.shift()!;
      waiter.grant(this.#grant(waiter.queuedAt));
    }
  }
}
