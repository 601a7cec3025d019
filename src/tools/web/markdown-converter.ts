import { availableParallelism } from 'node:os';
import type { Piscina } from 'piscina';
import { WEB_CONVERTER_DEFAULTS } from '../../config/defaults/index.ts';
import { ToolExecutionError } from '../../errors/index.ts';

export interface MarkdownConverterOptions {
  /** Conversions run at once (each in its own thread); more wait in a queue. */
  maxThreads?: number;
  /** Heap of one worker thread, in MB: a page that needs more fails alone, the engine lives on. */
  maxMemoryMb?: number;
}

// Run from the sources (Node strips the types) the worker is the .ts file beside this one; run from
// dist/ it is the compiled .js (tsc rewrites import specifiers, not URLs).
const WORKER_FILE = new URL(
  `./html-to-markdown.worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`,
  import.meta.url,
);

/**
 * HTML → Markdown in worker threads (piscina), so a large page never freezes the event loop that
 * every other subagent of the process shares. The pool starts on the first conversion; an idle
 * worker is unref'd and does not keep the process alive. A conversion past its deadline or
 * cancelled has its worker terminated (piscina replaces it), as does one that crashes or runs out
 * of memory: that call fails with a tool error, the next one gets a fresh worker.
 */
export class MarkdownConverter {
  readonly #options: Required<MarkdownConverterOptions>;
  #pool: Promise<Piscina<string, string>> | undefined;

  constructor(options: MarkdownConverterOptions = {}) {
    const { maxThreads, maxMemoryMb } = WEB_CONVERTER_DEFAULTS;
    this.#options = {
      maxThreads: options.maxThreads ?? Math.max(1, Math.min(maxThreads, availableParallelism() - 1)),
      maxMemoryMb: options.maxMemoryMb ?? maxMemoryMb,
    };
  }

  /**
   * `signal` aborts the conversion (the task was cancelled: its reason is thrown as is);
   * `deadline` is the time left of WebFetch's limit (a tool error says it ran out).
   */
  async convert(
    html: string,
    context: { url: string; signal: AbortSignal; deadline: AbortSignal; timeoutMs: number },
  ): Promise<string> {
    const signal = AbortSignal.any([context.signal, context.deadline]);
    try {
      signal.throwIfAborted();
      return await (await this.#start()).run(html, { signal });
    } catch (error) {
      if (context.signal.aborted) throw context.signal.reason ?? error;
      if (context.deadline.aborted) {
        throw new ToolExecutionError(
          `Fetching and converting ${context.url} took longer than ${context.timeoutMs} ms and was stopped.`,
          'Fetch a smaller page (a specific section or a plain-text version), or raise webFetch.timeout in the config.',
        );
      }
      throw new ToolExecutionError(
        `WebFetch could not convert ${context.url} to Markdown: ${this.#reason(error)}.`,
        'Try again; if it fails again, fetch a smaller page or a plain-text version of it.',
      );
    }
  }

  /** Stops the worker threads (a running conversion fails); the next conversion starts new ones. */
  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    await (await pool)?.destroy();
  }

  #start(): Promise<Piscina<string, string>> {
    // piscina is imported here, not at the top: a process that never converts a page (and every
    // start-up) does not pay for loading it. minThreads 1, not 0: with 0, piscina 5.3 leaves a
    // queued task waiting forever once the only worker was terminated by an abort; the pool itself
    // is what is created lazily.
    this.#pool ??= import('piscina').then(
      ({ Piscina }) =>
        new Piscina<string, string>({
          filename: WORKER_FILE.href,
          minThreads: 1,
          maxThreads: this.#options.maxThreads,
          resourceLimits: { maxOldGenerationSizeMb: this.#options.maxMemoryMb },
        }),
    );
    return this.#pool;
  }

  #reason(error: unknown): string {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
      return `the page needs more than the converter's ${this.#options.maxMemoryMb} MB of memory`;
    }
    const message = error instanceof Error ? error.message : String(error);
    return /worker exited/.test(message) ? `the converter stopped unexpectedly (${message})` : message;
  }
}

/** The process's converter: subagents share its threads, so parallel fetches queue, not pile up. */
export const sharedMarkdownConverter = new MarkdownConverter();
