/**
 * `npm run bench:startup [-- --json]`: wall time from spawn to exit of `codex-task --version` and
 * `codex-task agents list` (20 agent files), median and p90 of 15 runs each after 2 warm-ups, on
 * the compiled bin (what users run). Target: < 150 ms.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, percentile } from './stats.ts';

const BIN = fileURLToPath(new URL('../bin/codex-task.js', import.meta.url));
const TARGET_MS = 150;
const json = process.argv.includes('--json');

const ws = mkdtempSync(join(tmpdir(), 'codex-task-startup-'));
mkdirSync(join(ws, '.git'));
mkdirSync(join(ws, '.claude', 'agents'), { recursive: true });
for (let i = 0; i < 20; i++) {
  writeFileSync(
    join(ws, '.claude', 'agents', `a${i}.md`),
    `---\nname: agent-${i}\ndescription: agent ${i}\ntools: Read, Grep\nmodel: sonnet\n---\nYou are agent ${i}.\n`,
  );
}

function measure(args: string[]): { medianMs: number; p90Ms: number } {
  const times: number[] = [];
  for (let i = 0; i < 17; i++) {
    const t0 = performance.now();
    const run = spawnSync(process.execPath, [BIN, ...args], {
      cwd: ws,
      env: { PATH: process.env.PATH ?? '', HOME: ws },
    });
    if (run.status !== 0) throw new Error(`codex-task ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
    if (i >= 2) times.push(performance.now() - t0);
  }
  return { medianMs: median(times), p90Ms: percentile(times, 90) };
}

try {
  const version = measure(['--version']);
  const list = measure(['agents', 'list']);
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ versionMedianMs: Math.round(version.medianMs), agentsListMedianMs: Math.round(list.medianMs) })}\n`,
    );
  } else {
    for (const [name, m] of [
      ['--version', version],
      ['agents list', list],
    ] as const) {
      process.stdout.write(
        `codex-task ${name}: median ${m.medianMs.toFixed(0)} ms, p90 ${m.p90Ms.toFixed(0)} ms (target < ${TARGET_MS} ms: ${m.medianMs < TARGET_MS ? 'met' : 'MISSED'})\n`,
      );
    }
  }
} finally {
  rmSync(ws, { recursive: true, force: true });
}
