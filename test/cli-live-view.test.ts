import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScriptedRequest } from '../src/scripted-model/index.ts';
import { runCli, spawnCollecting } from './cli-support.ts';
import { HAS_TMUX, startInTerminal, type Terminal } from './pty-support.ts';
import { agentFile, useHarness } from './support.ts';

// The live views are drawn by the real binary on a real terminal (tmux), and read back as a person
// would see them: the screen while it runs, the scrollback after.

const h = useHarness();
const BIN = fileURLToPath(new URL('../src/cli/bin.ts', import.meta.url));
const RECORDER = fileURLToPath(new URL('./fixtures/record-imports.mjs', import.meta.url));
// CI must have tmux (.ci/run installs it); a local machine without it skips these, saying why.
const onTerminal = HAS_TMUX || process.env.CI ? describe : describe.skip;
if (!HAS_TMUX && !process.env.CI) console.warn('cli-live-view: tmux not installed; terminal tests skipped');

// About 5 s each on an idle machine; the bound leaves room for a loaded CI runner.
const TERMINAL_TEST_MS = 40_000;
const terminals: Terminal[] = [];
afterEach(async () => {
  for (const t of terminals.splice(0)) await t.close();
});

async function terminal(...args: Parameters<typeof startInTerminal>): Promise<Terminal> {
  const t = await startInTerminal(...args);
  terminals.push(t);
  return t;
}

function modelEnv(): Record<string, string> {
  return {
    OPENAI_API_KEY: 'sk-test-abcdefghijklmnop',
    OPENAI_BASE_URL: h.model.baseUrls.openai,
    CODEX_TASK_SUBAGENT_MODEL: 'openai:gpt-5.5',
    CODEX_TASK_SANDBOX: 'off',
  };
}

const HEADER =
  /^batch · (\d+) done(?: \(\d+ failed\))? · (\d+) running · (\d+) queued · [\d.]+s · (\S+) tok · (\S+)$/;

/**
 * A whole frame of the running batch: a header whose counts add up to 60 with some running, and as
 * many running rows as fit — 26 rows for tasks (30, less the cursor's, the header, the column heading
 * and the counts), one of them kept for the latest finished.
 */
function runningScreen(rows: string[]) {
  const header = rows.find((row) => HEADER.test(row))?.match(HEADER);
  if (!header) return undefined;
  const [done, now, queued] = header.slice(1, 4).map(Number) as [number, number, number];
  const runningRows = rows.filter((row) =>
    row.startsWith('▶ general-purpose openai:gpt-5.5 review part'),
  ).length;
  if (now === 0 || done + now + queued !== 60) return undefined;
  if (runningRows !== Math.min(now, 26 - (done > 0 ? 1 : 0))) return undefined;
  return { done, now, runningRows };
}

