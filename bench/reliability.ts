/**
 * `npm run bench:reliability [-- --json] [-- --tasks N]`: 10,000 tasks through the engine against two
 * scripted providers (separate processes, real HTTP, the real AI SDK clients) under a fault mix:
 *   provider A: Anthropic wire format, the first candidate of the `sonnet` failover chain
 *   provider B: OpenAI Responses wire format, the second
 *   faults on every request of both: 10 % 429 with Retry-After (half `retry-after: 1` s, half
 *   `retry-after-ms: 250`), 5 % 500, 2 % reset connections, 2 % replies cut mid-way (seeded)
 *   provider A killed outright (connection refused) for a window in the middle, then restarted
 * Each task takes 2 or 3 model turns with Read/Glob tool calls in between. Task latency is measured
 * from admission (a slot) to result: queueing behind 10,000 submitted tasks is not latency.
 * Checks: completed/failed, lost (no result), duplicated (a result delivered twice, a result that is
 * not its own task's, or a tool run more often than the script asked), and no task waiting on an
 * open circuit while the other provider was available.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { TaskEngine, type TaskResult } from '../src/engine/index.ts';
import { percentile } from './stats.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const taskCount = Number(args[args.indexOf('--tasks') + 1]) || 10_000;
const log = (line: string) => {
  if (!json) process.stdout.write(`${line}\n`);
};

const CONCURRENCY = 200;
/** Provider A goes down when this share of the tasks has finished, for DOWN_MS. */
const DOWN_AT_SHARE = 0.3;
const DOWN_MS = 10_000;
const TARGETS = { completedShare: 0.999 };

const script = (seed: number) => ({
  latencyMs: 2,
  faults: {
    rate: 0.19,
    seed,
    // Weighted by repetition: the draw picks uniformly among these 19 entries.
    kinds: [
      ...Array(5).fill({ kind: 'status', status: 429, retryAfterSeconds: 1 }),
      ...Array(5).fill({ kind: 'status', status: 429, retryAfterMs: 250 }),
      ...Array(5).fill({ kind: 'status', status: 500 }),
      ...Array(2).fill({ kind: 'reset' }),
      ...Array(2).fill({ kind: 'cut', afterEvents: 2 }),
    ],
  },
  rules: [
    { when: { turn: 0 }, reply: { toolCalls: [{ name: 'Read', input: { file_path: 'notes.txt' } }] } },
    {
      when: { turn: 1, user: 'three-turn' },
      reply: { toolCalls: [{ name: 'Glob', input: { pattern: '*.txt' } }] },
    },
  ],
  default: { text: 'done: {{user}}' },
});

interface Server {
  url: string;
  port: number;
  child: ChildProcess;
}

async function startServer(file: string, port = 0): Promise<Server> {
  // From source, so the bench always runs the current scripted model (not a stale build).
  const child = spawn(
    process.execPath,
    ['src/cli/bin.ts', 'scripted-model', '--port', String(port), '--script', file],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once('line', (line) => resolve(line.replace(/^.* on /, '').trim()));
    child.once('exit', (code) => reject(new Error(`scripted model exited with ${code}`)));
  });
  return { url, port: Number(new URL(url).port), child };
}

const dir = mkdtempSync(join(tmpdir(), 'codex-task-reliability-'));
const workspace = join(dir, 'ws');
await mkdir(join(workspace, '.git'), { recursive: true });
writeFileSync(join(workspace, 'notes.txt'), 'a small file the worker reads\n');
// A seed per server process (a restarted one too): each draws its own fault sequence.
const scriptFile = (seed: number) => {
  const file = join(dir, `script-${seed}.json`);
  writeFileSync(file, JSON.stringify(script(seed)));
  return file;
};

let a = await startServer(scriptFile(7));
const b = await startServer(scriptFile(9));
const engine = new TaskEngine({
  cwd: workspace,
  homeDir: workspace,
  env: {},
  concurrency: CONCURRENCY,
  taskTimeoutMs: 120_000,
  agentRescanIntervalMs: 0,
  providers: [
    { id: 'a', kind: 'anthropic', baseURL: `${a.url}/v1`, apiKey: 'bench', apiKeyEnv: 'ANTHROPIC_API_KEY' },
    { id: 'b', kind: 'openai', baseURL: `${b.url}/v1`, apiKey: 'bench', apiKeyEnv: 'OPENAI_API_KEY' },
  ],
  callerModel: 'sonnet',
  failover: { sonnet: ['a:claude-sonnet-5', 'b:gpt-5.5'] },
  agents: [
    { name: 'worker', description: 'Reads and answers', tools: ['Read', 'Glob'], prompt: 'You work.' },
  ],
});

// Bookkeeping from the engine's own events.
const finishedCount = new Map<string, number>();
const toolRuns = new Map<string, number>();
let finished = 0;
let downAt: number | undefined;
let upAt: number | undefined;
let movedToB: number | undefined;
let backOnA: number | undefined;
engine.events.on('task.finished', (e) => {
  finishedCount.set(e.taskId, (finishedCount.get(e.taskId) ?? 0) + 1);
  finished++;
});
engine.events.on('task.tool', (e) => {
  if (e.phase === 'started') toolRuns.set(e.taskId, (toolRuns.get(e.taskId) ?? 0) + 1);
});
engine.events.on('task.failover', (e) => {
  // Traffic has moved when calls skip A without trying it: A's circuit is open.
  if (
    downAt !== undefined &&
    movedToB === undefined &&
    e.from.startsWith('a:') &&
    e.reason === 'circuit-open'
  )
    movedToB = performance.now();
});
engine.events.on('task.model_call', (e) => {
  if (upAt !== undefined && backOnA === undefined && e.provider === 'a' && e.outcome === 'ok')
    backOnA = performance.now();
});

