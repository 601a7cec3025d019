import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RunLine, TerminalView, type ViewSize } from '../src/cli/live/index.ts';
import type { ScriptedRequest } from '../src/scripted-model/index.ts';
import { useInProcessCli } from './cli-in-process-support.ts';
import { waitFor } from './mcp-support.ts';
import { agentFile, useHarness } from './support.ts';

// The live views, in process, on a stand-in terminal (a stream that says it is one). The real
// terminal (tmux) is cli-live-view.test.ts's; these check what is drawn and when.
const h = useHarness();
const t = useInProcessCli();

/** A terminal as Ink sees one: a TTY stream of a given size that keeps what was written. */
class FakeTerminal extends Writable {
  readonly isTTY = true;
  columns = 100;
  rows = 20;
  written = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.written += String(chunk);
    done();
  }
  /** What was written, without the escape sequences that move the cursor and erase. */
  get text(): string {
    return stripVTControlCharacters(this.written);
  }
}
const terminal = () => new FakeTerminal() as FakeTerminal & NodeJS.WriteStream;

// A view loads Ink when it starts; loaded once here, a busy machine's first view is not late for its task.
beforeAll(() => import('../src/cli/live/ink-frame.ts'));

function script(req: ScriptedRequest) {
  if (req.turn === 0 && req.lastUserText === 'read')
    return { toolCalls: [{ name: 'Read', input: { file_path: 'a.txt' } }], latencyMs: 400 };
  return { text: `answer: ${req.lastUserText}`, latencyMs: 400 };
}

describe('TerminalView', () => {
  it('prints notes plainly until it is drawn, then redraws the frame in place with notes above it', async () => {
    const term = terminal();
    const sizes: ViewSize[] = [];
    let frames = 0;
    const view = new TerminalView(
      term,
      (size) => {
        sizes.push(size);
        return [
          [
            { text: `frame ${++frames}`, bold: true },
            { text: ' · live', color: 'cyan', dim: true },
          ],
        ];
      },
      { intervalMs: 10, delayMs: 0 },
    );
    view.note('before the view');
    expect(term.written).toBe('before the view\n');
    await waitFor(() => frames >= 3, 10_000, 'a few frames');
    expect(term.text).toMatch(/frame \d+ · live/);
    expect(sizes[0]).toMatchObject({ columns: 100 });
    view.note('a note above it');
    await waitFor(() => term.text.includes('a note above it'), 10_000, 'the note');
    const stopping = view.stop({ keep: true });
    expect(view.stop({ keep: false })).toBe(stopping);
    await stopping;
    const drawn = frames;
    await new Promise((done) => setTimeout(done, 50));
    expect(frames).toBe(drawn); // no more redraws
    expect(term.text.trimEnd()).toMatch(/frame \d+ · live$/);
  });

  it('stopped before it is drawn, it never loads Ink nor draws', async () => {
    const term = terminal();
    let drawn = false;
    const view = new TerminalView(
      term,
      () => {
        drawn = true;
        return [];
      },
      { delayMs: 30 },
    );
    await view.stop({ keep: false });
    await new Promise((done) => setTimeout(done, 60));
    expect(drawn).toBe(false);
    expect(term.written).toBe('');
  });
});

describe('RunLine', () => {
  it('shows the agent, model, elapsed time, turn and tokens of the task as it runs', async () => {
    await h.setup({ 'a.txt': 'hello' }, script);
    const engine = h.engine({ sandbox: { mode: 'off' } });
    const term = terminal();
    const line = new RunLine(engine, 'general-purpose', term);
    const seen: string[] = [];
    const watch = setInterval(() => seen.push(term.text), 20);
    try {
      const result = await engine.run({ description: 'd', prompt: 'read', subagent_type: 'general-purpose' });
      expect(result.status).toBe('completed');
      await line.stop();
    } finally {
      clearInterval(watch);
    }
    const shown = seen.join('\n');
    expect(shown).toMatch(/general-purpose · openai:gpt-5\.5 · [\d.]+s · turn 1 · awaiting model · \d+ tok/);
    expect(shown).toMatch(/turn 2 · awaiting model/);
    line.note('after the end');
    expect(term.text).toContain('after the end');
  });
});

describe('run and batch on a terminal, in process', () => {
  beforeEach(async () => {
    process.env.OPENAI_API_KEY = 'sk-test-abcdefghijklmnop';
    process.env.OPENAI_BASE_URL = h.model.baseUrls.openai;
    process.env.CODEX_TASK_SANDBOX = 'off';
    delete process.env.NO_COLOR;
    process.env.TERM = 'xterm-256color';
    // stderr is a pipe under the test runner: make it a terminal for the command.
    Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
  });
  afterEach(() => {
    delete (process.stderr as { isTTY?: boolean }).isTTY;
  });

  it('run draws a live line on stderr above which the progress notes print; stdout gets only the answer', async () => {
    const ws = await h.setup(
      { 'a.txt': 'hello', '.claude/agents/echo.md': agentFile({ name: 'echo', description: 'e' }) },
      script,
    );
    const run = await t.cli(['run', 'echo', 'read'], { cwd: ws });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('answer: read\n');
    const stderr = stripVTControlCharacters(run.stderr);
    expect(stderr).toContain('[echo: read] started on openai:gpt-5.5');
    expect(stderr).toContain('[echo] Read');
    expect(stderr).toMatch(/echo · openai:gpt-5\.5 · [\d.]+s · turn \d/);
    expect(stderr).toMatch(/completed · echo · openai:gpt-5\.5/);
  });

  it('batch draws the live view with its counts, keeps the last frame, and prints the summary', async () => {
    const ws = await h.setup(
      { '.claude/agents/echo.md': agentFile({ name: 'echo', description: 'e' }) },
      script,
    );
    const file = join(ws, 'tasks.json');
    await writeFile(
      file,
      JSON.stringify(
        ['one', 'two', 'three'].map((p) => ({ subagent_type: 'echo', description: p, prompt: p })),
      ),
    );
    const run = await t.cli(['batch', file, '--concurrency', '2'], { cwd: ws });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('## echo: two\nanswer: two');
    const stderr = stripVTControlCharacters(run.stderr);
    expect(stderr).toMatch(/batch · 3 done · 0 running · 0 queued/);
    expect(stderr).toContain('3 task(s): 3 completed, 0 not');
    // No plain state lines on a terminal: the view shows the states.
    expect(stderr).not.toContain('[echo: one] started on');
  });
});
