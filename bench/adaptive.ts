/**
 * `npm run bench:adaptive [-- --json] [-- --tasks N] [-- --repeat N] [-- --sweep 12,50]`: adaptive
 * concurrency against a provider that takes only K calls at once (issue 18). A scripted provider
 * (OpenAI Responses wire, real HTTP, the real AI SDK client) answers every call in 300 ms, but a
 * call that arrives while K = 12 are being served gets a 429 at once, without Retry-After (the
 * client backs off on its own: exponential with jitter). K is not told to the client. Each task is
 * one model call.
 *   adaptive   engine concurrency 50, no per-provider setting: the limit is learnt (AIMD)
 *   fixed N    engine concurrency N and the provider's limit pinned at N (min = max = N), for N in
 *              5, 8, 10, 12, 16, 20, 30, 50; `bestFixedMs` is the fastest of them, `fixedMs` N = 50
 * Default retry and circuit settings throughout. Times are wall time for all the tasks, the median
 * of `--repeat` rounds (3; a round runs every setting once, ~3 minutes); 429s are counted at the
 * server. Target: adaptiveMs ≤ 1.1 × bestFixedMs, and fewer 429s than fixed 50.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskEngine } from '../src/engine/index.ts';
import type { RateLimit } from '../src/providers/index.ts';
import { startScriptedModel } from '../src/scripted-model/index.ts';
import { median, repeat } from './stats.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const option = (name: string, fallback: number) => Number(args[args.indexOf(name) + 1]) || fallback;
const TASKS = option('--tasks', 300);
const REPEAT = option('--repeat', 3);
const K = 12;
const LATENCY_MS = 300;
const CEILING = 50;
const SWEEP = args.includes('--sweep')
  ? args[args.indexOf('--sweep') + 1]!.split(',').map(Number)
  : [5, 8, 10, 12, 16, 20, 30, 50];
const log = (line: string) => {
  if (!json) process.stdout.write(`${line}\n`);
};

let rejected = 0;
let serving = 0;
let maxServing = 0;
const server = await startScriptedModel({
  // A call holds one of the K places while the model works on it (its 300 ms), as a provider's
  // concurrency limit counts; a 429 is sent at once and holds none.
  handler: () => {
    if (serving >= K) {
      rejected++;
      return { latencyMs: 0, fault: { kind: 'status', status: 429 } };
    }
    maxServing = Math.max(maxServing, ++serving);
    setTimeout(() => serving--, LATENCY_MS);
    return { text: 'ok', latencyMs: LATENCY_MS };
  },
});
const workspace = await mkdtemp(join(tmpdir(), 'codex-task-adaptive-'));
await mkdir(join(workspace, '.git'));

interface Run {
  wallMs: number;
  rejected: number;
  completed: number;
  maxServing: number;
  limit: number;
  cuts: number;
  waited: number;
}

async function run(concurrency: number, rateLimit?: RateLimit): Promise<Run> {
  server.reset();
  rejected = 0;
  maxServing = 0;
  const engine = new TaskEngine({
    cwd: workspace,
    homeDir: workspace,
    env: {},
    concurrency,
    taskTimeoutMs: 300_000,
    agentRescanIntervalMs: 0,
    callerModel: 'openai:gpt-5.5',
    providers: [
      {
        id: 'openai',
        kind: 'openai',
        baseURL: server.baseUrls.openai,
        apiKey: 'bench',
        apiKeyEnv: 'OPENAI_API_KEY',
        ...(rateLimit && { rateLimit }),
      },
    ],
  });
  const started = performance.now();
  const results = await engine.runAll(
    Array.from({ length: TASKS }, (_, i) => ({ description: `task ${i}`, prompt: `task ${i}` })),
  );
  const wallMs = performance.now() - started;
  const health = engine.providerHealth().find((p) => p.provider === 'openai')!.concurrency;
  engine.close();
  return {
    wallMs,
    rejected,
    completed: results.filter((r) => r.status === 'completed').length,
    maxServing,
    limit: health.limit,
    cuts: health.cuts,
    waited: health.waited,
  };
}

interface Setting {
  name: string;
  concurrency: number;
  rateLimit?: RateLimit;
}

const settings: Setting[] = [
  { name: 'adaptive', concurrency: CEILING },
  ...SWEEP.map((n) => ({
    name: `fixed ${n}`,
    concurrency: n,
    rateLimit: { maxConcurrency: n, minConcurrency: n },
  })),
];
const runs = new Map<string, Run[]>(settings.map((setting) => [setting.name, []]));
// Interleaved, so a busy spell of the machine falls on every setting alike rather than on one.
await repeat(REPEAT, async () => {
  for (const setting of settings)
    runs.get(setting.name)!.push(await run(setting.concurrency, setting.rateLimit));
});
/** The run of median wall time. */
const measured = (name: string): Run => {
  const all = runs.get(name)!;
  const middle = median(all.map((r) => r.wallMs));
  return all.find((r) => r.wallMs === middle)!;
};

const fmt = (r: Run) =>
  `${Math.round(r.wallMs)} ms, ${r.rejected} × 429, ${r.completed}/${TASKS} completed, at most ${r.maxServing} served at once`;

log(
  `adaptive concurrency: ${TASKS} one-call tasks, ${LATENCY_MS} ms a call, 429 (no Retry-After) over ${K} in flight; median of ${REPEAT}`,
);
const adaptive = measured('adaptive');
log(
  `  adaptive (ceiling ${CEILING}): ${fmt(adaptive)}; limit at the end ${adaptive.limit}, ${adaptive.cuts} cuts, ${adaptive.waited} calls waited`,
);
const fixed = new Map<number, Run>();
for (const n of SWEEP) {
  fixed.set(n, measured(`fixed ${n}`));
  log(`  fixed ${String(n).padStart(2)}: ${fmt(fixed.get(n)!)}`);
}
const [bestN, best] = [...fixed].reduce((a, b) => (b[1].wallMs < a[1].wallMs ? b : a));
const fixed50 = fixed.get(CEILING)!;
const figures = {
  tasks: TASKS,
  hiddenLimit: K,
  adaptiveMs: Math.round(adaptive.wallMs),
  fixedMs: Math.round(fixed50.wallMs),
  bestFixedMs: Math.round(best.wallMs),
  bestFixed: bestN,
  adaptive429: adaptive.rejected,
  fixed429: fixed50.rejected,
  bestFixed429: best.rejected,
  adaptiveCompleted: adaptive.completed,
  fixedCompleted: fixed50.completed,
  adaptiveFinalLimit: adaptive.limit,
  adaptiveCuts: adaptive.cuts,
};
const ratio = adaptive.wallMs / best.wallMs;
log(
  `adaptive / best fixed (${bestN}): ${ratio.toFixed(3)} (target ≤ 1.1); 429s: adaptive ${adaptive.rejected}, fixed 50 ${fixed50.rejected} (target: fewer)`,
);
if (json) process.stdout.write(`${JSON.stringify(figures)}\n`);

await server.close();
await rm(workspace, { recursive: true, force: true });
