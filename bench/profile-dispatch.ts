/**
 * `npm run bench:profile-dispatch [-- --json] [--tasks N] [--rounds R] [--bare] [--cpuprofile FILE]`:
 * where the milliseconds between `engine.runAll(N tasks)` and the model requests go (N = 100 and
 * R = 10 by default; one agent, 500 ms scripted latency, the model server in its own process).
 * `--bare`: the same fan-out as N bare AI SDK generateText calls on the same fetch, for comparison.
 *
 *   timeline  per task, from the call: `task.started` (admitted, its setup begins), the engine's
 *             `fetch` called (engine set-up and the AI SDK's request building done), undici writing
 *             the request's headers to its socket (diagnostics channel `undici:client:sendHeaders`),
 *             the request at the model server (loopback, the server's own parsing) — first and last
 *             of the N, medians over the rounds
 *   profile   V8's sampling profiler (50 µs asked; the interval it keeps is printed) over the same
 *             fan-outs, only the samples between each call and the last request's arrival: CPU per
 *             task by area (our src/ directories, each package, Node) and by function (inclusive: a
 *             function with what it calls, as far as the call is synchronous — what runs after an
 *             await is counted where it resumes; self: its own).
 *             A gap between samples longer than 3 intervals counts as "not running" (the thread was
 *             descheduled), not as the frame sampled before it, so a busy machine does not inflate
 *             whichever function happened to be running.
 *
 * `--cpuprofile FILE` also writes the whole profile, for Chrome DevTools or speedscope.
 */
import { subscribe } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText } from 'ai';
import { TaskEngine, type TaskResult } from '../src/engine/index.ts';
import { createKeepAliveFetch } from '../src/models/index.ts';
import { startBenchModelServer } from './model-server.ts';
import { median, wallClock } from './stats.ts';

const json = process.argv.includes('--json');
const option = (name: string) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
};
const N = Number(option('--tasks') ?? 100);
const ROUNDS = Number(option('--rounds') ?? 10);
const BARE = process.argv.includes('--bare');
const SAMPLING_US = 50;
const log = (line: string) => {
  if (!json) process.stdout.write(`${line}\n`);
};

