/**
 * `npm run bench:cache [-- --json]`: what prompt caching saves on input. 50 tasks of one agent whose
 * system prompt is ~4,000 tokens, run through the engine (default concurrency) against the scripted
 * model, which reports cache reads and writes as each vendor does (`src/scripted-model/prompt-cache.ts`:
 * an entry is readable once a response to the request that wrote it has started, so the first wave
 * of concurrent tasks all miss). Input cost is priced from the shipped table
 * (`config/defaults/prices.ts`): uncached = every input token at the input rate; cached = uncached
 * tokens at the input rate, reads at the cache-read rate, writes at the cache-write rate.
 *   inputCostUncachedUsd, inputCostCachedUsd, inputCostCut, cachedShare (reads ÷ input tokens):
 *              Anthropic Messages (the target: a cut of ≥ 60 %)
 *   sequential the same with one task at a time (no concurrent misses): the ceiling
 *   vendors    the same 50 tasks on OpenAI Responses and Gemini (automatic caching, no write charge)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINE_DEFAULTS } from '../src/config/defaults/index.ts';
import { TaskEngine, type TaskInput, type TaskResult } from '../src/engine/index.ts';
import { priceFor } from '../src/models/index.ts';
import type { ProviderConfig } from '../src/providers/index.ts';
import { type ScriptedModelServer, startScriptedModel } from '../src/scripted-model/index.ts';

const json = process.argv.includes('--json');
const log = (line: string) => {
  if (!json) process.stdout.write(`${line}\n`);
};

const TARGETS = { inputCostCut: 0.6 };
const TASKS = 50;
/** Per model call: long enough that the first wave's requests are all in flight together. */
const LATENCY_MS = 100;
/** ~4,000 tokens at the scripted model's ~4 characters a token. */
const PROMPT_CHARS = 16_000;

const PARAGRAPH =
  'You review changes to a TypeScript service. Read the diff and the files it touches, name each ' +
  'risk you find with the line it is on, say how likely it is to bite and what it would cost, and ' +
  'propose the smallest change that removes it. Prefer evidence from the code to guesses. ';
const SYSTEM_PROMPT = PARAGRAPH.repeat(Math.ceil(PROMPT_CHARS / PARAGRAPH.length)).slice(0, PROMPT_CHARS);

interface Vendor {
  name: string;
  model: string;
  provider: (server: ScriptedModelServer) => ProviderConfig;
}

const ANTHROPIC: Vendor = {
  name: 'anthropic',
  model: 'claude-sonnet-4-5',
  provider: (s) => ({ id: 'anthropic', kind: 'anthropic', baseURL: s.baseUrls.anthropic, apiKey: 'bench' }),
};
const OTHERS: Vendor[] = [
  {
    name: 'openai-responses',
    model: 'gpt-5',
    provider: (s) => ({ id: 'openai', kind: 'openai', baseURL: s.baseUrls.openai, apiKey: 'bench' }),
  },
  {
    name: 'gemini',
    model: 'gemini-2.5-flash',
    provider: (s) => ({ id: 'google', kind: 'google', baseURL: s.baseUrls.google, apiKey: 'bench' }),
  },
];

interface Figures {
  model: string;
  tasks: number;
  concurrency: number;
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** Tasks that read nothing from the cache. */
  coldTasks: number;
  inputCostUncachedUsd: number;
  inputCostCachedUsd: number;
  inputCostCut: number;
  cachedShare: number;
}

