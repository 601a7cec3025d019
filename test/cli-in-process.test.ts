import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.ts';
import { runDemo } from '../src/demo/index.ts';
import { agentFile, makeWorkspace } from './support.ts';

// The subprocess tests (cli-*.test.ts) prove the real binary; these run the same code in-process so
// coverage sees it, capturing what it writes.
function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation(
    (chunk: string | Uint8Array) => out.push(String(chunk)) > 0,
  );
  vi.spyOn(process.stderr, 'write').mockImplementation(
    (chunk: string | Uint8Array) => err.push(String(chunk)) > 0,
  );
  return { out: () => out.join(''), err: () => err.join('') };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('command line, in process', () => {
  it('prints the version and exits 0', async () => {
    const io = capture();
    expect(await main(['--version'])).toBe(0);
    expect(io.out()).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('exits 2 on an unknown command or bad flag value', async () => {
    const io = capture();
    expect(await main(['frobnicate'])).toBe(2);
    expect(await main(['scripted-model', '--port', 'x'])).toBe(2);
    expect(await main(['run', 'a', 'b', '--timeout', '-5'])).toBe(2);
    expect(io.err()).toContain('--port must be 0..65535');
    expect(io.err()).toContain("--timeout must be a positive duration, got '-5'");
  });

  it('validates agent files and lists agents', async () => {
    const ws = await makeWorkspace({
      '.claude/agents/ok.md': agentFile({ name: 'ok', description: 'fine', tools: 'Read', model: 'haiku' }),
      '.claude/agents/bad.md': agentFile({ name: 'Bad Name', description: 'x' }),
    });
    const cwd = process.cwd();
    process.chdir(ws);
    try {
      const io = capture();
      expect(await main(['agents', 'validate'])).toBe(1);
      expect(io.out()).toMatch(/error .*bad\.md:\d+ \[name\]/);
      const before = io.out().length;
      expect(await main(['agents', 'list', '--json'])).toBe(0);
      const listed = JSON.parse(io.out().slice(before));
      expect(listed.find((a: { name: string }) => a.name === 'ok')).toMatchObject({
        scope: 'project',
        model: 'haiku',
        tools: ['Read'],
      });
    } finally {
      process.chdir(cwd);
    }
  });

  it('runs the demo and reports all three tasks', async () => {
    let text = '';
    const out = new Writable({
      write(chunk, _enc, done) {
        text += chunk;
        done();
      },
    });
    expect(await runDemo({ out })).toBe(0);
    expect(text).toContain('3 of 3 tasks completed');
    for (const agent of ['reviewer', 'test-runner', 'doc-writer'])
      expect(text).toContain(`── ${agent}: completed`);
  }, 30_000);
});