interface Frame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: Frame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const root = new URL('..', import.meta.url).href;
/** `src/engine`, `ai`, `@ai-sdk/openai`, `undici`, `node`, `(gc)`… the area a frame's code belongs to. */
function areaOf(frame: Frame): string {
  const url = frame.url;
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (url.startsWith('node:')) return 'node';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith(root)) return url.slice(root.length).split('/').slice(0, 2).join('/');
  return url;
}
function nameOf(frame: Frame): string {
  const file = frame.url.startsWith(root)
    ? frame.url.slice(root.length)
    : frame.url.replace(/^.*node_modules\//, '');
  return `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
}

/** µs of CPU per sample id, counting only the samples inside one of the windows (profile clock). */
function cpuInWindows(profile: Profile, windows: [number, number][]) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parents = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parents.set(c, n.id);
  const byArea = new Map<string, number>();
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  let gaps = 0;
  // The interval V8 manages (the timer's granularity may stretch the one asked for).
  const interval = median(profile.timeDeltas.slice(1));
  const maxSampleUs = 3 * interval;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i]!;
    if (!windows.some(([from, to]) => t >= from && t < to)) continue;
    // Each sample stands for the interval up to the next one, but no more than 3 intervals: a
    // longer gap is the thread not running (descheduled on a busy machine), not the sampled frame.
    const delta = profile.timeDeltas[i + 1] ?? 0;
    const dt = Math.min(delta, maxSampleUs);
    gaps += delta - dt;
    const leaf = nodes.get(profile.samples[i]!)!;
    if (leaf.callFrame.functionName === '(idle)') {
      idle += dt;
      continue;
    }
    busy += dt;
    const add = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + dt);
    add(byArea, areaOf(leaf.callFrame));
    add(self, nameOf(leaf.callFrame));
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parents.get(id)) {
      const frame = nodes.get(id)!.callFrame;
      if (frame.functionName === '(root)') continue;
      const name = nameOf(frame);
      if (!seen.has(name)) {
        seen.add(name);
        add(inclusive, name);
      }
    }
  }
  return { interval, busy, idle, gaps, byArea, self, inclusive };
}

const workspace = mkdtempSync(join(tmpdir(), 'codex-task-bench-ws-'));
await mkdir(join(workspace, '.git'));
const server = await startBenchModelServer({
  rules: [{ when: { model: '^slow$' }, reply: { text: 'done', latencyMs: 500 } }],
  default: { text: 'done' },
});
try {
  // The engine's own fetch (one keep-alive pool), wrapped to note when each request is handed to it.
  const fetchCalls: number[] = [];
  const keepAlive = createKeepAliveFetch();
  const fetch = ((input, init) => {
    fetchCalls.push(wallClock());
    return keepAlive(input, init);
  }) as typeof globalThis.fetch;
  const engine = new TaskEngine({
    cwd: workspace,
    homeDir: workspace,
    concurrency: N,
    fetch,
    providers: [{ id: 'openai', kind: 'openai', baseURL: `${server.url}/v1`, apiKey: 'bench' }],
    agents: [{ name: 'answerer', description: 'Answers at once', tools: ['Read'], prompt: 'You answer.' }],
  });
  const started: number[] = [];
  engine.events.on('task.started', () => started.push(wallClock()));
  const written: number[] = [];
  subscribe('undici:client:sendHeaders', () => written.push(wallClock()));
  const input = { description: 'parallel', prompt: 'answer', subagent_type: 'answerer', model: 'slow' };
  const openai = createOpenAI({ baseURL: `${server.url}/v1`, apiKey: 'bench', fetch });
  const bareCall = () => {
    started.push(wallClock());
    return generateText({ model: openai.responses('slow'), prompt: 'answer', maxRetries: 0 });
  };
  const fanOut = async () => {
    if (BARE) return void (await Promise.all(Array.from({ length: N }, bareCall)));
    const results = await engine.runAll(Array.from({ length: N }, () => input));
    const failed = results.filter((r: TaskResult) => r.status !== 'completed');
    if (failed.length)
      throw new Error(`${failed.length} of ${N} tasks failed: ${JSON.stringify(failed[0]!.error)}`);
  };
  for (let i = 0; i < 3; i++) await fanOut(); // warm-up: JIT, the pool's connections
  await server.take();

  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: SAMPLING_US });
  await session.post('Profiler.start');
  const windows: [number, number][] = [];
  const rounds: Record<'started' | 'fetch' | 'written' | 'arrival', { first: number; last: number }>[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    started.length = 0;
    fetchCalls.length = 0;
    written.length = 0;
    const calledAt = wallClock();
    const hrAt = Number(process.hrtime.bigint() / 1000n); // the profile's clock, in µs
    await fanOut();
    const arrivals = (await server.take()).map((a) => a.receivedAt);
    const counts = [started, fetchCalls, written, arrivals].map((times) => times.length);
    if (counts.some((count) => count !== N))
      throw new Error(`expected ${N} of each, got started/fetch/written/arrived ${counts.join('/')}`);
    const span = (times: number[]) => ({
      first: Math.min(...times) - calledAt,
      last: Math.max(...times) - calledAt,
    });
    const round = {
      started: span(started),
      fetch: span(fetchCalls),
      written: span(written),
      arrival: span(arrivals),
    };
    rounds.push(round);
    windows.push([hrAt, hrAt + round.arrival.last * 1000]);
  }
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
  session.disconnect();
  const file = option('--cpuprofile');
  if (file) writeFileSync(file, JSON.stringify(profile));

  const mid = (pick: (r: (typeof rounds)[number]) => number) => median(rounds.map(pick));
  const timeline = {
    startedFirstMs: mid((r) => r.started.first),
    startedLastMs: mid((r) => r.started.last),
    fetchFirstMs: mid((r) => r.fetch.first),
    fetchLastMs: mid((r) => r.fetch.last),
    writtenFirstMs: mid((r) => r.written.first),
    writtenLastMs: mid((r) => r.written.last),
    arrivalFirstMs: mid((r) => r.arrival.first),
    arrivalLastMs: mid((r) => r.arrival.last),
  };
  const cpu = cpuInWindows(profile, windows);
  const perTask = (us: number) => us / (N * ROUNDS);
  const top = (map: Map<string, number>, n: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, usPerTask: Math.round(perTask(us) * 10) / 10 }));
  const figures = {
    bare: BARE,
    tasks: N,
    rounds: ROUNDS,
    timeline,
    samplingIntervalUs: Math.round(cpu.interval),
    cpuUsPerTask: Math.round(perTask(cpu.busy)),
    idleUsPerTask: Math.round(perTask(cpu.idle)),
    /** Time between samples beyond 3 intervals, counted for no frame: the thread was not running. */
    notRunningUsPerTask: Math.round(perTask(cpu.gaps)),
    byArea: top(cpu.byArea, 25),
    inclusive: top(cpu.inclusive, 60),
    inclusiveSrc: top(new Map([...cpu.inclusive].filter(([name]) => name.includes(' src/'))), 40),
    self: top(cpu.self, 40),
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } else {
    const ms = (x: number) => `${x.toFixed(2).padStart(7)} ms`;
    log(
      BARE
        ? `${N} bare AI SDK generateText calls at once (no engine), 500 ms scripted latency; medians of ${ROUNDS} fan-outs`
        : `${N} tasks of one agent in one engine.runAll, 500 ms scripted latency; medians of ${ROUNDS} fan-outs`,
    );
    log('from the call:                    first       last');
    log(
      `  ${BARE ? 'generateText called       ' : 'task.started (setup begins)'} ${ms(timeline.startedFirstMs)} ${ms(timeline.startedLastMs)}`,
    );
    log(`  engine's fetch() called     ${ms(timeline.fetchFirstMs)} ${ms(timeline.fetchLastMs)}`);
    log(`  undici writes its headers   ${ms(timeline.writtenFirstMs)} ${ms(timeline.writtenLastMs)}`);
    log(`  request at the model server ${ms(timeline.arrivalFirstMs)} ${ms(timeline.arrivalLastMs)}`);
    log(
      `CPU in this process from the call to the last arrival: ${figures.cpuUsPerTask} µs per task (idle ${figures.idleUsPerTask} µs, not running ${figures.notRunningUsPerTask} µs), sampled every ${figures.samplingIntervalUs} µs`,
    );
    const table = (title: string, rows: { name: string; usPerTask: number }[]) => {
      log(title);
      for (const row of rows) log(`  ${row.usPerTask.toFixed(1).padStart(7)} µs  ${row.name}`);
    };
    table('by area (self time, µs per task):', figures.byArea);
    table('by function, inclusive (with what it calls), µs per task:', figures.inclusive);
    table('our code (src/) by function, inclusive, µs per task:', figures.inclusiveSrc);
    table('by function, self, µs per task:', figures.self);
  }
} finally {
  server.stop();
  rmSync(workspace, { recursive: true, force: true });
}
