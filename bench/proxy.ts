/**
 * `npm run bench:proxy [-- --json] [-- --duration 10]`: what the proxy costs a Codex-like client,
 * on the scripted model (its own process) with streaming Responses replies, loopback.
 *   ttfb        time to the first body byte, one request at a time (2,000 each), direct vs proxy:
 *               the added p50/p99 (target < 1 ms p50)
 *   throughput  autocannon, 10 connections, streaming POST /v1/responses: requests/s through the
 *               proxy over direct (target ≥ 0.9), and the proxy's RSS while under that load. Twice:
 *               `saturated` (the model answers at once: CPU-bound, and on a small machine the proxy's
 *               process competes with the model and the load generator for the same cores) and
 *               `model-bound` (20 ms before the first byte, as a model always takes far longer), with
 *               the CPU time per request of ours and of the floor (from /proc: steadier than req/s
 *               on a shared machine)
 * The proxy runs as `codex-task proxy` with its defaults (Task injected into every request).
 * Beside it runs the floor (bench/floor-proxy.ts: node:http + undici, nothing else), so the figures
 * say how much of the gap is ours and how much any Node proxy pays on this machine.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { percentile } from './stats.ts';

const json = process.argv.includes('--json');
const durationArg = process.argv.indexOf('--duration');
const DURATION_S = durationArg > 0 ? Number(process.argv[durationArg + 1]) : 8;
const TTFB_REQUESTS = 2_000;
const CONNECTIONS = 10;
const TARGETS = { addedTtfbP50Ms: 1, throughputRatio: 0.9 };
const log = (line: string) => {
  if (!json) process.stdout.write(`${line}\n`);
};

const dir = mkdtempSync(join(tmpdir(), 'codex-task-bench-proxy-'));
const REPLY = 'The proxy forwards this reply as a stream of Responses events, chunk by chunk. '.repeat(6);
const MODEL_LATENCY_MS = 20;
const body = (model: string) =>
  JSON.stringify({
    model,
    stream: true,
    store: false,
    tools: [{ type: 'function', name: 'exec_command', parameters: { type: 'object', properties: {} } }],
    input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello' }] }],
  });
const BODY = body('gpt-5.5');

function start(
  args: string[],
  pattern: RegExp,
  stream: 'stdout' | 'stderr',
  script = 'src/cli/bin.ts',
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      HOME: dir,
      CODEX_TASK_RUNS_DB: join(dir, 'runs.db'),
      CODEX_TASK_AUDIT_LOG: join(dir, 'audit.jsonl'),
      CODEX_TASK_LOG_LEVEL: 'warn',
    },
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child[stream]! }).on('line', (line) => {
      const match = pattern.exec(line);
      if (match) resolve({ url: match[1]!, child });
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}`)));
  });
}

/** Time to the first body byte of a streaming POST, sequentially on one keep-alive connection. */
async function ttfb(origin: string, path: string): Promise<number[]> {
  const pool = new Pool(origin, { connections: 1 });
  const times: number[] = [];
  for (let i = 0; i < TTFB_REQUESTS + 200; i++) {
    const t0 = performance.now();
    const { body } = await pool.request({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json' },
      body: BODY,
    });
    let first = 0;
    for await (const _chunk of body) {
      if (!first) first = performance.now() - t0;
    }
    if (i >= 200) times.push(first); // the first 200 warm up connections and JIT
  }
  await pool.close();
  return times;
}

function load(url: string, requestBody: string): Promise<autocannon.Result> {
  return autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: requestBody,
    connections: CONNECTIONS,
    duration: DURATION_S,
  });
}

