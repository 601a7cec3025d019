import { TaskCancelledError } from '../errors/index.ts';
import { BinaryHeap } from './binary-heap.ts';
import { PRIORITY_AGING_MS } from './task-priority.ts';

interface Waiter {
  grant: () => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
  first: boolean;
  /** When the waiter would start if priorities did not exist, less what its priority is worth. */
  rank: number;
  seq: number;
  heapIndex: number;
}

export interface AdmissionOptions {
  /** The clock waiting time is measured on, in ms (tests give their own). */
  now?: () => number;
  /** Waiting this long counts as one point of priority. */
  agingMs?: number;
}

export interface AcquireOptions {
  /** Ahead of every waiter without it: a parent resuming after its children. */
  first?: boolean;
  /** Higher is admitted sooner; 0 when omitted (the engine checks the range, `task-priority.ts`). */
  priority?: number;
}

/**
 * The engine's one admission point: a priority queue in front of a fixed number of slots.
 * Granting is O(log n) and synchronous with the release that frees the slot, so a queued task starts
 * in the same tick its predecessor ends. A parent that waits on its children gives its slot back
 * (see `SlotLease`) and re-enters ahead of everyone (`first`), which is what keeps nesting from
 * deadlocking under a small limit.
 *
 * Priorities age so that low ones cannot starve: the classic remedy of "aging" (Silberschatz et al.,
 * Operating System Concepts, Priority Scheduling), a waiter's priority growing by one point per
 * `agingMs` waited. Growing linearly, it never reorders two waiters already queued, since
 * `p1 + (now - t1) / aging > p2 + (now - t2) / aging` does not depend on `now`. So each waiter gets
 * a fixed rank when it arrives, `t - p * aging` (a virtual arrival time, as in virtual-time fair
 * queuing), and the heap stays valid without rescoring: equal priorities are FIFO, and a task is
 * overtaken only by tasks arriving less than `(their priority - its priority) * aging` after it.
 */
export class Admission {
  readonly #limit: number;
  readonly #now: () => number;
  readonly #agingMs: number;
  #active = 0;
  #seq = 0;
  readonly #waiting = new BinaryHeap<Waiter>((a, b) =>
    a.first !== b.first ? a.first : a.rank !== b.rank ? a.rank < b.rank : a.seq < b.seq,
  );

  constructor(limit: number, options: AdmissionOptions = {}) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`concurrency must be a positive integer, got ${limit}`);
    const agingMs = options.agingMs ?? PRIORITY_AGING_MS;
    if (!(agingMs > 0)) throw new RangeError(`agingMs must be positive, got ${agingMs}`);
    this.#limit = limit;
    this.#now = options.now ?? (() => performance.now());
    this.#agingMs = agingMs;
  }

  get active(): number {
    return this.#active;
  }

  get queued(): number {
    return this.#waiting.size;
  }

  get limit(): number {
    return this.#limit;
  }

  /** Resolves when a slot is held: at once when one is free and nobody waits, else in priority order. */
  acquire(signal?: AbortSignal, options: AcquireOptions = {}): Promise<void> {
    if (signal?.aborted) return Promise.reject(new TaskCancelledError());
    if (this.#active < this.#limit && this.#waiting.size === 0) {
      this.#active++;
      return Promise.resolve();
    }
    const priority = options.priority ?? 0;
    if (!Number.isFinite(priority))
      return Promise.reject(new RangeError(`priority must be finite, got ${priority}`));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        grant: resolve,
        reject,
        signal,
        onAbort: () => {
          this.#waiting.remove(waiter);
          reject(new TaskCancelledError());
        },
        first: options.first === true,
        rank: this.#now() - priority * this.#agingMs,
        seq: this.#seq++,
        heapIndex: -1,
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#waiting.push(waiter);
      this.#drain();
    });
  }

  release(): void {
    if (this.#active === 0) throw new Error('Admission.release() without a held slot');
    this.#active--;
    this.#drain();
  }

  #drain(): void {
    while (this.#active < this.#limit) {
      const waiter = this.#waiting.pop();
      if (!waiter) return;
      this.#active++;
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.grant();
    }
  }
}
