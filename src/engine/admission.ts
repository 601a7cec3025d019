import { TaskCancelledError } from '../errors/index.ts';

interface Waiter {
  grant: () => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * The engine's one admission point: a FIFO queue in front of a fixed number of slots.
 * Granting is O(1) and synchronous with the release that frees the slot, so a queued task starts
 * in the same tick its predecessor ends. A parent that waits on its children gives its slot back
 * (see `TaskEngine`) and re-enters at the head of the queue, which is what keeps nesting from
 * deadlocking under a small limit.
 */
export class Admission {
  readonly #limit: number;
  #active = 0;
  // A plain array with a moving head: shift() is O(n) on large queues.
  #queue: (Waiter | undefined)[] = [];
  #head = 0;
  #waiting = 0;

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`concurrency must be a positive integer, got ${limit}`);
    this.#limit = limit;
  }

  get active(): number {
    return this.#active;
  }

  get queued(): number {
    return this.#waiting;
  }

  get limit(): number {
    return this.#limit;
  }

  /** Resolves when a slot is held; `first` puts the caller at the head (a parent resuming after its children). */
  acquire(signal?: AbortSignal, options: { first?: boolean } = {}): Promise<void> {
    if (signal?.aborted) return Promise.reject(new TaskCancelledError());
    if (this.#active < this.#limit && this.#waiting === 0) {
      this.#active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        grant: resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.#queue.indexOf(waiter, this.#head);
          if (index >= 0) {
            this.#queue[index] = undefined;
            this.#waiting--;
          }
          reject(new TaskCancelledError());
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#waiting++;
      if (options.first) {
        this.#compact();
        this.#queue.unshift(waiter);
      } else {
        this.#queue.push(waiter);
      }
      this.#drain();
    });
  }

  release(): void {
    if (this.#active === 0) throw new Error('Admission.release() without a held slot');
    this.#active--;
    this.#drain();
  }

  #drain(): void {
    while (this.#active < this.#limit && this.#waiting > 0) {
      const waiter = this.#queue[this.#head];
      this.#queue[this.#head++] = undefined;
      if (!waiter) continue;
      this.#waiting--;
      this.#active++;
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.grant();
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) this.#compact();
  }

  #compact(): void {
    this.#queue = this.#queue.slice(this.#head).filter((w) => w !== undefined);
    this.#head = 0;
  }
}
