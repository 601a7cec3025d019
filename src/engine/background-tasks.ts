import { BackgroundLimitError } from '../errors/index.ts';
import type { TaskHandle, TaskResult } from './types.ts';

/**
 * The engine's background tasks (`run_in_background`): those running, and those finished whose
 * result nobody has read yet. Both are bounded; past a bound a new background task is refused with
 * a clear error, so a result is never dropped unread.
 */
export class BackgroundTasks {
  readonly #maxRunning: number;
  readonly #maxUnread: number;
  readonly #running = new Map<string, TaskHandle>();
  readonly #unread = new Map<string, TaskResult>();

  constructor(limits: { maxRunning: number; maxUnread: number }) {
    this.#maxRunning = limits.maxRunning;
    this.#maxUnread = limits.maxUnread;
  }

  /** Throws BackgroundLimitError when another background task may not start now. */
  checkRoom(): void {
    if (this.#running.size >= this.#maxRunning) {
      throw new BackgroundLimitError(
        `Background task refused: ${this.#running.size} are already running (background.maxRunning)`,
        'Wait for one to finish (TaskOutput / `codex-task runs wait`), run this one in the foreground, or raise background.maxRunning.',
        { limit: 'maxRunning', value: this.#maxRunning },
      );
    }
    if (this.#unread.size >= this.#maxUnread) {
      throw new BackgroundLimitError(
        `Background task refused: ${this.#unread.size} finished background tasks have not been read yet (background.maxUnread)`,
        'Read their results (TaskOutput, `codex-task runs show`), or raise background.maxUnread.',
        { limit: 'maxUnread', value: this.#maxUnread },
      );
    }
  }

  add(handle: TaskHandle): void {
    this.#running.set(handle.id, handle);
    void handle.result.then((result) => {
      this.#running.delete(handle.id);
      this.#unread.set(handle.id, result);
    });
  }

  /** The running handle of a background task. */
  running(id: string): TaskHandle | undefined {
    return this.#running.get(id);
  }

  /** A finished background task's result, marked read (it no longer counts against maxUnread). */
  read(id: string): TaskResult | undefined {
    const result = this.#unread.get(id);
    this.#unread.delete(id);
    return result;
  }

  get counts(): { running: number; unread: number } {
    return { running: this.#running.size, unread: this.#unread.size };
  }
}
