/**
 * `npm run bench [-- --json]`: the engine's figures on the scripted model (separate process, loopback).
 *   overhead   per-task wall time minus time inside model calls and tools, p50/p95 over 1,000 tasks
 *   efficiency single-task time / wall time of N tasks in parallel (500 ms model latency), N = 10, 100
 *   memory     RSS and heap growth per in-flight subagent, 100 in flight
 *   agents     cold load time of 500 agent files
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText } from 'ai';
import { AgentRegistry } from '../src/agents/index.ts';
import { TaskEngine, type TaskEngineOptions, type TaskResult } from '../src/engine/index.ts';
import { createKeepAliveFetch } from '../src/models/index.ts';

const json = process.argv.includes('--json');
const log = (line: string) => {
  if (!json) process.stdout.write(`${line}\n`);
};

const TARGETS = { overheadP95Ms: 5, efficiency: 0.95, perAgentMiB: 5, load500AgentsMs: 50 };

async function startServer(script: object): Promise<{ url: string; stop: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'codex-task-bench-'));
  const file = join(dir, 'script.json');
  writeFileSync(file, JSON.stringify(script));
  // A separate process, so the server's CPU is not counted as the engine's.
  const child = spawn(
    process.execPath,
    ['src/cli/bin.ts', 'scripted-model', '--port', '0', '--script', file],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once('line', (line) => resolve(line.replace(/^.* on /, '').trim()));
    child.once('exit', (code) => reject(new Error(`scripted model exited with ${code}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

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

async function measureOverhead(url: string, workspace: string) {
  const engine = engineFor(url, workspace, { concurrency: 10 });
  const run = () =>
    engine.run({ description: 'overhead', prompt: 'read it', subagent_type: 'reader', model: 'fast' });
  for (let i = 0; i < 50; i++) await run(); // warm-up: JIT, connection pool
  const overheads: number[] = [];
  const started = performance.now();
  for (let i = 0; i < 1000; i++) {
    const t0 = performance.now();
    const result = await run();
    const wall = performance.now() - t0;
    if (result.status !== 'completed') throw new Error(`bench task failed: ${JSON.stringify(result.error)}`);
    overheads.push(wall - result.timings.modelMs - result.timings.toolMs);
  }
  const elapsed = performance.now() - started;
  overheads.sort((a, b) => a - b);
  return {
    p50: percentile(overheads, 50),
    p95: percentile(overheads, 95),
    tasksPerSecond: 1000 / (elapsed / 1000),
  };
}

async function measureEfficiency(url: string, workspace: string, n: number) {
  const engine = engineFor(url, workspace, { concurrency: n });
  const input = { description: 'parallel', prompt: 'answer', subagent_type: 'answerer', model: 'slow' };
  await engine.runAll(Array.from({ length: n }, () => input)); // warm-up: opens the n connections
  const singles: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await engine.run(input);
    singles.push(performance.now() - t0);
  }
  singles.sort((a, b) => a - b);
  const single = singles[1]!;
  const t0 = performance.now();
  const results = await engine.runAll(Array.from({ length: n }, () => input));
  const wall = performance.now() - t0;
  const failed = results.filter((r: TaskResult) => r.status !== 'completed').length;
  if (failed) throw new Error(`${failed} of ${n} bench tasks failed`);
  return { single, wall, efficiency: single / wall };
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

/** The floor: the same fan-out as bare AI SDK calls (no engine), on the same connection pool. */
async function measureSdkBaseline(url: string, n: number) {
  const openai = createOpenAI({ baseURL: `${url}/v1`, apiKey: 'bench', fetch: createKeepAliveFetch() });
  const call = () => generateText({ model: openai.responses('slow'), prompt: 'answer', maxRetries: 0 });
  await Promise.all(Array.from({ length: n }, call));
  const t0 = performance.now();
  await call();
  const single = performance.now() - t0;
  const t1 = performance.now();
  await Promise.all(Array.from({ length: n }, call));
  return { efficiency: single / (performance.now() - t1) };
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
  times.sort((a, b) => a - b);
  return { medianMs: times[3]! };
}

const workspace = mkdtempSync(join(tmpdir(), 'codex-task-bench-ws-'));
await mkdir(join(workspace, '.git'));
writeFileSync(join(workspace, 'notes.txt'), 'a small file the reader agent reads\n');
const server = await startServer({
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
try {
  // Memory first: later phases grow the heap, and RSS never gives memory back to the OS.
  const memory = await measureMemory(server.url, workspace);
  log(
    `memory per in-flight subagent (100 in flight): RSS ${memory.rssPerAgentMiB.toFixed(3)} MiB, heap ${memory.heapPerAgentMiB.toFixed(3)} MiB (target < ${TARGETS.perAgentMiB} MiB: ${(TARGETS.perAgentMiB / Math.max(memory.rssPerAgentMiB, 0.001)).toFixed(0)}× under)${memory.gcExposed ? '' : ' [run with --expose-gc for a clean baseline]'}`,
  );
  const overhead = await measureOverhead(server.url, workspace);
  log(
    `coordination overhead per task: p50 ${overhead.p50.toFixed(2)} ms, p95 ${overhead.p95.toFixed(2)} ms (target p95 < ${TARGETS.overheadP95Ms} ms: ${(TARGETS.overheadP95Ms / overhead.p95).toFixed(1)}× better) — ${overhead.tasksPerSecond.toFixed(0)} tasks/s sequential, 2 model turns + 1 Read each`,
  );
  const e10 = await measureEfficiency(server.url, workspace, 10);
  log(
    `parallel efficiency, 10 tasks × 500 ms: ${e10.efficiency.toFixed(3)} (single ${e10.single.toFixed(0)} ms, 10 in ${e10.wall.toFixed(0)} ms; target ≥ ${TARGETS.efficiency})`,
  );
  const e100 = await measureEfficiency(server.url, workspace, 100);
  log(
    `parallel efficiency, 100 tasks × 500 ms: ${e100.efficiency.toFixed(3)} (single ${e100.single.toFixed(0)} ms, 100 in ${e100.wall.toFixed(0)} ms; target ≥ ${TARGETS.efficiency})`,
  );
  const sdk100 = await measureSdkBaseline(server.url, 100);
  log(
    `  floor for comparison: 100 bare AI SDK generateText calls, no engine: ${sdk100.efficiency.toFixed(3)} (engine/bare = ${(e100.efficiency / sdk100.efficiency).toFixed(2)})`,
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
        efficiency10: round(e10.efficiency),
        efficiency100: round(e100.efficiency),
        rssPerAgentMiB: round(memory.rssPerAgentMiB),
        heapPerAgentMiB: round(memory.heapPerAgentMiB),
        load500AgentsMs: round(load.medianMs),
        sdkBaselineEfficiency100: round(sdk100.efficiency),
      })}\n`,
    );
  }
} finally {
  server.stop();
  rmSync(workspace, { recursive: true, force: true });
}
