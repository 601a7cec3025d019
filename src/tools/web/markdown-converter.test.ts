import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ToolExecutionError } from '../../errors/index.ts';
import { MarkdownConverter } from './markdown-converter.ts';

const BLOCK =
  '<div><h2>Section</h2><p>Some <a href="/x">linked</a> text, <strong>bold</strong>, <code>code</code>.</p><ul><li>one</li><li>two</li></ul></div>\n';
/** A page of about `bytes` bytes of ordinary markup (turndown takes ~1 s per MB of it). */
const page = (bytes: number) =>
  `<!doctype html><html><head><title>T</title></head><body>${BLOCK.repeat(Math.ceil(bytes / BLOCK.length))}</body></html>`;

const converter = new MarkdownConverter({ maxThreads: 1 });
afterAll(() => converter.close());

const never = new AbortController().signal;
const options = (signal = never, deadline = never) => ({
  url: 'https://example.com/page',
  signal,
  deadline,
  timeoutMs: 1234,
});

describe('MarkdownConverter', () => {
  it('converts in a worker thread while the main thread keeps running', async () => {
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    try {
      const markdown = await converter.convert(page(500_000), options());
      expect(markdown.startsWith('## Section\n\nSome [linked](/x) text, **bold**, `code`.')).toBe(true);
      expect(markdown).not.toContain('<');
    } finally {
      clearInterval(ticker);
    }
    // Converted on this thread, the whole conversion would run before a single timer fired.
    expect(ticks).toBeGreaterThan(0);
  });

  it('stops a conversion when the task is cancelled, with the cancellation as the error', async () => {
    const controller = new AbortController();
    const pending = converter.convert(page(3_000_000), options(controller.signal));
    setTimeout(() => controller.abort(new Error('task cancelled')), 50);
    await expect(pending).rejects.toThrow('task cancelled');
    expect(await converter.convert('<p>next</p>', options())).toBe('next');
  });

  it('stops a conversion past the time left of the WebFetch limit, with a tool error', async () => {
    const error = await converter
      .convert(page(3_000_000), options(never, AbortSignal.timeout(50)))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolExecutionError);
    expect((error as Error).message).toBe(
      'Fetching and converting https://example.com/page took longer than 1234 ms and was stopped.',
    );
    expect((error as ToolExecutionError).hint).toMatch(/webFetch\.timeout/);
    expect(await converter.convert('<p>next</p>', options())).toBe('next');
  });

  it('fails one call with a tool error when its worker runs out of memory; the next call works', async () => {
    const small = new MarkdownConverter({ maxThreads: 1, maxMemoryMb: 16 });
    try {
      const error = await small.convert(page(2_000_000), options()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ToolExecutionError);
      expect((error as Error).message).toBe(
        "WebFetch could not convert https://example.com/page to Markdown: the page needs more than the converter's 16 MB of memory.",
      );
      expect(await small.convert('<h1>Still here</h1>', options())).toBe('# Still here');
    } finally {
      await small.close();
    }
  });

  it('loads piscina on the first conversion, turndown never on this thread, and lets the process exit', async () => {
    const tools = fileURLToPath(new URL('../index.ts', import.meta.url));
    const script = `
      import module from 'node:module';
      const loaded = [];
      module.registerHooks({ load: (url, context, next) => (loaded.push(url), next(url, context)) });
      const seen = (name) => loaded.some((url) => url.includes('/node_modules/' + name + '/'));
      const { getBuiltinTool } = await import(${JSON.stringify(tools)});
      const { MarkdownConverter } = await import(${JSON.stringify(fileURLToPath(new URL('./index.ts', import.meta.url)))});
      getBuiltinTool('WebFetch');
      const before = { piscina: seen('piscina'), turndown: seen('turndown') };
      const markdown = await new MarkdownConverter().convert('<h1>Hi</h1>', {
        url: 'x', signal: new AbortController().signal, deadline: new AbortController().signal, timeoutMs: 1,
      });
      console.log(JSON.stringify({ markdown, before, after: { piscina: seen('piscina'), turndown: seen('turndown') } }));`;
    // The child would hang (and the call time out) if the idle worker held its event loop open.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '--eval', script],
      { timeout: 30_000 },
    );
    expect(JSON.parse(stdout)).toEqual({
      markdown: '# Hi',
      before: { piscina: false, turndown: false },
      after: { piscina: true, turndown: false },
    });
  });
});
