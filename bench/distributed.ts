/**
 * `npm run bench:distributed [-- --json]`: tasks through the queue (BullMQ on a private
 * redis-server) on 1, 2 and 4 `codex-task worker` processes of the same concurrency, against the
 * scripted model with 500 ms per reply (in a process of its own). Prints tasks per second for each, scaling4 (= tps4 / (4 ×
 * tps1)), the queue's overhead per task (end-to-end latency minus the same task in process, pairs
 * run one after the other in the same run: with one worker, and apart with four idle ones),
 * recoveryMs (SIGKILL of a worker with tasks running → the last of them finished on another
 * worker), and lost / duplicated results over the whole run.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskHandle } from '../src/engine/index.ts';
import { startTestRedis, startWorkerProcess, type WorkerProcess } from '../src/queue/testing.ts';
import { createRuntime } from '../src/runtime/index.ts';
import { startBenchModelServer } from './model-server.ts';
import { percentile } from './stats.ts';

const json = process.argv.includes('--json');
const log = (line: string) => {
  if (!json) process.stderr.write(`${line}\n`);
};

const LATENCY_MS = 500;
const PER_WORKER = 8;
/** Waves of PER_WORKER tasks per worker in each throughput phase. */
const WAVES = 4;
const OVERHEAD_PAIRS = 30;
const TARGETS = { scaling4: 0.9, queueOverheadP50Ms: 5, queueOverheadP95Ms: 25, recoveryMs: 5_000 };

const redis = await startTestRedis();
// The scripted model in a process of its own, as a vendor is for both paths: a task in this process
// and one on a worker each cross a process boundary to reach it and back (in this process, the
// in-process baseline would skip two wake-ups of another process that the queued path pays).
// The recovery tasks' first runs hang (their worker is killed during them); their re-runs take the
// usual time: replies of a rule go in turn, per match.
const ok = { text: 'ok', latencyMs: LATENCY_MS };
const model = await startBenchModelServer({
  rules: [
    {
      when: { user: '^recover' },
      reply: [...Array(PER_WORKER).fill({ text: 'ok', latencyMs: 60_000 }), ...Array(PER_WORKER).fill(ok)],
    },
  ],
  default: ok,
});
const modelUrl = `${model.url}/v1`;
const ws = mkdtempSync(join(tmpdir(), 'codex-task-bench-distributed-'));
mkdirSync(join(ws, '.claude', 'agents'), { recursive: true });
writeFileSync(
  join(ws, '.claude', 'agents', 'helper.md'),
  '---\nname: helper\ndescription: helps\ntools: Read\n---\nHELPER\n',
);
const prefix = '{codex-task-bench}';
const env = {
  PATH: process.env.PATH ?? '',
  HOME: ws,
  OPENAI_API_KEY: 'sk-bench-abcdefghijklmnop',
  OPENAI_BASE_URL: modelUrl,
  CODEX_TASK_MODEL: 'openai:gpt-5.5',
  CODEX_TASK_QUEUE_PREFIX: prefix,
  CODEX_TASK_LOG_LEVEL: 'error',
  CODEX_TASK_RUNS_DB: ':memory:',
};
const engine = {
  cwd: ws,
  homeDir: ws,
  env: {},
  callerModel: 'openai:gpt-5.5',
  providers: [{ id: 'openai', kind: 'openai' as const, baseURL: modelUrl, apiKey: 'x' }],
  concurrency: 1_000,
  // The default budgets (no limit): a run with maxTasks or maxCostUsd waits one more Redis round
  // trip per task on its worker (the shared budget's atomic take, queue/shared-budget.ts).
};
const client = createRuntime({
  engine: { ...engine, queue: { url: redis.url, prefix } },
  observe: false,
  mcpClients: false,
});
const local = createRuntime({ engine, observe: false, mcpClients: false, queue: false });
const workers: WorkerProcess[] = [];
const finishedCount = new Map<string, number>();
client.engine.events.on('task.finished', (e) =>
  finishedCount.set(e.taskId, (finishedCount.get(e.taskId) ?? 0) + 1),
);
const started: string[] = [];

const input = (i: number) => ({ description: `t${i}`, prompt: `task ${i}`, subagent_type: 'helper' });
const spawnWorker = () =>
  startWorkerProcess({
    cwd: ws,
    args: ['--concurrency', String(PER_WORKER), '--grace', '0', '--redis', redis.url, '--allow-path', ws],
    env,
  });