/** CPU time (user + system, all threads) a process has used so far, in µs (from /proc, 10 ms ticks). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

const scriptFile = join(dir, 'script.json');
writeFileSync(
  scriptFile,
  JSON.stringify({
    rules: [{ when: { model: '^slow$' }, reply: { text: REPLY, latencyMs: MODEL_LATENCY_MS } }],
    default: { text: REPLY },
  }),
);
const model = await start(
  ['scripted-model', '--port', '0', '--script', scriptFile],
  / on (http\S+)/,
  'stdout',
);
const proxy = await start(
  ['proxy', '--port', '0', '--upstream', `${model.url}/v1`],
  /proxy on (http\S+)\/v1/,
  'stderr',
);
const floor = await start([model.url], /floor proxy on (http\S+)/, 'stderr', 'bench/floor-proxy.ts');
try {
  log(`scripted model ${model.url}, proxy ${proxy.url}; reply ${REPLY.length} chars streamed`);
  const direct = await ttfb(model.url, '/v1/responses');
  const proxied = await ttfb(proxy.url, '/v1/responses');
  const ttfbFigures = {
    directP50Ms: percentile(direct, 50),
    directP99Ms: percentile(direct, 99),
    proxyP50Ms: percentile(proxied, 50),
    proxyP99Ms: percentile(proxied, 99),
    addedP50Ms: percentile(proxied, 50) - percentile(direct, 50),
    addedP99Ms: percentile(proxied, 99) - percentile(direct, 99),
  };
  log(
    `ttfb        direct p50 ${ttfbFigures.directP50Ms.toFixed(3)} ms p99 ${ttfbFigures.directP99Ms.toFixed(3)} ms | ` +
      `proxy p50 ${ttfbFigures.proxyP50Ms.toFixed(3)} ms p99 ${ttfbFigures.proxyP99Ms.toFixed(3)} ms | ` +
      `added p50 ${ttfbFigures.addedP50Ms.toFixed(3)} ms (target < ${TARGETS.addedTtfbP50Ms}) p99 ${ttfbFigures.addedP99Ms.toFixed(3)} ms`,
  );
  const throughput: Record<string, Record<string, number>> = {};
  let peakRss = 0;
  const idleRss = rssMiB(proxy.child.pid!);
  for (const [phase, requestBody] of [
    ['saturated', BODY],
    ['modelBound', body('slow')],
  ] as const) {
    const directLoad = await load(`${model.url}/v1/responses`, requestBody);
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, rssMiB(proxy.child.pid!));
    }, 200);
    const proxyCpu = cpuMicros(proxy.child.pid!);
    const proxyLoad = await load(`${proxy.url}/v1/responses`, requestBody);
    const proxyCpuUs = cpuMicros(proxy.child.pid!) - proxyCpu;
    clearInterval(sampler);
    const floorCpu = cpuMicros(floor.child.pid!);
    const floorLoad = await load(`${floor.url}/v1/responses`, requestBody);
    const floorCpuUs = cpuMicros(floor.child.pid!) - floorCpu;
    const figures = {
      directRps: directLoad.requests.average,
      proxyRps: proxyLoad.requests.average,
      ratio: proxyLoad.requests.average / directLoad.requests.average,
      floorRps: floorLoad.requests.average,
      floorRatio: floorLoad.requests.average / directLoad.requests.average,
      proxyOverFloor: proxyLoad.requests.average / floorLoad.requests.average,
      // CPU per request is steadier than req/s on a shared machine: it does not depend on who else runs.
      proxyCpuUsPerRequest: proxyCpuUs / Math.max(1, proxyLoad.requests.total),
      floorCpuUsPerRequest: floorCpuUs / Math.max(1, floorLoad.requests.total),
      directLatencyP50Ms: directLoad.latency.p50,
      proxyLatencyP50Ms: proxyLoad.latency.p50,
      errors: directLoad.errors + proxyLoad.errors + directLoad.non2xx + proxyLoad.non2xx,
    };
    throughput[phase] = figures;
    log(
      `throughput  ${phase.padEnd(10)} direct ${figures.directRps.toFixed(0)} req/s | proxy ${figures.proxyRps.toFixed(0)} req/s | ` +
        `ratio ${figures.ratio.toFixed(3)} (target ≥ ${TARGETS.throughputRatio}) | latency p50 ${figures.directLatencyP50Ms} → ${figures.proxyLatencyP50Ms} ms | errors ${figures.errors}\n` +
        `            ${''.padEnd(10)} floor proxy ${figures.floorRps.toFixed(0)} req/s, ratio ${figures.floorRatio.toFixed(3)} | ours/floor ${figures.proxyOverFloor.toFixed(3)}\n` +
        `            ${''.padEnd(10)} cpu per request: ours ${figures.proxyCpuUsPerRequest.toFixed(0)} µs, floor ${figures.floorCpuUsPerRequest.toFixed(0)} µs`,
    );
  }
  log(
    `            ${CONNECTIONS} connections, ${DURATION_S} s per run; model-bound = ${MODEL_LATENCY_MS} ms model latency`,
  );
  log(`rss         proxy idle ${idleRss.toFixed(1)} MiB, peak under load ${peakRss.toFixed(1)} MiB`);
  const rss = { idleMiB: idleRss, peakUnderLoadMiB: peakRss };
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ ttfb: ttfbFigures, throughput, rss, targets: TARGETS, cpus: (await import('node:os')).availableParallelism() }, null, 2)}\n`,
    );
  }
} finally {
  proxy.child.kill('SIGTERM');
  floor.child.kill('SIGTERM');
  model.child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
