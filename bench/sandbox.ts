/**
 * `npm run bench:sandbox [-- --json]`: what the OS sandbox adds to a Bash call. The same commands
 * (`true`, `echo hello`, and a small pipeline) run through the real Bash tool with the sandbox off
 * and on (bubblewrap with the default secret list hidden), alternating, N times each after a warm-up;
 * prints p50/p95 of both and the difference. Set BENCH_SANDBOX_RUNS to change N (default 100).
 */

import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeBubblewrap, type SandboxSettings } from '../src/sandbox/index.ts';
import { createToolContext, getBuiltinTool } from '../src/tools/index.ts';
import { percentile } from './stats.ts';

const bashTool = getBuiltinTool('Bash')!;

const json = process.argv.includes('--json');
const RUNS = Number(process.env.BENCH_SANDBOX_RUNS ?? 100);
const COMMANDS = ['true', 'echo hello', 'seq 1 1000 | sort -r | head -3'];

const probe = probeBubblewrap();
if (!probe.working) {
  process.stderr.write(`bench:sandbox: no working bubblewrap here (${probe.reason}); nothing to measure.\n`);
  process.exit(1);
}

const workspace = realpathSync(mkdtempSync(join(tmpdir(), 'codex-task-bench-sandbox-')));
const contexts: Record<'off' | 'on', SandboxSettings> = { off: { mode: 'off' }, on: { mode: 'require' } };

async function time(command: string, sandbox: SandboxSettings): Promise<number> {
  const ctx = createToolContext({ workspaceRoot: workspace, sandbox });
  const started = performance.now();
  await bashTool.execute({ command }, ctx);
  return performance.now() - started;
}

const rows: { command: string; offP50: number; offP95: number; onP50: number; onP95: number }[] = [];
try {
  for (const command of COMMANDS) {
    const samples = { off: [] as number[], on: [] as number[] };
    for (let i = 0; i < 5; i++)
      for (const mode of ['off', 'on'] as const) await time(command, contexts[mode]);
    for (let i = 0; i < RUNS; i++) {
      for (const mode of i % 2 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
        samples[mode].push(await time(command, contexts[mode]));
      }
    }
    const { off, on } = samples;
    rows.push({
      command,
      offP50: percentile(off, 50),
      offP95: percentile(off, 95),
      onP50: percentile(on, 50),
      onP95: percentile(on, 95),
    });
  }
} finally {
  rmSync(workspace, { recursive: true, force: true });
}

if (json) {
  process.stdout.write(`${JSON.stringify({ bwrap: probe.version, runs: RUNS, rows }, null, 2)}\n`);
} else {
  const ms = (n: number) => `${n.toFixed(1).padStart(6)} ms`;
  process.stdout.write(`Bash tool latency, ${probe.version} (${probe.bwrapPath}), ${RUNS} runs each\n`);
  process.stdout.write(
    `${'command'.padEnd(34)} ${'off p50'.padStart(9)} ${'off p95'.padStart(9)} ${'on p50'.padStart(9)} ${'on p95'.padStart(9)} ${'added p50'.padStart(9)}\n`,
  );
  for (const r of rows) {
    process.stdout.write(
      `${r.command.padEnd(34)} ${ms(r.offP50)} ${ms(r.offP95)} ${ms(r.onP50)} ${ms(r.onP95)} ${ms(r.onP50 - r.offP50)}\n`,
    );
  }
}
