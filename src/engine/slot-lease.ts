import type { Admission } from './admission.ts';

/**
 * One task's hold on an admission slot. While the task waits on subagents it started, it gives the
 * slot back so the children can run (otherwise parents holding every slot would wait forever on
 * children that cannot start); when the last child is done it re-enters at the head of the queue.
 * `priority` is the task's (checked by the engine); its children inherit it.
 */
export class SlotLease {
  readonly #admission: Admission;
  readonly priority: number;
  #held = false;
  #children = 0;

  constructor(admission: Admission, priority = 0) {
    this.#admission = admission;
    this.priority = priority;
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    await this.#admission.acquire(signal, { priority: this.priority });
    this.#held = true;
  }

  childStarted(): void {
    this.#children++;
    this.release();
  }

  async childEnded(signal?: AbortSignal): Promise<void> {
    this.#children--;
    if (this.#children > 0) return;
    try {
      await this.#admission.acquire(signal, { first: true, priority: this.priority });
    } catch {
      return; // Cancelled while waiting to resume: the task is ending anyway, with no slot to give back.
    }
    this.#held = true;
    // A sibling child may have started while we waited for the slot.
    if (this.#children > 0) this.release();
  }

  release(): void {
    if (!this.#held) return;
    this.#held = false;
    this.#admission.release();
  }
}
