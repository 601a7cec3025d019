/**
 * `npm run bench:web-fetch [-- --json]`: what WebFetch's HTML → Markdown conversion costs the
 * engine's event loop, which every subagent of the process shares.
 *   inline   turndown on the main thread (how WebFetch converted before the worker)
 *   worker   MarkdownConverter: the same conversion in a worker thread (piscina)
 * For each page size: the conversion's wall time (median) and the main thread's event-loop delay
 * while it runs (perf_hooks.monitorEventLoopDelay: max and p99); then 8 conversions at once, as
 * parallel subagents would start them. Target (issue 7 follow-up): the loop never stalls for a
 * conversion's length with the worker.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
// The module the worker runs, called here on the main thread: how WebFetch converted before.
import { htmlToMarkdown } from '../src/tools/web/html-to-markdown.ts';
import { MarkdownConverter } from '../src/tools/web/index.ts';
import { median } from './stats.ts';

const json = process.argv.includes('--json');
const figures: Record<string, Record<string, number>> = {};

const BLOCK =
  '<div class="post"><h2>Section</h2><p>Some <a href="/x">linked</a> text with <strong>bold</strong> and <code>code</code>.</p>' +
  '<ul><li>one</li><li>two</li></ul><table><tr><td>a</td><td>b</td></tr></table><pre><code>npm i x</code></pre></div>\n';
const page = (bytes: number) =>
  `<!doctype html><html><head><title>T</title><script>var x = 1;</script></head><body>${BLOCK.repeat(
    Math.ceil(bytes / BLOCK.length),
  )}</body></html>`;

const converter = new MarkdownConverter();
const never = new AbortController().signal;
const viaWorker = (html: string) =>
  converter.convert(html, { url: 'bench', signal: never, deadline: never, timeoutMs: 60_000 });
// Async like the tool's call, but the work itself runs here, on the main thread.
const inline = async (html: string) => htmlToMarkdown(html);

/**
 * Runs `work` while the event loop's delay is sampled every 1 ms; returns wall time and delay. The
 * loop turns once more before sampling stops, so a stall that lasts to the end is counted too.
 */
async function measure(work: () => Promise<unknown>) {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  // A timer that keeps the loop turning, as other subagents' I/O would.
  const ticker = setInterval(() => {}, 1);
  histogram.enable();
  // The histogram counts from its first sample on: a stall before that would go unseen.
  await new Promise((resolve) => setTimeout(resolve, 5));
  const started = performance.now();
  await work();
  const wallMs = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 5));
  histogram.disable();
  clearInterval(ticker);
  return { wallMs, maxDelayMs: histogram.max / 1e6, p99DelayMs: histogram.percentile(99) / 1e6 };
}

function report(name: string, runs: Awaited<ReturnType<typeof measure>>[]) {
  const row = {
    wallMs: median(runs.map((r) => r.wallMs)),
    maxLoopDelayMs: Math.max(...runs.map((r) => r.maxDelayMs)),
    p99LoopDelayMs: median(runs.map((r) => r.p99DelayMs)),
  };
  figures[name] = row;
  if (!json) {
    process.stdout.write(
      `${name.padEnd(28)} conversion ${row.wallMs.toFixed(0).padStart(5)} ms   event-loop delay max ${row.maxLoopDelayMs
        .toFixed(1)
        .padStart(6)} ms, p99 ${row.p99LoopDelayMs.toFixed(1).padStart(6)} ms\n`,
    );
  }
}

try {
  // What this machine's scheduler alone costs the loop (other processes share its cores).
  report('idle (noise floor), 1 s', [await measure(() => new Promise((r) => setTimeout(r, 1000)))]);
  const first = await measure(() => viaWorker('<p>warm-up</p>'));
  report('worker start (first call)', [first]);
  for (const bytes of [20_000, 200_000, 1_000_000]) {
    const html = page(bytes);
    const label = `${bytes / 1000} KB`;
    const runs = bytes >= 1_000_000 ? 3 : 5;
    for (const [mode, convert] of [
      ['inline', inline],
      ['worker', viaWorker],
    ] as const) {
      await convert(html); // JIT warm-up, not measured
      const results = [];
      for (let i = 0; i < runs; i++) results.push(await measure(() => convert(html)));
      report(`${mode} ${label}`, results);
    }
  }
  const html = page(200_000);
  for (const [mode, convert] of [
    ['inline', inline],
    ['worker', viaWorker],
  ] as const) {
    report(`${mode} 8 × 200 KB at once`, [
      await measure(() => Promise.all(Array.from({ length: 8 }, () => convert(html)))),
    ]);
  }
  if (json) process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
} finally {
  await converter.close();
}
