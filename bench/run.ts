/**
 * `npm run bench [-- --json]`: the engine's figures on the scripted model (separate process, loopback).
 *   overhead   per-task wall time minus time inside model calls and tools, p50/p95 over 1,000 tasks
 *              (the engine's own timers: overheadP50Ms, overheadP95Ms)
 *              overheadOutsideMs (p50; overheadOutsideP95Ms): the same 1,000 tasks timed from outside
 *              the engine — from the library call (`engine.run`) to the model server receiving the
 *              task's first request, minus nothing. The model server stamps each request's arrival
 *              on `performance.timeOrigin + performance.now()`, the clock this process reads too.
 *              sdkOverheadOutsideMs: the same for a bare AI SDK generateText call (its floor)
 *   efficiency single-task time / wall time of N tasks in parallel (500 ms model latency), N = 10,
 *              100 (efficiency10, efficiency100), the median of 5 fan-outs each, interleaved with the
 *              same fan-outs as bare AI SDK calls (the floor: sdkBaselineEfficiency10/100);
 *              efficiencyVsFloor100 = efficiency100 ÷ sdkBaselineEfficiency100
 *   dispatch   from outside, medians of those same fan-outs (`engine.runAll` of N tasks of one
 *              agent): call → the first request at the model server for N = 1 (dispatchFirst1Ms),
 *              call → the last one for N = 10 and 100 (dispatchLast10Ms, dispatchLast100Ms);
 *              sdkDispatch…: the same for bare AI SDK calls; rawDispatch…: N prebuilt requests
 *              written at once on open sockets, no client library — the instrument's own floor
 *              (loopback and the server's parsing before it stamps an arrival)
 *   memory     RSS and heap growth per in-flight subagent, 100 in flight
 *   agents     cold load time of 500 agent files
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText } from 'ai';
import { AgentRegistry } from '../src/agents/index.ts';
import { TaskEngine, type TaskEngineOptions, type TaskResult } from '../src/engine/index.ts';
import { createKeepAliveFetch } from '../src/models/index.ts';
import { type Arrival, type BenchModelServer, startBenchModelServer } from './model-server.ts';
import { median, percentile, repeat, wallClock } from './stats.ts';

const json = process.argv.includes('--json');
const log = (line: string) => {
  if (!json) process.stdout.write(`${line}\n`);
};

const TARGETS = {
  overheadP95Ms: 5,
  efficiency: 0.95,
  perAgentMiB: 5,
  load500AgentsMs: 50,
  dispatchLast10Ms: 5,
  dispatchLast100Ms: 30,
  efficiencyVsFloor100: 0.98,
};
/** Fan-outs per size; each figure of the efficiency and dispatch phase is their median. */
const ROUNDS = 5;

function engineFor(url: string, workspace: string, options: TaskEngineOptions = {}): TaskEngine {
  return new TaskEngine({
    cwd: workspace,
    homeDir: workspace,
    providers: [{ id: 'openai', kind: 'openai', baseURL: `${url}/v1`, apiKey: 'bench' }],
    agents: [
      {
        name: 'reader',
        description: 'Reads one file and answers',
        tools: ['Read'],
        prompt: 'You read files.',
      },
      { name: 'answerer', description: 'Answers at once', tools: ['Read'], prompt: 'You answer.' },
    ],
    ...options,
  });
}

/** Call → arrival at the model server of each request, in arrival order (checked: `expected` of them). */
async function arrivalsSince(
  server: BenchModelServer,
  calledAt: number,
  expected: number,
): Promise<number[]> {
  const arrivals: Arrival[] = await server.take();
  if (arrivals.length !== expected)
    throw new Error(`the model server saw ${arrivals.length} requests, expected ${expected}`);
  return arrivals.map((a) => a.receivedAt - calledAt);
}

