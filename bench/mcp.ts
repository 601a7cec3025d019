/**
 * `npm run bench:mcp [-- --json]`: the MCP surface's figures.
 *   startup   spawn of `codex-task mcp` → `initialize` answered, and → `tools/list` answered (Codex
 *             drops a server not listed within about a second, docs/compatibility.md), for a published build of
 *             this checkout and from source; beside them the floor, a bare MCP SDK server that does
 *             nothing else. p50/p95 over N alternating starts, after one start each that fills V8's
 *             compile cache (as `codex-task install codex` does).
 *   overhead  per-call cost of the MCP layer: a `tools/call` of Task through the SDK client and our
 *             server (in memory, then over real stdio) minus the same task started directly, with a
 *             runtime that answers at once, so only the layer is measured. p50/p95 over 2,000 calls.
 */

import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { TaskEvents, TaskResult } from '../src/engine/index.ts';
import {
  createMcpServer,
  type ProbeResult,
  probeServer,
  type TaskRuntime,
  TaskService,
} from '../src/mcp/index.ts';
import { percentile } from './stats.ts';

const json = process.argv.includes('--json');
const log = (line: string) => {
  if (!json) process.stdout.write(`${line}\n`);
};
const TARGETS = { initializeP50Ms: 300, toolsListP95Ms: 1000, callOverheadP95Ms: 2 };
const STARTS = Number(process.env.BENCH_MCP_STARTS ?? 10);
const CALLS = Number(process.env.BENCH_MCP_CALLS ?? 2000);
const BIN = fileURLToPath(new URL('../src/cli/bin.ts', import.meta.url));
const FLOOR = fileURLToPath(new URL('../test/fixtures/bare-mcp-server.mjs', import.meta.url));

const fmt = (ms: number) => `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;

/**
 * A production build of this checkout in a temp directory (tsc → dist/, the published bin beside
 * it), so the figure is the one users get: compiled JS, no type stripping.
 */
function buildProduction(dir: string): string {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const tsc = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/typescript/bin/tsc'),
      '-p',
      join(root, 'tsconfig.build.json'),
      '--outDir',
      join(dir, 'dist'),
    ],
    { stdio: 'ignore' },
  );
  if (tsc.status !== 0 && !existsSync(join(dir, 'dist/cli/bin.js')))
    throw new Error('tsc could not build the checkout');
  mkdirSync(join(dir, 'bin'));
  for (const file of ['codex-task.js', 'node-check.js'])
    copyFileSync(join(root, 'bin', file), join(dir, 'bin', file));
  copyFileSync(join(root, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return join(dir, 'bin/codex-task.js');
}

async function startup(workspace: string) {
  const env = { PATH: process.env.PATH, HOME: workspace };
  const start = (args: string[]) => probeServer(process.execPath, args, { cwd: workspace, env });
  const commands = {
    'codex-task mcp (published build)': [buildProduction(join(workspace, 'prod')), 'mcp'],
    'codex-task mcp (from source)': [BIN, 'mcp'],
    'bare SDK server': [FLOOR],
  };
  const runs = new Map<string, ProbeResult[]>(Object.keys(commands).map((name) => [name, []]));
  for (const args of Object.values(commands)) await start(args); // fills the compile cache
  for (let i = 0; i < STARTS; i++) {
    for (const [name, args] of Object.entries(commands)) runs.get(name)!.push(await start(args));
  }
  log(`startup (${STARTS} starts each, alternating, compile cache warm)`);
  const figures: Record<string, Record<string, number>> = {};
  for (const [name, xs] of runs) {
    const init = xs.map((x) => x.initializeMs);
    const list = xs.map((x) => x.toolsListMs);
    figures[name] = {
      initializeP50Ms: percentile(init, 50),
      initializeP95Ms: percentile(init, 95),
      toolsListP50Ms: percentile(list, 50),
      toolsListP95Ms: percentile(list, 95),
    };
    log(
      `  ${name.padEnd(34)} initialize p50 ${fmt(percentile(init, 50))} p95 ${fmt(percentile(init, 95))}   tools/list p50 ${fmt(percentile(list, 50))} p95 ${fmt(percentile(list, 95))}`,
    );
  }
  log(`  target: initialize < ${TARGETS.initializeP50Ms} ms; tools/list well within Codex's ~1 s`);
  return figures;
}