onTerminal('batch on a terminal', () => {
  it(
    'keeps 60 tasks in a 30-row terminal to one screen: header, running rows, no copies in the scrollback',
    async () => {
      const ws = await h.setup({}, () => ({ text: 'looks fine', latencyMs: 1000 }));
      const tasks = Array.from({ length: 60 }, (_, i) =>
        JSON.stringify({ description: `review part ${i + 1}`, prompt: `review part ${i + 1}` }),
      );
      await writeFile(join(ws, 'tasks.jsonl'), `${tasks.join('\n')}\n`);
      const t = await terminal(['batch', 'tasks.jsonl', '--concurrency', '40'], {
        cwd: ws,
        env: modelEnv(),
        rows: 30,
      });

      // While it runs: the header's counts add up, and running rows are on screen, not scrolled away.
      // (Polled until a screen shows it: a capture can fall between two halves of a frame's write.)
      const running = await t.waitFor((rows) => runningScreen(rows) !== undefined);
      const { now, runningRows } = runningScreen(running)!;
      expect(running.length).toBeLessThanOrEqual(30);
      if (now > runningRows) expect(running.join('\n')).toMatch(/… \d+ more running/);

      expect(await t.exited()).toBe(0);
      const history = await t.history();
      // Redrawn in place: the final frame is the only one left, each task is in it at most once, on
      // its `## …` results line and in the summary.
      const headers = history.filter((row) => HEADER.test(row));
      expect(headers).toHaveLength(1);
      const [, finalDone, finalRunning, finalQueued, tokens, cost] = headers[0]!.match(HEADER)!;
      expect([finalDone, finalRunning, finalQueued]).toEqual(['60', '0', '0']);
      for (let i = 1; i <= 60; i++) {
        const row = new RegExp(`review part ${i}(?!\\d)`);
        expect(history.filter((line) => row.test(line)).length, `review part ${i}`).toBeLessThanOrEqual(3);
      }
      // The header and the summary agree on tokens and cost, and a task's time is the same in both.
      const summary = history.find((row) => row.startsWith('60 task(s): 60 completed'))!;
      expect(summary).toContain(`· ${tokens} tokens · ${cost}`);
      const frameRows = history.filter((row) =>
        row.startsWith('✓ general-purpose openai:gpt-5.5 review part'),
      );
      expect(frameRows.length).toBeGreaterThan(0);
      for (const row of frameRows) {
        const [, part, seconds] = row.match(/review part (\d+) +([\d.]+s) /)!;
        expect(history).toContainEqual(
          expect.stringMatching(new RegExp(`· review part ${part} — looks fine · ${seconds} run`)),
        );
      }
    },
    TERMINAL_TEST_MS,
  );
});

/** Turn 1 runs a slow Bash command; turn 2 answers slowly: time to see the live line change. */
function slowWorker(req: ScriptedRequest) {
  return req.turn === 0
    ? { toolCalls: [{ name: 'Bash', input: { command: 'sleep 1.5' } }], latencyMs: 1000 }
    : { text: 'THE ANSWER', latencyMs: 1000 };
}