let restart: Promise<void> | undefined;
const outage = setInterval(() => {
  if (downAt !== undefined || finished < taskCount * DOWN_AT_SHARE) return;
  downAt = performance.now();
  a.child.kill('SIGKILL');
  restart = new Promise((resolve) =>
    setTimeout(async () => {
      a = await startServer(scriptFile(10), a.port);
      upAt = performance.now();
      resolve();
    }, DOWN_MS),
  );
}, 5);

const kinds = ['two-turn', 'three-turn'] as const;
const prompts = Array.from({ length: taskCount }, (_, i) => `task-${i} ${kinds[i % 3 === 0 ? 1 : 0]}`);
const started = performance.now();
const results = new Array<TaskResult | undefined>(taskCount);
const deadline = setTimeout(() => engine.close(), 170_000); // a bound, so a hang is reported, not waited on
await Promise.all(
  prompts.map(async (prompt, i) => {
    results[i] = await engine.run({ description: `task ${i}`, prompt, subagent_type: 'worker' });
  }),
);
clearTimeout(deadline);
const wallMs = performance.now() - started;
clearInterval(outage);
await restart;

const done = results.filter((r): r is TaskResult => r !== undefined);
const completed = done.filter((r) => r.status === 'completed');
const lost = taskCount - done.length + done.filter((r) => !finishedCount.has(r.taskId)).length;
let duplicated = 0;
for (const [i, r] of results.entries()) {
  if (!r) continue;
  const expectedTools = prompts[i]!.endsWith('three-turn') ? 2 : 1;
  const wrongContent = r.status === 'completed' && r.content !== `done: ${prompts[i]}`;
  const tooManyTools = (toolRuns.get(r.taskId) ?? 0) > expectedTools;
  if ((finishedCount.get(r.taskId) ?? 0) > 1 || wrongContent || tooManyTools) duplicated++;
}
const latencies = done.map((r) => r.totalDurationMs - r.timings.queuedMs);
const retries = done.reduce((sum, r) => sum + r.retries, 0);
const failovers = done.reduce((sum, r) => sum + r.failovers.length, 0);
const stats = engine.resilienceStats;
const failureTypes = new Map<string, number>();
for (const r of done)
  if (r.status !== 'completed')
    failureTypes.set(r.error?.type ?? r.status, (failureTypes.get(r.error?.type ?? r.status) ?? 0) + 1);

const figures = {
  tasks: taskCount,
  completed: completed.length,
  failed: done.length - completed.length,
  lost,
  duplicated,
  p50Ms: Math.round(percentile(latencies, 50)),
  p95Ms: Math.round(percentile(latencies, 95)),
  p99Ms: Math.round(percentile(latencies, 99)),
  retriesPerTask: Math.round((retries / taskCount) * 1000) / 1000,
  failovers,
  failoverDelayMs: downAt !== undefined && movedToB !== undefined ? Math.round(movedToB - downAt) : null,
};

log(
  `reliability: ${taskCount} tasks (2–3 turns, tool calls), concurrency ${CONCURRENCY}, two scripted providers`,
);
log(
  `  faults per request: 10 % 429 + Retry-After, 5 % 500, 2 % reset, 2 % cut mid-way; A killed for ${DOWN_MS / 1000} s after ${DOWN_AT_SHARE * 100} % of the tasks`,
);
log(
  `completed ${figures.completed} / failed ${figures.failed} / lost ${figures.lost} / duplicated ${figures.duplicated}  (${((completed.length / taskCount) * 100).toFixed(2)} % completed; target ≥ ${TARGETS.completedShare * 100} %, 0 lost, 0 duplicated)`,
);
if (failureTypes.size)
  log(`  failures by type: ${[...failureTypes].map(([t, n]) => `${t} ${n}`).join(', ')}`);
log(
  `task latency (admission → result): p50 ${figures.p50Ms} ms, p95 ${figures.p95Ms} ms, p99 ${figures.p99Ms} ms`,
);
const skipped = done.reduce(
  (sum, r) => sum + r.failovers.filter((f) => f.reason === 'circuit-open').length,
  0,
);
log(
  `retries per task: ${figures.retriesPerTask}; failovers: ${failovers} (${skipped} at once past an open circuit, ${failovers - skipped} after failed attempts)`,
);
log(
  `A down → traffic on B: ${figures.failoverDelayMs ?? 'n/a'} ms (A's circuit open, calls skip it); A back → first call served by A again: ${upAt !== undefined && backOnA !== undefined ? `${Math.round(backOnA - upAt)} ms` : 'n/a'}`,
);
log(`calls that waited on an open circuit: ${stats.openCircuitWaits} (target 0)`);
for (const health of engine.providerHealth())
  log(
    `  ${health.provider}: circuit ${health.circuit}, ${health.calls} calls, recent error rate ${(health.recent.errorRate * 100).toFixed(1)} %, p50 ${health.recent.p50Ms} ms, p95 ${health.recent.p95Ms} ms, last error: ${health.lastError?.message}`,
  );
log(`wall time ${(wallMs / 1000).toFixed(1)} s`);
if (json) process.stdout.write(`${JSON.stringify(figures)}\n`);
const met =
  figures.completed / taskCount >= TARGETS.completedShare &&
  figures.lost === 0 &&
  figures.duplicated === 0 &&
  stats.openCircuitWaits === 0;
if (!met) {
  process.stderr.write('reliability targets missed\n');
  process.exitCode = 1;
}

engine.close();
a.child.kill('SIGTERM');
b.child.kill('SIGTERM');
rmSync(dir, { recursive: true, force: true });
