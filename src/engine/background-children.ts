import type { SlotLease } from './slot-lease.ts';
import type { TaskHandle, TaskResult } from './types.ts';

interface Child {
  handle: TaskHandle;
  callId: string;
  result: TaskResult | undefined;
}

/**
 * The background children one subagent launched (`run_in_background` in its Task calls), until
 * their results have been handed back to it. They stop when the subagent stops.
 */
export class BackgroundChildren {
  readonly #children: Child[] = [];

  constructor(parentSignal: AbortSignal) {
    parentSignal.addEventListener(
      'abort',
      () => {
        for (const child of this.#children) child.handle.cancel(parentSignal.reason as Error);
      },
      { once: true },
    );
  }

  add(handle: TaskHandle, callId: string): TaskHandle {
    const child: Child = { handle, callId, result: undefined };
    void handle.result.then((result) => {
      child.result = result;
    });
    this.#children.push(child);
    return handle;
  }

  /** Whether a launched child's result has not been handed back yet. */
  get pending(): boolean {
    return this.#children.length > 0;
  }

  /**
   * Waits until at least one child has finished (lending the parent's slot meanwhile, so the
   * children can run under a small concurrency limit), then hands back every finished one.
   */
  async next(lease: SlotLease): Promise<{ result: TaskResult; callId: string }[]> {
    if (!this.#children.some((c) => c.result)) {
      lease.childStarted();
      try {
        await Promise.race(this.#children.map((c) => c.handle.result));
      } finally {
        await lease.childEnded();
      }
    }
    const done = this.#children.filter((c) => c.result);
    for (const child of done) this.#children.splice(this.#children.indexOf(child), 1);
    return done.map((c) => ({ result: c.result as TaskResult, callId: c.callId }));
  }
}
