/**
 * `node bench/observability.ts [--json]`: what issue 6's recording costs, on the scripted model
 * (separate process, loopback).
 *   recording  what the store, logs, metrics and audit cost per task: inside the engine's events,
 *              plus the store's batched commits
 *   sse        engine event → SSE client in another process, live events only, 5 tasks at once
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { TaskEngine, type TaskEvents } from '../src/engine/index.ts';
import { startHttpServer } from '../src/http/index.ts';
import { type Observability, observe } from '../src/observe/index.ts';
import { createLogger } from '../src/telemetry/index.ts';
import { percentile } from './stats.ts';

const json = process.argv.includes('--json');
const log = (line: string) => {
  if (!json) process.stdout.write(`${line}\n`);
};
const TARGETS = { recordingP95Ms: 1, sseP95Ms: 5 };
const EVENTS: (keyof TaskEvents)[] = [
  'task.queued',
  'task.started',
  'task.progress',
  'task.turn',
  'task.tool',
  'task.model_call',
  'task.failover',
  'task.finished',
];

async function startModel(script: object): Promise<{ url: string; stop: () => void }> {
  const file = join(mkdtempSync(join(tmpdir(), 'codex-task-bench-')), 'script.json');
  writeFileSync(file, JSON.stringify(script));
  const child = spawn(
    process.execPath,
    ['src/cli/bin.ts', 'scripted-model', '--port', '0', '--script', file],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (l) => resolve(l.replace(/^.* on /, '').trim()));
    child.once('exit', (code) => reject(new Error(`scripted model exited with ${code}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

const fmt = (ms: number) => `${ms.toFixed(3)} ms`;

function makeEngine(url: string, workspace: string): TaskEngine {
  return new TaskEngine({
    cwd: workspace,
    homeDir: workspace,
    providers: [{ id: 'openai', kind: 'openai', baseURL: `${url}/v1`, apiKey: 'bench-key-0123456789' }],
    env: {},
    callerModel: 'openai:fast',
    agents: [
      {
        name: 'reader',
        description: 'Reads one file and answers',
        tools: ['Read'],
        prompt: 'You read files.',
      },
    ],
  });
}

function observeAll(engine: TaskEngine, dir: string, tracing = false): Observability {
  return observe(engine, {
    env: tracing && otlpUrl ? { OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl } : {},
    store: join(dir, 'runs.db'),
    logger: createLogger({ level: 'info', destination: join(dir, 'codex-task.log') }),
    audit: join(dir, 'audit.jsonl'),
    tracing: tracing ? 'env' : false,
  });
}

const input = { description: 'bench', prompt: 'read notes.txt', subagent_type: 'reader' };

/**
 * Per task, sequentially: (1) the time between a first and a last listener on every event — what
 * recording adds inside the engine's events; (2) the store's batched commits, which run after the
 * event at the end of its macrotask (timed by wrapping `flush`, bench-only); and (3) main-thread busy
 * time per task (event-loop utilisation; on a shared machine too noisy to subtract an "off" run).
 */
async function measureRecording(url: string, workspace: string, mode: 'off' | 'on' | 'traced', n = 1000) {
  const dir = mkdtempSync(join(tmpdir(), 'codex-task-bench-obs-'));
  const engine = makeEngine(url, workspace);
  const inEvents = new Map<string, number>();
  const deferred = new Map<string, number>();
  let current = '';
  let t0 = 0;
  const emitter = engine.events as unknown as NodeJS.EventEmitter;
  for (const event of EVENTS) {
    emitter.prependListener(event, (e: { taskId: string }) => {
      current = e.taskId;
      t0 = performance.now();
    });
  }
  const obs = mode === 'off' ? undefined : observeAll(engine, dir, mode === 'traced');
  for (const event of EVENTS) {
    emitter.on(event, (e: { taskId: string }) => {
      inEvents.set(e.taskId, (inEvents.get(e.taskId) ?? 0) + performance.now() - t0);
    });
  }
  const store = obs?.store;
  if (store) {
    const flush = store.flush.bind(store);
    store.flush = () => {
      const t = performance.now();
      flush();
      deferred.set(current, (deferred.get(current) ?? 0) + performance.now() - t);
    };
  }
  for (let i = 0; i < 50; i++) await engine.run(input); // warm-up
  inEvents.clear();
  deferred.clear();
  const elu = performance.eventLoopUtilization();
  for (let i = 0; i < n; i++) {
    const r = await engine.run(input);
    if (r.status !== 'completed') throw new Error(`bench task failed: ${JSON.stringify(r.error)}`);
  }
  const busyPerTaskMs = performance.eventLoopUtilization(elu).active / n;
  const total = [...inEvents].map(([id, ms]) => ms + (deferred.get(id) ?? 0));
  const sync = [...inEvents.values()];
  const later = [...inEvents.keys()].map((id) => deferred.get(id) ?? 0);
  await obs?.close();
  engine.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    total: { p50: percentile(total, 50), p95: percentile(total, 95) },
    inEvents: { p50: percentile(sync, 50), p95: percentile(sync, 95) },
    storeCommits: { p50: percentile(later, 50), p95: percentile(later, 95) },
    busyPerTaskMs,
    tasks: n,
  };
}

