import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { spawnCollecting } from './cli-support.ts';
import { agentFile, makeWorkspace } from './support.ts';

// `codex-task agents list` must start fast (bench/startup.ts): what it loads is held here, since
// one stray import (zod alone costs ~100 ms) undoes the lazy loading without failing anything else.
const BIN = fileURLToPath(new URL('../src/cli/bin.ts', import.meta.url));
const RECORDER = fileURLToPath(new URL('./fixtures/record-imports.mjs', import.meta.url));
const NOT_FOR_LISTING =
  /\/node_modules\/(zod|ai|@ai-sdk|@modelcontextprotocol|@opentelemetry|pino|prom-client|yaml|unbash|undici)\/|\/src\/(engine|models|tools|sandbox|telemetry|mcp|proxy|http|store\/(?!types))/;

const workspaces: string[] = [];
afterEach(async () => {
  for (const dir of workspaces.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function listAgents(files: Record<string, string>) {
  const workspace = await makeWorkspace(files);
  workspaces.push(workspace);
  const record = join(workspace, 'imports.txt');
  const run = await spawnCollecting('--import', [RECORDER, BIN, 'agents', 'list'], {
    cwd: workspace,
    env: { PATH: process.env.PATH ?? '', HOME: workspace, NO_COLOR: '1', RECORD_IMPORTS_TO: record },
  }).done;
  return { ...run, loaded: (await readFile(record, 'utf8')).split('\n') };
}

it('lists agents without loading zod, the AI SDK or the engine', async () => {
  const run = await listAgents({
    '.claude/agents/reviewer.md': agentFile({
      name: 'reviewer',
      description: 'Reviews',
      tools: 'Read, Grep',
    }),
  });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('reviewer');
  expect(run.loaded.some((url) => url.endsWith('/src/agents/parse-agent-file.ts'))).toBe(true);
  expect(run.loaded.filter((url) => NOT_FOR_LISTING.test(url))).toEqual([]);
});

it('loads zod when a value needs it, with the same checks and messages', async () => {
  const slow = await listAgents({
    '.codex-task/config.json': JSON.stringify({ maxTurns: 30 }),
    '.claude/agents/slow.md': agentFile({ name: 'slow', description: 'Slow', timeout: '5m' }),
  });
  expect(slow.code).toBe(0);
  expect(slow.stdout).toContain('slow');
  expect(slow.loaded.some((url) => url.includes('/node_modules/zod/'))).toBe(true);

  const bad = await listAgents({ '.codex-task/config.json': JSON.stringify({ concurrency: 0 }) });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain(
    'error: .codex-task/config.json: `concurrency`: Too small: expected number to be >=1\n  fix: Fix the value(s) above; the accepted keys are: concurrency, taskTimeout,',
  );
});