async function measureOverhead(server: BenchModelServer, workspace: string) {
  const engine = engineFor(server.url, workspace, { concurrency: 10 });
  const run = () =>
    engine.run({ description: 'overhead', prompt: 'read it', subagent_type: 'reader', model: 'fast' });
  for (let i = 0; i < 50; i++) await run(); // warm-up: JIT, connection pool
  await server.take();
  const overheads: number[] = [];
  const calledAt: number[] = [];
  const started = performance.now();
  for (let i = 0; i < 1000; i++) {
    calledAt.push(wallClock());
    const t0 = performance.now();
    const result = await run();
    const wall = performance.now() - t0;
    if (result.status !== 'completed') throw new Error(`bench task failed: ${JSON.stringify(result.error)}`);
    overheads.push(wall - result.timings.modelMs - result.timings.toolMs);
  }
  const elapsed = performance.now() - started;
  // Tasks ran one after the other: the i-th request of turn 0 is the i-th task's first.
  const first = (await server.take()).filter((a) => a.turn === 0);
  if (first.length !== 1000)
    throw new Error(`the model server saw ${first.length} first turns, expected 1000`);
  const outside = first.map((a, i) => a.receivedAt - calledAt[i]!);
  return {
    p50: percentile(overheads, 50),
    p95: percentile(overheads, 95),
    outsideP50: percentile(outside, 50),
    outsideP95: percentile(outside, 95),
    tasksPerSecond: 1000 / (elapsed / 1000),
  };
}

/** The floor of `overheadOutside…`: a bare AI SDK call → its request at the server, one after the other. */
async function measureSdkOutside(server: BenchModelServer) {
  const openai = createOpenAI({
    baseURL: `${server.url}/v1`,
    apiKey: 'bench',
    fetch: createKeepAliveFetch(),
  });
  const call = () => generateText({ model: openai.responses('fast'), prompt: 'read it', maxRetries: 0 });
  for (let i = 0; i < 50; i++) await call();
  await server.take();
  const outside: number[] = [];
  for (let i = 0; i < 300; i++) {
    const calledAt = wallClock();
    await call();
    outside.push(...(await arrivalsSince(server, calledAt, 1)));
  }
  return { p50: percentile(outside, 50), p95: percentile(outside, 95) };
}

interface FanOut {
  /** Call → all N done. */
  wall: number;
  /** Call → first and last request at the model server. */
  first: number;
  last: number;
}

/** One fan-out of n requests, timed from the call: by the wall clock, and by the model server's arrivals. */
async function fanOut(server: BenchModelServer, n: number, launch: () => Promise<unknown>): Promise<FanOut> {
  const calledAt = wallClock();
  const t0 = performance.now();
  await launch();
  const wall = performance.now() - t0;
  const arrivals = await arrivalsSince(server, calledAt, n);
  return { wall, first: Math.min(...arrivals), last: Math.max(...arrivals) };
}

/**
 * The instrument's own floor for the dispatch figures: N requests, built in advance, written at once
 * on N open sockets (no client library at all) — call → first/last arrival is then what loopback
 * and the model server's own per-request parsing take before it stamps the last arrival.
 */