async function throughput(n: number): Promise<number> {
  while (workers.length < n) workers.push(await spawnWorker());
  // One untimed wave, so every worker has run tasks (JIT, connections) before the clock starts.
  await Promise.all(Array.from({ length: n * PER_WORKER }, (_, i) => client.engine.run(input(i))));
  const count = n * PER_WORKER * WAVES;
  const t0 = performance.now();
  const results = await Promise.all(
    Array.from({ length: count }, (_, i) => {
      const handle = client.start(input(i));
      started.push(handle.id);
      return handle.result;
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const failed = results.filter((r) => r.status !== 'completed');
  if (failed.length) log(`  ${failed.length} failed: ${JSON.stringify(failed[0]!.error)}`);
  const tps = count / seconds;
  log(
    `${n} worker(s) × ${PER_WORKER}: ${count} tasks in ${seconds.toFixed(2)} s = ${tps.toFixed(1)} tasks/s`,
  );
  return tps;
}

async function overheadPairs(): Promise<number[]> {
  const overheads: number[] = [];
  for (let i = 0; i < OVERHEAD_PAIRS; i++) {
    let t = performance.now();
    await local.engine.run(input(i));
    const inProcess = performance.now() - t;
    t = performance.now();
    const handle = client.start(input(i));
    started.push(handle.id);
    let startedAt = 0;
    handle.events.once('task.started', () => {
      startedAt = performance.now() - t;
    });
    await handle.result;
    overheads.push(performance.now() - t - inProcess);
    if (process.env.BENCH_TRACE)
      log(
        `pair ${i}: in process ${inProcess.toFixed(1)} ms, queued start ${startedAt.toFixed(1)} ms, overhead ${overheads.at(-1)!.toFixed(1)} ms`,
      );
  }
  return overheads;
}

try {
  // Warm both paths (connections, agent registries) before measuring.
  workers.push(await spawnWorker());
  await client.engine.run(input(-1));
  await local.engine.run(input(-1));
  const tasksPerSec1 = await throughput(1);
  const tasksPerSec2 = await throughput(2);
  const tasksPerSec4 = await throughput(4);

  // Overhead with the 4 workers idle, then with one: on a small machine, a job that wakes one of
  // several idle processes also pays for a process switch (reported apart, not hidden).
  const overheads4 = await overheadPairs();
  for (const worker of workers.splice(1)) await worker.stop('SIGTERM');
  const overheads = await overheadPairs();

  // Recovery: only the doomed worker takes the next tasks; once they all run, another worker starts
  // and the doomed one is killed.
  for (const worker of workers.splice(0)) await worker.stop('SIGTERM');
  const doomed = await spawnWorker();
  const handles: TaskHandle[] = Array.from({ length: PER_WORKER }, (_, i) =>
    client.start({ description: `r${i}`, prompt: `recover ${i}`, subagent_type: 'helper' }),
  );
  for (const handle of handles) started.push(handle.id);
  await Promise.all(
    handles.map((handle) => new Promise((resolve) => handle.events.once('task.started', resolve))),
  );
  workers.push(await spawnWorker());
  const killedAt = performance.now();
  await doomed.stop('SIGKILL');
  const ends = await Promise.all(
    handles.map((handle) => handle.result.then((r) => ({ r, at: performance.now() }))),
  );
  const recoveryMs = Math.max(...ends.map((e) => e.at)) - killedAt;
  const recovered = ends.filter((e) => e.r.status === 'completed' && (e.r.queue?.attempts ?? 0) >= 2).length;
  log(
    `recovery: ${recovered}/${handles.length} re-run elsewhere, last done ${recoveryMs.toFixed(0)} ms after the kill`,
  );

  const lost = started.filter((id) => !finishedCount.has(id)).length;
  const duplicated = [...finishedCount.values()].filter((n) => n > 1).length;
  const figures = {
    tasksPerSec1: round(tasksPerSec1),
    tasksPerSec2: round(tasksPerSec2),
    tasksPerSec4: round(tasksPerSec4),
    scaling4: round(tasksPerSec4 / (4 * tasksPerSec1), 3),
    queueOverheadP50Ms: round(percentile(overheads, 50)),
    queueOverheadP95Ms: round(percentile(overheads, 95)),
    queueOverheadP50Ms4Workers: round(percentile(overheads4, 50)),
    queueOverheadP95Ms4Workers: round(percentile(overheads4, 95)),
    recoveryMs: Math.round(recoveryMs),
    lost,
    duplicated,
    perWorkerConcurrency: PER_WORKER,
    modelLatencyMs: LATENCY_MS,
    targets: TARGETS,
  };
  if (json) process.stdout.write(`${JSON.stringify(figures)}\n`);
  else log(JSON.stringify(figures, null, 2));
} finally {
  for (const worker of workers) await worker.stop();
  await client.close();
  await local.close();
  model.stop();
  await redis.stop();
  rmSync(ws, { recursive: true, force: true });
}

function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
