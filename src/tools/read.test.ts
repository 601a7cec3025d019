import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolExecutionError } from '../errors/index.ts';
import { readTool } from './read.ts';
import { makeWorkspace, type TestWorkspace } from './testing.ts';

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await makeWorkspace({ limits: { readDefaultLines: 5 } });
});
afterEach(() => ws.cleanup());

const numbered = (n: number, text: string): string => `${String(n).padStart(6)}\t${text}`;
const lines = (count: number): string => Array.from({ length: count }, (_, i) => `line ${i + 1}`).join('\n');

/** Bytes this process read (read(2) and its kin, every thread) while `action` ran: Linux's rchar. */
async function bytesReadDuring(action: () => Promise<unknown>): Promise<number> {
  const rchar = () => Number(/^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1]);
  const before = rchar();
  await action();
  return rchar() - before;
}

describe('Read', () => {
  it('returns cat -n numbered lines, relative or absolute path', async () => {
    const file = await ws.file('a.txt', 'alpha\nbeta\n');
    const expected = `${numbered(1, 'alpha')}\n${numbered(2, 'beta')}`;
    expect(await readTool.execute({ file_path: 'a.txt' }, ws.ctx)).toBe(expected);
    expect(await readTool.execute({ file_path: file }, ws.ctx)).toBe(expected);
  });

  it('reads ctx.limits.readDefaultLines lines by default and says how to continue', async () => {
    await ws.file('long.txt', lines(12));
    const out = await readTool.execute({ file_path: 'long.txt' }, ws.ctx);
    expect(out.split('\n').filter((l) => /^\s+\d+\t/.test(l))).toHaveLength(5);
    expect(out).toContain(numbered(5, 'line 5'));
    expect(out).not.toContain('line 6');
    expect(out).toContain('offset=6');
  });

  it('honours offset and limit, without a note at the end of the file', async () => {
    await ws.file('long.txt', lines(12));
    expect(await readTool.execute({ file_path: 'long.txt', offset: 11, limit: 5 }, ws.ctx)).toBe(
      `${numbered(11, 'line 11')}\n${numbered(12, 'line 12')}`,
    );
    const middle = await readTool.execute({ file_path: 'long.txt', offset: 3, limit: 2 }, ws.ctx);
    expect(middle).toContain(`${numbered(3, 'line 3')}\n${numbered(4, 'line 4')}\n`);
    expect(middle).toContain('offset=5');
  });

  it('refuses an offset past the end, naming the line count', async () => {
    await ws.file('short.txt', 'one\ntwo\n');
    await expect(readTool.execute({ file_path: 'short.txt', offset: 9 }, ws.ctx)).rejects.toThrow(
      /offset 9 is past the end .* 2 lines/,
    );
  });

  it('cuts long lines at 2000 characters with a marker', async () => {
    await ws.file('wide.txt', `${'x'.repeat(5000)}\nshort\n`);
    const [first, second] = (await readTool.execute({ file_path: 'wide.txt' }, ws.ctx)).split('\n');
    expect(first).toBe(`${numbered(1, 'x'.repeat(2000))}… [line truncated: 3000 more characters]`);
    expect(second).toBe(numbered(2, 'short'));
  });

  it('strips CRLF line ends and a UTF-8 BOM, keeps multibyte text intact', async () => {
    await ws.file('win.txt', '\uFEFFfirst\r\nzweite – Ünïcödé 🎉\r\n');
    expect(await readTool.execute({ file_path: 'win.txt' }, ws.ctx)).toBe(
      `${numbered(1, 'first')}\n${numbered(2, 'zweite – Ünïcödé 🎉')}`,
    );
  });

  it('says when a file is empty', async () => {
    await ws.file('empty.txt', '');
    expect(await readTool.execute({ file_path: 'empty.txt' }, ws.ctx)).toMatch(/empty/);
  });

  it('fails clearly on a missing file, suggesting a near name', async () => {
    await ws.file('src/config.ts', 'x');
    const error = await readTool.execute({ file_path: 'src/confg.ts' }, ws.ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolExecutionError);
    expect((error as Error).message).toBe(
      `File does not exist: ${path.join(ws.root, 'src/confg.ts')}. Did you mean ${path.join(ws.root, 'src/config.ts')}?`,
    );
  });

  it('fails clearly on a directory', async () => {
    await ws.file('dir/x.txt', 'x');
    await expect(readTool.execute({ file_path: 'dir' }, ws.ctx)).rejects.toThrow(/is a directory.*/);
  });

  it('refuses a FIFO instead of blocking on it', async () => {
    execFileSync('mkfifo', [path.join(ws.root, 'pipe')]);
    await expect(readTool.execute({ file_path: 'pipe' }, ws.ctx)).rejects.toThrow(/not a regular file/);
  });

  it('refuses binary files', async () => {
    await ws.file('image.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    await expect(readTool.execute({ file_path: 'image.png' }, ws.ctx)).rejects.toThrow(/binary file/);
  });

  it('reads the requested window of a large file without reading it all', async () => {
    const big = await ws.file('big.log', `${lines(200_000)}\n`);
    const size = (await stat(big)).size; // about 2.3 MB
    // Counted by the kernel: every byte this process reads from any file (the stream's 64 KiB
    // chunks and the 8 KiB binary check included), however the tool reads.
    const whole = await bytesReadDuring(() => readFile(big));
    const start = await bytesReadDuring(async () => {
      const out = await readTool.execute({ file_path: 'big.log', offset: 10, limit: 1 }, ws.ctx);
      expect(out.split('\n')[0]).toBe(numbered(10, 'line 10'));
    });
    const end = await bytesReadDuring(async () => {
      const out = await readTool.execute({ file_path: 'big.log', offset: 199_990, limit: 1 }, ws.ctx);
      expect(out.split('\n')[0]).toBe(numbered(199_990, 'line 199990'));
    });
    // The counter sees a file being read: all of it for readFile, nearly all for a window at the end.
    expect(whole).toBeGreaterThanOrEqual(size);
    expect(end).toBeGreaterThanOrEqual(size - 64 * 1024);
    // A window at the start: the 8 KiB binary check and a 64 KiB chunk or two (one read ahead),
    // with room for anything else the process reads meanwhile; a ninth of the file, not all of it.
    expect(start).toBeLessThan(256 * 1024);
  });
});