async function measureRawFloor(server: BenchModelServer) {
  const { hostname, port } = new URL(server.url);
  const body = JSON.stringify({ model: 'slow', input: 'answer' });
  const request = `POST /v1/responses HTTP/1.1\r\nhost: ${hostname}:${port}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
  const fanOuts = async (n: number) => {
    const runs = await repeat(ROUNDS, async () => {
      const open = () =>
        new Promise<Socket>((resolve) => {
          const socket = connect(Number(port), hostname, () => resolve(socket));
        });
      const sockets = await Promise.all(Array.from({ length: n }, open));
      const answered = Promise.all(
        sockets.map((socket) => new Promise((resolve) => socket.once('data', resolve))),
      );
      const calledAt = wallClock();
      for (const socket of sockets) socket.write(request);
      await answered;
      for (const socket of sockets) socket.destroy();
      const arrivals = await arrivalsSince(server, calledAt, n);
      return { first: Math.min(...arrivals), last: Math.max(...arrivals) };
    });
    return { first: median(runs.map((r) => r.first)), last: median(runs.map((r) => r.last)) };
  };
  await fanOuts(100); // warm-up
  const [one, ten, hundred] = [await fanOuts(1), await fanOuts(10), await fanOuts(100)];
  return { dispatchFirst1: one.first, dispatchLast10: ten.last, dispatchLast100: hundred.last };
}

/**
 * Fan-outs of 1, 10 and 100 tasks of one agent (500 ms scripted latency), each one `engine.runAll`
 * call as a library user makes it, and the same as bare AI SDK generateText calls on the same kind
 * of connection pool: ROUNDS of each, interleaved (engine and SDK in alternating order) so a noisy
 * neighbour weighs on both. Every figure is a median over the rounds.
 */
async function measureFanOuts(server: BenchModelServer, workspace: string) {
  const engine = engineFor(server.url, workspace, { concurrency: 100 });
  const input = { description: 'parallel', prompt: 'answer', subagent_type: 'answerer', model: 'slow' };
  const engineRunAll = async (n: number) => {
    const results = await engine.runAll(Array.from({ length: n }, () => input));
    const failed = results.filter((r: TaskResult) => r.status !== 'completed');
    if (failed.length)
      throw new Error(`${failed.length} of ${n} bench tasks failed: ${JSON.stringify(failed[0]!.error)}`);
  };
  const openai = createOpenAI({
    baseURL: `${server.url}/v1`,
    apiKey: 'bench',
    fetch: createKeepAliveFetch(),
  });
  const sdkCall = () => generateText({ model: openai.responses('slow'), prompt: 'answer', maxRetries: 0 });
  const sdkAll = (n: number) => Promise.all(Array.from({ length: n }, sdkCall));
  // Warm-up: JIT, and the 100 connections of each pool opened.
  await engineRunAll(100);
  await sdkAll(100);
  await server.take();
  const sizes = [1, 10, 100];
  const runs = { engine: sizes.map((): FanOut[] => []), sdk: sizes.map((): FanOut[] => []) };
  await repeat(ROUNDS, async (round) => {
    for (const [i, n] of sizes.entries()) {
      const engineRun = async () => runs.engine[i]!.push(await fanOut(server, n, () => engineRunAll(n)));
      const sdkRun = async () => runs.sdk[i]!.push(await fanOut(server, n, () => sdkAll(n)));
      for (const measure of round % 2 === 0 ? [engineRun, sdkRun] : [sdkRun, engineRun]) await measure();
    }
  });
  const of = (side: FanOut[][]) => {
    const [one, ten, hundred] = side.map((fanOuts) => ({
      wall: median(fanOuts.map((f) => f.wall)),
      first: median(fanOuts.map((f) => f.first)),
      last: median(fanOuts.map((f) => f.last)),
    }));
    return {
      single: one!.wall,
      dispatchFirst1: one!.first,
      first10: ten!.first,
      dispatchLast10: ten!.last,
      first100: hundred!.first,
      dispatchLast100: hundred!.last,
      wall10: ten!.wall,
      wall100: hundred!.wall,
      efficiency10: one!.wall / ten!.wall,
      efficiency100: one!.wall / hundred!.wall,
    };
  };
  return { engine: of(runs.engine), sdk: of(runs.sdk) };
}

async function measureMemory(url: string, workspace: string) {
  const gc = (globalThis as { gc?: () => void }).gc;
  const n = 100;
  const engine = engineFor(url, workspace, { concurrency: n });
  const input = { description: 'memory', prompt: 'answer', subagent_type: 'answerer', model: 'hold' };
  for (let i = 0; i < 5; i++) await engine.run(input); // warm-up without growing the heap to 100 in flight
  gc?.();
  const before = process.memoryUsage();
  let peakRss = 0;
  let peakHeap = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 50);
  await engine.runAll(Array.from({ length: n }, () => input));
  clearInterval(sampler);
  const mib = 1024 * 1024;
  return {
    rssPerAgentMiB: Math.max(0, peakRss - before.rss) / n / mib,
    heapPerAgentMiB: Math.max(0, peakHeap - before.heapUsed) / n / mib,
    gcExposed: Boolean(gc),
  };
}

async function measureAgentLoad() {
  const root = mkdtempSync(join(tmpdir(), 'codex-task-agents-'));
  const dir = join(root, '.claude', 'agents');
  await mkdir(join(root, '.git'), { recursive: true });
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < 500; i++) {
    writeFileSync(
      join(dir, `agent-${i}.md`),
      `---\nname: agent-${i}\ndescription: Benchmark agent number ${i}, reviews code for problems\ntools: Read, Grep, Glob, Bash\nmodel: sonnet\n---\nYou are agent ${i}. Review the code you are given and report problems with file and line.\n`,
    );
  }
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    const count = new AgentRegistry({ cwd: root, homeDir: root }).list().length;
    times.push(performance.now() - t0);
    if (count < 500) throw new Error(`loaded ${count} agents, expected 500+`);
  }
  rmSync(root, { recursive: true, force: true });
  return { medianMs: median(times) };
}

const workspace = mkdtempSync(join(tmpdir(), 'codex-task-bench-ws-'));
await mkdir(join(workspace, '.git'));
writeFileSync(join(workspace, 'notes.txt'), 'a small file the reader agent reads\n');
const server = await startBenchModelServer({
  rules: [
    { when: { model: '^slow$' }, reply: { text: 'done', latencyMs: 500 } },
    { when: { model: '^hold$' }, reply: { text: 'done', latencyMs: 1500 } },
    {
      when: { model: '^fast$', turn: 0, tool: '^Read$', system: 'You read files' },
      reply: { toolCalls: [{ name: 'Read', input: { file_path: 'notes.txt' } }] },
    },
  ],
  default: { text: 'done' },
});
const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;
const vs = (measured: number, target: number, lowerIsBetter: boolean) => {
  const met = lowerIsBetter ? measured <= target : measured >= target;
  const ratio = lowerIsBetter
    ? `${(measured / target).toFixed(2)}× the target`
    : `${(measured / target).toFixed(3)} of it`;
  return `target ${lowerIsBetter ? '≤' : '≥'} ${target}: ${met ? 'met' : 'MISSED'}, ${ratio}`;
};
try {
  // Memory first: later phases grow the heap, and RSS never gives memory back to the OS.
  const memory = await measureMemory(server.url, workspace);
  await server.take();
  log(
    `memory per in-flight subagent (100 in flight): RSS ${memory.rssPerAgentMiB.toFixed(3)} MiB, heap ${memory.heapPerAgentMiB.toFixed(3)} MiB (target < ${TARGETS.perAgentMiB} MiB: ${(TARGETS.perAgentMiB / Math.max(memory.rssPerAgentMiB, 0.001)).toFixed(0)}× under)${memory.gcExposed ? '' : ' [run with --expose-gc for a clean baseline]'}`,
  );
  const overhead = await measureOverhead(server, workspace);
  log(
    `coordination overhead per task: p50 ${overhead.p50.toFixed(2)} ms, p95 ${overhead.p95.toFixed(2)} ms (target p95 < ${TARGETS.overheadP95Ms} ms: ${(TARGETS.overheadP95Ms / overhead.p95).toFixed(1)}× better) — ${overhead.tasksPerSecond.toFixed(0)} tasks/s sequential, 2 model turns + 1 Read each`,
  );
  const sdkOutside = await measureSdkOutside(server);
  log(
    `  from outside, engine.run() → its first request at the model server: p50 ${ms(overhead.outsideP50)}, p95 ${ms(overhead.outsideP95)} (bare AI SDK generateText → request: p50 ${ms(sdkOutside.p50)}, p95 ${ms(sdkOutside.p95)}; engine − bare p50 ${ms(overhead.outsideP50 - sdkOutside.p50)})`,
  );
  const { engine: e, sdk } = await measureFanOuts(server, workspace);
  log(
    `fan-outs of one agent × 500 ms scripted latency, median of ${ROUNDS} each (engine.runAll | bare AI SDK):`,
  );
  for (const [n, eff, bare, wall, bareWall] of [
    [10, e.efficiency10, sdk.efficiency10, e.wall10, sdk.wall10],
    [100, e.efficiency100, sdk.efficiency100, e.wall100, sdk.wall100],
  ] as const) {
    log(
      `  parallel efficiency, ${n} tasks: ${eff.toFixed(3)} (single ${e.single.toFixed(0)} ms, ${n} in ${wall.toFixed(0)} ms; target ≥ ${TARGETS.efficiency}) | bare ${bare.toFixed(3)} (single ${sdk.single.toFixed(0)} ms, ${n} in ${bareWall.toFixed(0)} ms) — engine/bare ${(eff / bare).toFixed(3)}`,
    );
  }
  const efficiencyVsFloor100 = e.efficiency100 / sdk.efficiency100;
  log(
    `  efficiencyVsFloor100 ${efficiencyVsFloor100.toFixed(3)} (${vs(efficiencyVsFloor100, TARGETS.efficiencyVsFloor100, false)})`,
  );
  log(
    `  dispatch, call → first request at the server, 1 task: ${ms(e.dispatchFirst1)} | bare ${ms(sdk.dispatchFirst1)}`,
  );
  log(
    `  dispatch, call → last request at the server, 10 tasks: ${ms(e.dispatchLast10)} (first ${ms(e.first10)}; ${vs(e.dispatchLast10, TARGETS.dispatchLast10Ms, true)}) | bare ${ms(sdk.dispatchLast10)}`,
  );
  log(
    `  dispatch, call → last request at the server, 100 tasks: ${ms(e.dispatchLast100)} (first ${ms(e.first100)}; ${vs(e.dispatchLast100, TARGETS.dispatchLast100Ms, true)}) | bare ${ms(sdk.dispatchLast100)} — ${((e.dispatchLast100 / 100) * 1000).toFixed(0)} µs per task (bare ${((sdk.dispatchLast100 / 100) * 1000).toFixed(0)} µs)`,
  );
  const raw = await measureRawFloor(server);
  log(
    `  the instrument's floor (prebuilt requests written at once on open sockets, no client library): first of 1 ${ms(raw.dispatchFirst1)}, last of 10 ${ms(raw.dispatchLast10)}, last of 100 ${ms(raw.dispatchLast100)}`,
  );
  const load = await measureAgentLoad();
  log(
    `cold load of 500 agent files: ${load.medianMs.toFixed(1)} ms (target < ${TARGETS.load500AgentsMs} ms: ${(TARGETS.load500AgentsMs / load.medianMs).toFixed(1)}× better)`,
  );
  if (json) {
    const round = (x: number) => Math.round(x * 1000) / 1000;
    process.stdout.write(
      `${JSON.stringify({
        overheadP50Ms: round(overhead.p50),
        overheadP95Ms: round(overhead.p95),
        efficiency10: round(e.efficiency10),
        efficiency100: round(e.efficiency100),
        rssPerAgentMiB: round(memory.rssPerAgentMiB),
        heapPerAgentMiB: round(memory.heapPerAgentMiB),
        load500AgentsMs: round(load.medianMs),
        sdkBaselineEfficiency100: round(sdk.efficiency100),
        overheadOutsideMs: round(overhead.outsideP50),
        overheadOutsideP95Ms: round(overhead.outsideP95),
        sdkOverheadOutsideMs: round(sdkOutside.p50),
        sdkBaselineEfficiency10: round(sdk.efficiency10),
        efficiencyVsFloor100: round(efficiencyVsFloor100),
        dispatchFirst1Ms: round(e.dispatchFirst1),
        dispatchLast10Ms: round(e.dispatchLast10),
        dispatchLast100Ms: round(e.dispatchLast100),
        sdkDispatchFirst1Ms: round(sdk.dispatchFirst1),
        sdkDispatchLast10Ms: round(sdk.dispatchLast10),
        sdkDispatchLast100Ms: round(sdk.dispatchLast100),
        rawDispatchFirst1Ms: round(raw.dispatchFirst1),
        rawDispatchLast10Ms: round(raw.dispatchLast10),
        rawDispatchLast100Ms: round(raw.dispatchLast100),
      })}\n`,
    );
  }
} finally {
  server.stop();
  rmSync(workspace, { recursive: true, force: true });
}