/** A runtime that answers at once: what remains of a call's time is the MCP layer's. */
function instantRuntime(): TaskRuntime {
  const events = new EventEmitter<TaskEvents>();
  let n = 0;
  const result = (taskId: string): TaskResult => ({
    taskId,
    agentId: taskId,
    status: 'completed',
    agentType: 'general-purpose',
    description: 'bench',
    content: 'done',
    resolvedModel: 'openai:gpt-5.5',
    modelsUsed: [],
    failovers: [],
    retries: 0,
    totalDurationMs: 1,
    totalToolUseCount: 0,
    turns: 1,
    usage: {
      inputTokens: 10,
      outputTokens: 2,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      totalTokens: 12,
      costUsd: null,
    },
    toolStats: {},
    timings: { queuedMs: 0, modelMs: 0, toolMs: 0 },
  });
  return {
    start: () => {
      const id = `t${++n}`;
      return {
        id,
        caller: undefined,
        parentTaskId: undefined,
        result: Promise.resolve(result(id)),
        cancel: () => {},
        events,
      };
    },
    sendMessage: () => {
      throw new Error('not benchmarked');
    },
    backgroundResult: async () => undefined,
    record: () => undefined,
    events,
    callerModel: () => undefined,
    close: async () => {},
  };
}

async function overhead(workspace: string) {
  const runtime = instantRuntime();
  const service = new TaskService({ cwd: workspace, homeDir: workspace, runtime: async () => runtime });
  const server = createMcpServer(service, 'bench');
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'bench', version: '0' });
  await client.connect(clientSide);
  const args = { description: 'bench', prompt: 'do it' };

  const time = async (fn: () => Promise<unknown>, n: number) => {
    for (let i = 0; i < Math.min(200, n); i++) await fn();
    const xs: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await fn();
      xs.push(performance.now() - t);
    }
    return xs;
  };
  const direct = await time(() => runtime.start(args, {}).result, CALLS);
  const inMemory = await time(() => client.callTool({ name: 'Task', arguments: args }), CALLS);
  await client.close();
  await service.close();

  // Over stdio to the real command: a call answered before any engine loads (unknown agent).
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp'],
    cwd: workspace,
    env: { PATH: process.env.PATH ?? '', HOME: workspace },
    stderr: 'ignore',
  });
  const stdioClient = new Client({ name: 'bench', version: '0' });
  await stdioClient.connect(transport);
  const stdio = await time(
    () => stdioClient.callTool({ name: 'Task', arguments: { ...args, subagent_type: 'missing' } }),
    Math.min(CALLS, 1000),
  );
  await stdioClient.close();

  const p = (xs: number[], q: number) => percentile(xs, q);
  const figures = {
    directP50Ms: p(direct, 50),
    inMemoryP50Ms: p(inMemory, 50),
    inMemoryP95Ms: p(inMemory, 95),
    overheadP50Ms: p(inMemory, 50) - p(direct, 50),
    overheadP95Ms: p(inMemory, 95) - p(direct, 95),
    stdioP50Ms: p(stdio, 50),
    stdioP95Ms: p(stdio, 95),
  };
  log(`per-call overhead (${CALLS} calls)`);
  log(
    `  MCP layer (SDK client ↔ server in memory, minus direct start): p50 ${fmt(figures.overheadP50Ms)} p95 ${fmt(figures.overheadP95Ms)}   target p95 < ${TARGETS.callOverheadP95Ms} ms`,
  );
  log(
    `  round trip over stdio to codex-task mcp (validation answer):   p50 ${fmt(figures.stdioP50Ms)} p95 ${fmt(figures.stdioP95Ms)}`,
  );
  return figures;
}

const workspace = mkdtempSync(join(tmpdir(), 'codex-task-bench-mcp-'));
try {
  const startupFigures = await startup(workspace);
  const overheadFigures = await overhead(workspace);
  if (json)
    process.stdout.write(
      `${JSON.stringify({ startup: startupFigures, overhead: overheadFigures, targets: TARGETS }, null, 2)}\n`,
    );
} finally {
  rmSync(workspace, { recursive: true, force: true });
}
