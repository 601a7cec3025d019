import type { ModelPrice } from '../config/defaults/index.ts';
import type { Endpoint } from './endpoint.ts';
import type { Candidate } from './failover-chains.ts';
import type { ProviderModel } from './model-factory.ts';

export interface RouteCandidate extends Candidate {
  model: ProviderModel;
  endpoint: Endpoint;
  /** Undefined when the price is unknown: the cost of its calls is null. */
  price: ModelPrice | undefined;
}

/**
 * One task's way to its model: the candidates in order and the one in use. It is sticky: after a
 * failover the task's later turns go to the candidate that served (a provider's prompt cache and
 * conversation state are per provider), and a new task starts again at the first candidate.
 */
export class ModelRoute {
  readonly candidates: readonly RouteCandidate[];
  #current = 0;
  #switched = false;

  constructor(candidates: readonly RouteCandidate[]) {
    if (candidates.length === 0) throw new RangeError('a route needs at least one candidate');
    this.candidates = candidates;
  }

  get current(): number {
    return this.#current;
  }

  get primary(): RouteCandidate {
    return this.candidates[0]!;
  }

  /** True once any turn has been sent to another candidate than the first. */
  get switched(): boolean {
    return this.#switched;
  }

  switchTo(index: number): void {
    this.#current = index;
    this.#switched = true;
  }

  /** The next candidate after the current one (in chain order, wrapping) whose circuit lets a call through. */
  alternative(now = Date.now()): number | undefined {
    const n = this.candidates.length;
    for (let step = 1; step < n; step++) {
      const index = (this.#current + step) % n;
      const admission = this.candidates[index]!.endpoint.admission(now);
      if (admission === 'closed' || admission === 'probe') return index;
    }
    return undefined;
  }
}
