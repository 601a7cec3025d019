import type { MountedFrame } from './ink-frame.ts';
import type { Line, ViewSize } from './lines.ts';

/**
 * A live view on a terminal: `draw` is called on every redraw (every `intervalMs`, and when the
 * terminal is resized) and what it returns replaces the previous frame in place. Ink does the
 * drawing; it is imported when the view starts, so only a live view pays for loading it.
 */
export class TerminalView {
  readonly #stream: NodeJS.WriteStream;
  /** Notes Ink prints above the frame: every one since it appeared (its <Static> skips those done). */
  readonly #notes: string[] = [];
  readonly #mounted: Promise<MountedFrame | undefined>;
  #frame: MountedFrame | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #stopping: Promise<void> | undefined;

  constructor(
    stream: NodeJS.WriteStream,
    draw: (size: ViewSize) => Line[],
    options: { intervalMs?: number; delayMs?: number } = {},
  ) {
    this.#stream = stream;
    // Node loads an ES module graph synchronously: importing Ink and React holds the event loop for
    // a few hundred ms. Waiting a moment first lets the tasks' first model requests leave before it.
    const pause = new Promise<void>((resolve) => setTimeout(resolve, options.delayMs ?? 100));
    this.#mounted = pause
      .then(() => (this.#stopped ? undefined : import('./ink-frame.ts')))
      .then(
        (ink) => {
          if (!ink || this.#stopped) return undefined;
          this.#frame = ink.mountFrame(stream, draw);
          this.#timer = setInterval(() => this.#frame?.update(this.#notes), options.intervalMs ?? 100);
          this.#timer.unref();
          return this.#frame;
        },
        () => undefined, // no live view then; notes are still printed
      );
  }

  /** A line printed once, above the view. */
  note(line: string): void {
    if (!this.#frame) {
      this.#stream.write(`${line}\n`);
      return;
    }
    this.#notes.push(line);
    this.#frame.update(this.#notes);
  }

  /** Stops redrawing; the last frame stays (`keep`) or is erased. Resolves once the terminal is left clean. */
  stop(options: { keep: boolean }): Promise<void> {
    this.#stopping ??= this.#stop(options.keep);
    return this.#stopping;
  }

  async #stop(keep: boolean): Promise<void> {
    this.#stopped = true;
    const frame = await this.#mounted;
    clearInterval(this.#timer);
    this.#frame = undefined;
    await frame?.stop(this.#notes, keep);
  }
}