onTerminal('run on a terminal', () => {
  it(
    'shows a live line (turn, tool, tokens) while the model is slow and erases it before the answer',
    async () => {
      const ws = await h.setup(
        { '.claude/agents/worker.md': agentFile({ name: 'worker', description: 'works', tools: 'Bash' }) },
        slowWorker,
      );
      const t = await terminal(['run', 'worker', 'do the work'], { cwd: ws, env: modelEnv() });
      const inTool = await t.waitFor(/ worker · openai:gpt-5\.5 · [\d.]+s · turn 1 · Bash · \d+ tok$/);
      expect(inTool).toContain('[worker: do the work] started on openai:gpt-5.5');
      const thinking = await t.waitFor(
        / worker · openai:gpt-5\.5 · [\d.]+s · turn 2 · awaiting model · [1-9]\d* tok$/,
      );
      expect(thinking).toContain('[worker] Bash');

      expect(await t.exited()).toBe(0);
      const history = (await t.history()).filter((row) => row !== '');
      expect(history.slice(0, 3)).toEqual([
        '[worker: do the work] started on openai:gpt-5.5',
        '[worker] Bash',
        'THE ANSWER',
      ]);
      expect(history[3]).toMatch(/^completed · worker · openai:gpt-5\.5 · [\d.]+s run · \d+ tokens/);
      // Nothing of the live line is left anywhere, not even in the scrollback.
      expect(history.join('\n')).not.toMatch(/turn \d|awaiting model|[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
    },
    TERMINAL_TEST_MS,
  );

  it(
    'keeps stdout to the answer alone while the live line is drawn on stderr',
    async () => {
      const ws = await h.setup({}, () => ({ text: 'ONLY THIS', latencyMs: 2000 }));
      const t = await terminal([], {
        cwd: ws,
        env: modelEnv(),
        shell: '$CLI run general-purpose hello > out.txt',
      });
      await t.waitFor(/ general-purpose · openai:gpt-5\.5 · [\d.]+s · turn 1 · awaiting model/);
      expect(await t.exited()).toBe(0);
      expect(await readFile(join(ws, 'out.txt'), 'utf8')).toBe('ONLY THIS\n');
    },
    TERMINAL_TEST_MS,
  );
});

describe('not on a terminal', () => {
  it('batch prints plain lines and never loads Ink or React', async () => {
    const ws = await h.setup({}, () => ({ text: 'looks fine' }));
    const record = join(ws, 'imports.txt');
    const input = ['a', 'b'].map((d) => JSON.stringify({ description: d, prompt: d })).join('\n');
    const run = await spawnCollecting('--import', [RECORDER, BIN, 'batch', '-'], {
      cwd: ws,
      env: { PATH: process.env.PATH ?? '', HOME: ws, RECORD_IMPORTS_TO: record, ...modelEnv() },
      input,
    }).done;
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('[general-purpose: a] started on openai:gpt-5.5');
    expect(run.stderr).toMatch(/\[general-purpose: b\] completed in [\d.]+s/);
    expect(run.stderr).not.toContain('\u001b[');
    expect(await readFile(record, 'utf8')).not.toMatch(/node_modules\/(ink|react|yoga-layout|pino-pretty)\//);
  });
});

describe('demo progress', () => {
  it('prints each progress line once', async () => {
    const run = await runCli(['demo'], { cwd: await h.setup(), timeoutMs: 30_000 });
    expect(run.code).toBe(0);
    const progress = run.stdout.split('\n').filter((line) => line.startsWith('  ['));
    expect(progress.length).toBeGreaterThanOrEqual(9);
    expect(progress.filter((line, i) => progress.indexOf(line) !== i)).toEqual([]);
  });
});

describe('logs of serve', () => {
  const task = { subagent_type: 'general-purpose', description: 'say hi', prompt: 'say hi' };

  it('are JSON lines through a pipe, without loading pino-pretty', async () => {
    const ws = await h.setup({}, () => ({ text: 'hi' }));
    const record = join(ws, 'imports.txt');
    const server = spawnCollecting('--import', [RECORDER, BIN, 'serve', '--port', '0'], {
      cwd: ws,
      env: { PATH: process.env.PATH ?? '', HOME: ws, RECORD_IMPORTS_TO: record, ...modelEnv() },
    });
    const url = await poll(() => server.output().stderr.match(/codex-task API on (\S+)/)?.[1]);
    const res = await fetch(`${url}/v1/tasks?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(task),
    });
    expect(res.status).toBe(200);
    await poll(() => server.output().stderr.includes('"task finished"') || undefined);
    server.child.kill('SIGINT');
    const { stderr } = await server.done;
    const logs = stderr.split('\n').filter((line) => line.startsWith('{'));
    expect(logs.map((line) => JSON.parse(line).msg)).toEqual(
      expect.arrayContaining(['task started', 'task finished']),
    );
    const loaded = await readFile(record, 'utf8');
    expect(loaded).not.toMatch(/node_modules\/(pino-pretty|ink|react)\//);
  });

  onTerminal('on a terminal', () => {
    it(
      'are pretty lines',
      async () => {
        const ws = await h.setup({}, () => ({ text: 'hi' }));
        const t = await terminal(['serve', '--port', '0'], { cwd: ws, env: modelEnv(), columns: 160 });
        const screen = await t.waitFor(/codex-task API on /);
        const url = screen.join('\n').match(/codex-task API on (\S+)/)![1];
        await fetch(`${url}/v1/tasks?wait=true`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(task),
        });
        const logs = await t.waitFor(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: task finished \{/);
        expect(logs).toContainEqual(
          expect.stringMatching(
            /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: task started \{.*"model":"openai:gpt-5\.5"/,
          ),
        );
        expect(logs.join('\n')).not.toContain('{"level"');
        await t.keys('C-c');
        expect(await t.exited()).toBe(0);
      },
      TERMINAL_TEST_MS,
    );
  });
});

async function poll<T>(probe: () => T | undefined, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}