/** An SSE client in its own process, as a dashboard would be: it follows each URL it is sent. */
const SSE_CLIENT = `
import { createInterface } from 'node:readline';
const now = () => performance.timeOrigin + performance.now();
const out = (line) => process.stdout.write(line + '\\n');
createInterface({ input: process.stdin }).on('line', async (url) => {
  const res = await fetch(url);
  out('connected ' + url + ' ' + now());
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body) {
    const at = now();
    buffer += decoder.decode(chunk, { stream: true });
    for (let cut = buffer.indexOf('\\n\\n'); cut >= 0; cut = buffer.indexOf('\\n\\n')) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const id = /^id: (\\d+)$/m.exec(block)?.[1];
      if (id) out('event ' + url + ' ' + id + ' ' + at);
    }
  }
  out('done ' + url);
});
`;

/**
 * Engine event → parsed by an SSE client in another process (one wall clock: both sides stamp
 * events with performance.timeOrigin + now()). Live events only: those emitted after the client
 * connected; 5 tasks (each 2 turns of ~20 ms, 1 Read) streamed at once.
 */
async function measureSse(url: string, workspace: string, rounds = 20, parallel = 5) {
  const dir = mkdtempSync(join(tmpdir(), 'codex-task-bench-sse-'));
  const engine = makeEngine(url, workspace);
  const obs = observeAll(engine, dir);
  const emitted = new Map<string, number[]>();
  const clock = () => performance.timeOrigin + performance.now();
  for (const event of EVENTS) {
    (engine.events as unknown as NodeJS.EventEmitter).prependListener(event, (e: { taskId: string }) => {
      const list = emitted.get(e.taskId) ?? [];
      list.push(clock());
      emitted.set(e.taskId, list);
    });
  }
  const server = await startHttpServer({ engine, observability: obs, port: 0 });
  const client = spawn(process.execPath, ['--input-type=module', '-e', SSE_CLIENT], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const latencies: number[] = [];
  const connected = new Map<string, number>();
  const waiting = new Map<string, () => void>();
  createInterface({ input: client.stdout }).on('line', (line) => {
    const [kind, streamUrl = '', a, b] = line.split(' ');
    const taskId = streamUrl.split('/').at(-2) ?? '';
    if (kind === 'connected') connected.set(taskId, Number(a));
    if (kind === 'done') waiting.get(taskId)?.();
    if (kind !== 'event') return;
    const at = emitted.get(taskId)?.[Number(a) - 1];
    if (at !== undefined && at > (connected.get(taskId) ?? Infinity)) latencies.push(Number(b) - at);
  });
  const follow = async () => {
    const res = await fetch(`${server.url}/v1/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...input, prompt: 'read slowly' }),
    });
    const { id } = (await res.json()) as { id: string };
    const done = new Promise<void>((resolve) => waiting.set(id, resolve));
    client.stdin.write(`${server.url}/v1/tasks/${id}/events\n`);
    await done;
  };
  for (let r = 0; r < rounds; r++) await Promise.all(Array.from({ length: parallel }, follow));
  client.kill();
  await server.close();
  await obs.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    max: Math.max(...latencies),
    events: latencies.length,
  };
}

// A loopback OTLP receiver that accepts and drops spans (tracing's cost is the exporter's, not a collector's).
const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const otlpUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

const workspace = mkdtempSync(join(tmpdir(), 'codex-task-bench-ws-'));
writeFileSync(join(workspace, 'notes.txt'), 'a small file the reader agent reads\n');
const model = await startModel({
  rules: [
    {
      when: { turn: 0, user: 'slowly' },
      reply: { toolCalls: [{ name: 'Read', input: { file_path: 'notes.txt' } }], latencyMs: 20 },
    },
    { when: { turn: 0 }, reply: { toolCalls: [{ name: 'Read', input: { file_path: 'notes.txt' } }] } },
    { when: { user: 'slowly' }, reply: { text: 'done', latencyMs: 20 } },
  ],
  default: { text: 'done' },
});
try {
  const on = await measureRecording(model.url, workspace, 'on');
  log(
    `recording per task (store + logs + metrics + audit), ${on.tasks} tasks of 2 turns + 1 Read: p50 ${fmt(on.total.p50)}, p95 ${fmt(on.total.p95)} (target p95 < ${TARGETS.recordingP95Ms} ms)`,
  );
  log(
    `  inside the engine's events p50 ${fmt(on.inEvents.p50)} / p95 ${fmt(on.inEvents.p95)}; store commits at the end of the tick p50 ${fmt(on.storeCommits.p50)} / p95 ${fmt(on.storeCommits.p95)}`,
  );
  const traced = await measureRecording(model.url, workspace, 'traced');
  log(
    `  with OTLP tracing to a loopback receiver as well: p50 ${fmt(traced.total.p50)}, p95 ${fmt(traced.total.p95)}`,
  );
  const sse = await measureSse(model.url, workspace);
  log(
    `SSE latency, engine event → client process: p50 ${fmt(sse.p50)}, p95 ${fmt(sse.p95)}, max ${fmt(sse.max)} over ${sse.events} live events, 5 streams at once (target p95 < ${TARGETS.sseP95Ms} ms)`,
  );
  if (json) process.stdout.write(`${JSON.stringify({ on, traced, sse })}\n`);
} finally {
  model.stop();
  receiver.close();
  rmSync(workspace, { recursive: true, force: true });
}