async function measure(vendor: Vendor, concurrency: number): Promise<Figures> {
  // A fresh server per measurement: an empty cache.
  const server = await startScriptedModel({ handler: () => ({ text: 'Reviewed.', latencyMs: LATENCY_MS }) });
  const workspace = mkdtempSync(join(tmpdir(), 'codex-task-bench-cache-'));
  const engine = new TaskEngine({
    cwd: workspace,
    homeDir: workspace,
    env: {},
    concurrency,
    providers: [vendor.provider(server)],
    agents: [
      {
        name: 'reviewer',
        description: 'Reviews a change',
        tools: ['Read', 'Grep'],
        model: `${vendor.provider(server).id}:${vendor.model}`,
        prompt: SYSTEM_PROMPT,
      },
    ],
  });
  try {
    const inputs: TaskInput[] = Array.from({ length: TASKS }, (_, i) => ({
      description: `review ${i}`,
      prompt: `Review change #${i}: the retry loop in src/payments/charge-${i}.ts.`,
      subagent_type: 'reviewer',
    }));
    const results: TaskResult[] = await engine.runAll(inputs);
    const failed = results.filter((r) => r.status !== 'completed');
    if (failed.length)
      throw new Error(`${failed.length} bench tasks failed: ${JSON.stringify(failed[0]!.error)}`);
    const price = priceFor(`${vendor.provider(server).id}:${vendor.model}`, vendor.model);
    if (!price) throw new Error(`no price for ${vendor.model}`);
    let input = 0;
    let read = 0;
    let written = 0;
    for (const r of results) {
      input += r.usage.inputTokens;
      read += r.usage.cacheReadTokens;
      written += r.usage.cacheWriteTokens;
    }
    const uncached = (input * price.input) / 1e6;
    const cached =
      ((input - read - written) * price.input +
        read * (price.cacheRead ?? price.input) +
        written * (price.cacheWrite ?? price.input)) /
      1e6;
    return {
      model: vendor.model,
      tasks: TASKS,
      concurrency,
      inputTokens: input,
      cacheReadTokens: read,
      cacheWriteTokens: written,
      coldTasks: results.filter((r) => r.usage.cacheReadTokens === 0).length,
      inputCostUncachedUsd: round(uncached),
      inputCostCachedUsd: round(cached),
      inputCostCut: round(1 - cached / uncached, 4),
      cachedShare: round(read / input, 4),
    };
  } finally {
    engine.close();
    await server.close();
    rmSync(workspace, { recursive: true, force: true });
  }
}

function round(value: number, digits = 6): number {
  return Number(value.toFixed(digits));
}

function describe(label: string, f: Figures): string {
  return `${label}: ${f.tasks} tasks, concurrency ${f.concurrency}, ${f.inputTokens} input tokens (${f.cacheReadTokens} read, ${f.cacheWriteTokens} written, ${f.coldTasks} cold tasks) — input $${f.inputCostUncachedUsd.toFixed(4)} uncached → $${f.inputCostCachedUsd.toFixed(4)} cached (cut ${(f.inputCostCut * 100).toFixed(1)} %, cached share ${(f.cachedShare * 100).toFixed(1)} %)`;
}

const defaultConcurrency = ENGINE_DEFAULTS.concurrency;

const main = await measure(ANTHROPIC, defaultConcurrency);
const sequential = await measure(ANTHROPIC, 1);
const vendors: Record<string, Figures> = {};
for (const vendor of OTHERS) vendors[vendor.name] = await measure(vendor, defaultConcurrency);

log(
  `prompt caching: ${TASKS} tasks of one agent, system prompt ~${PROMPT_CHARS / 4} tokens, ${LATENCY_MS} ms a model call`,
);
log(describe(`  anthropic ${main.model}`, main));
log(
  `    target: input cost cut ≥ ${TARGETS.inputCostCut * 100} % — ${main.inputCostCut >= TARGETS.inputCostCut ? 'met' : 'MISSED'}`,
);
log(describe(`  anthropic ${sequential.model}, one at a time`, sequential));
for (const [name, f] of Object.entries(vendors)) log(describe(`  ${name} ${f.model}`, f));
if (json)
  process.stdout.write(`${JSON.stringify({ ...main, target: TARGETS.inputCostCut, sequential, vendors })}\n`);
if (main.inputCostCut < TARGETS.inputCostCut) {
  process.stderr.write('prompt caching target missed\n');
  process.exitCode = 1;
}
