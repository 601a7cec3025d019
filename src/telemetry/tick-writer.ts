import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

const open = new Set<TickWriter>();
// Lines still buffered when the process exits normally are written (synchronously) on the way out.
process.once('exit', () => {
  for (const writer of open) writer.flush();
});

/**
 * An append-only file that collects what is written during one macrotask and writes it with a
 * single O_APPEND `write` at its end (`setImmediate`): one syscall per tick instead of one per line.
 * Lines are never interleaved with another process's, appear within the same tick, and a kill -9
 * loses at most the lines of the tick the process died in.
 */
export class TickWriter {
  readonly path: string;
  #fd: number | undefined;
  #buffer = '';

  constructor(path: string, mode = 0o600) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.#fd = openSync(path, 'a', mode);
    open.add(this);
  }

  write(text: string): boolean {
    if (this.#fd === undefined) return false;
    if (!this.#buffer) setImmediate(() => this.flush());
    this.#buffer += text;
    return true;
  }

  flush(): void {
    if (this.#fd === undefined || !this.#buffer) return;
    const text = this.#buffer;
    this.#buffer = '';
    writeSync(this.#fd, text);
  }

  close(): void {
    this.flush();
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    open.delete(this);
  }
}
