/**
 * Spreads the set-up of admitted tasks over event-loop turns, one task at a time, so a fan-out's
 * first model request leaves after one task's set-up rather than after all of them.
 *
 * Each admitted task enters the chain and runs its set-up in a macrotask of its own; the next one
 * starts when this one has handed its first request to the model client (`sent()`), or ends, or
 * after `maxHoldMs` (a set-up waiting on I/O, e.g. MCP servers starting, must not hold the others).
 * The next start is two loop turns away on purpose: undici writes a request on a reused keep-alive
 * connection one `setImmediate` after `fetch()` (undici 8's idle-socket check), and the request
 * should be on the wire before the next set-up takes the thread.
 */
export class DispatchChain {
  readonly #maxHoldMs: number;
  readonly #waiting: (() => void)[] = [];
  #head = 0;
  #busy = false;

  constructor(options: { maxHoldMs?: number } = {}) {
    this.#maxHoldMs = options.maxHoldMs ?? 2;
  }

  /** Resolves when it is this task's turn to set up; call the returned function once its request is sent. */
  enter(): Promise<() => void> {
    return new Promise((resolve) => {
      this.#waiting.push(() => resolve(this.#turn()));
      if (!this.#busy) {
        this.#busy = true;
        setImmediate(() => this.#next());
      }
    });
  }

  #turn(): () => void {
    let done = false;
    const hold = setTimeout(() => pass(), this.#maxHoldMs);
    const pass = () => {
      if (done) return;
      done = true;
      clearTimeout(hold);
      // Nobody waiting: the chain is idle at once, so a task that comes next starts without delay.
      if (this.#head >= this.#waiting.length) {
        this.#idle();
        return;
      }
      setImmediate(() => setImmediate(() => this.#next()));
    };
    return pass;
  }

  #idle(): void {
    this.#waiting.length = 0;
    this.#head = 0;
    this.#busy = false;
  }

  #next(): void {
    const start = this.#waiting[this.#head];
    if (!start) {
      this.#idle();
      return;
    }
    this.#waiting[this.#head++] = undefined as unknown as () => void;
    // A chain that never drains (steady traffic) still gives its consumed slots back.
    if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting.splice(0, this.#head);
      this.#head = 0;
    }
    start();
  }
}
