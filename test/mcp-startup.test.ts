import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ProbeResult, probeServer } from '../src/mcp/index.ts';
import { BIN } from './mcp-support.ts';
import { makeWorkspace } from './support.ts';

// Codex drops an MCP server that is not listed within about a second of its start (docs/compatibility.md).
// Absolute times swing with machine load, so start-up is judged against a bare MCP SDK server
// started alternately on the same machine: from source, codex-task takes ~1.4× its time to
// `initialize` and ~1.5× to `tools/list` (bench/mcp.ts). The suite runs other files beside this
// one, which makes single start-ups swing: the median of six, and 3× (twice today's ratio — e.g.
// the engine loaded before the tool list) fails it.
const FLOOR = fileURLToPath(new URL('./fixtures/bare-mcp-server.mjs', import.meta.url));
let workspace: string;
beforeAll(async () => {
  workspace = await makeWorkspace();
});
afterAll(async () => {
  if (workspace) await rm(workspace, { recursive: true, force: true });
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

it('lists the Task tool within a bounded multiple of a bare SDK server’s start-up', async () => {
  const env = { PATH: process.env.PATH, HOME: workspace };
  const start = (args: string[]) => probeServer(process.execPath, args, { cwd: workspace, env });
  await start([BIN, 'mcp']); // fills the compile cache, as `install codex` does
  const ours: ProbeResult[] = [];
  const floor: ProbeResult[] = [];
  for (let i = 0; i < 6; i++) {
    ours.push(await start([BIN, 'mcp']));
    floor.push(await start([FLOOR]));
  }
  expect(ours[0]?.tools).toEqual(['Task', 'TaskOutput', 'SendMessage']);
  const initRatio = median(ours.map((r) => r.initializeMs)) / median(floor.map((r) => r.initializeMs));
  const listRatio = median(ours.map((r) => r.toolsListMs)) / median(floor.map((r) => r.toolsListMs));
  expect(
    initRatio,
    `initialize: ${ours.map((r) => Math.round(r.initializeMs))} vs ${floor.map((r) => Math.round(r.initializeMs))} ms`,
  ).toBeLessThan(3);
  expect(
    listRatio,
    `tools/list: ${ours.map((r) => Math.round(r.toolsListMs))} vs ${floor.map((r) => Math.round(r.toolsListMs))} ms`,
  ).toBeLessThan(3);
  // And never slower than Codex's window when the machine is not overloaded tenfold.
  expect(median(ours.map((r) => r.toolsListMs))).toBeLessThan(5_000);
}, 60_000);
