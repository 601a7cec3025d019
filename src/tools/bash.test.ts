import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolExecutionError } from '../errors/index.ts';
import { bashTool, createBashTool } from './bash.ts';
import { makeWorkspace, type TestWorkspace } from './testing.ts';

// The process-group mechanics, outside the OS sandbox: these tests follow the commands' PIDs, which
// inside the sandbox's PID namespace mean other processes. bash-sandbox.test.ts runs the same
// behaviours sandboxed.
const UNSANDBOXED = { mode: 'off' } as const;

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await makeWorkspace({ sandbox: UNSANDBOXED });
});
afterEach(() => ws.cleanup());

/**
 * Whether a process still runs. A zombie counts as gone: where PID 1 does not reap orphans (as in
 * minimal containers) a killed grandchild stays a zombie forever, but it runs nothing.
 */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

/** Waits until the command has written `count` PIDs to the file `pids` in the workspace. */
async function pidsWritten(count: number): Promise<number[]> {
  for (let i = 0; i < 200; i++) {
    const text = await readFile(path.join(ws.root, 'pids'), 'utf8').catch(() => '');
    const pids = text.split('\n').filter(Boolean).map(Number);
    if (pids.length >= count) return pids;
    await sleep(25);
  }
  throw new Error('the command never wrote its PIDs');
}

/** bash itself, a background job, a job started by a subshell that exited, and an exec'd child. */
const PROCESS_TREE =
  "echo $$ > pids; sleep 30 & echo $! >> pids; ( sleep 30 & echo $! >> pids ); sh -c 'echo $$ >> pids; exec sleep 30'";

describe('Bash', () => {
  it('merges stdout and stderr in the order they were written', async () => {
    const out = await bashTool.execute({ command: 'echo a; echo b >&2; echo c; echo d >&2' }, ws.ctx);
    expect(out).toBe('a\nb\nc\nd');
  });

  it('reports a non-zero exit code, and says when there was no output', async () => {
    expect(await bashTool.execute({ command: 'echo hi; exit 7' }, ws.ctx)).toBe('hi\nExit code 7');
    expect(await bashTool.execute({ command: 'true' }, ws.ctx)).toBe('(Command completed with no output)');
    expect(await bashTool.execute({ command: 'false' }, ws.ctx)).toBe('Exit code 1');
  });

  it('reports syntax errors with their real line numbers', async () => {
    const out = await bashTool.execute({ command: 'echo ok\nif then fi' }, ws.ctx);
    expect(out).toMatch(/^ok\n.*line 2: syntax error/s);
    expect(out).toMatch(/Exit code 2$/);
  });

  it('runs in the workspace, with stdin closed and the parent environment', async () => {
    process.env.CODEX_TASK_BASH_TEST = 'inherited';
    try {
      const out = await bashTool.execute({ command: 'pwd; cat; echo "$CODEX_TASK_BASH_TEST"' }, ws.ctx);
      expect(out).toBe(`${ws.root}\ninherited`);
    } finally {
      delete process.env.CODEX_TASK_BASH_TEST;
    }
  });

  it('caps the output, keeping the beginning and the end', async () => {
    const capped = await makeWorkspace({ limits: { bashOutputLimitBytes: 1000 }, sandbox: UNSANDBOXED });
    try {
      const out = await bashTool.execute({ command: 'seq 1 20000' }, capped.ctx);
      expect(out.startsWith('1\n2\n3\n')).toBe(true);
      expect(out.endsWith('19999\n20000')).toBe(true);
      expect(out).toMatch(
        /\[\.\.\. \d+ bytes of output omitted \(the output was 108894 bytes; the limit is 1000\) \.\.\.\]/,
      );
      expect(out.length).toBeLessThan(1200);
    } finally {
      await capped.cleanup();
    }
  });

  it('times out at min(timeout, max), stops everything, and returns the output so far', async () => {
    const limited = await makeWorkspace({ limits: { bashMaxTimeoutMs: 300 }, sandbox: UNSANDBOXED });
    try {
      const started = performance.now();
      const error = await bashTool
        .execute({ command: 'echo started; sleep 30', timeout: 60_000 }, limited.ctx)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ToolExecutionError);
      expect((error as Error).message).toMatch(
        /^Command timed out after 300 ms.*\nOutput before the timeout:\nstarted$/s,
      );
      expect((error as ToolExecutionError).hint).toMatch(/at most 300 ms/);
      // Stopped at the 300 ms cap: not before it, and not after the 60 s asked for or the 30 s sleep.
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(15_000);
    } finally {
      await limited.cleanup();
    }
  });

  it('on abort, kills the whole process tree: no process survives', async () => {
    const controller = new AbortController();
    const ctx = { ...ws.ctx, signal: controller.signal };
    const running = bashTool.execute({ command: PROCESS_TREE }, ctx);
    const pids = await pidsWritten(4);
    expect(pids.every(isRunning)).toBe(true);
    controller.abort(new Error('cancelled by test'));
    await expect(running).rejects.toThrow('cancelled by test');
    expect(pids.filter(isRunning)).toEqual([]);
  });

  it('escalates to SIGKILL when processes ignore SIGTERM', async () => {
    const tool = createBashTool({ killGraceMs: 200 });
    const command = `trap '' TERM; ${PROCESS_TREE}`;
    const started = performance.now();
    const running = tool.execute({ command, timeout: 400 }, ws.ctx).catch((e: unknown) => e);
    const pids = await pidsWritten(4);
    expect(await running).toBeInstanceOf(ToolExecutionError);
    expect(pids.filter(isRunning)).toEqual([]);
    // Ended by the timeout and the kill 200 ms after it, not by the 30 s sleeps running out.
    expect(performance.now() - started).toBeLessThan(15_000);
  });

  it('stops background processes a finished command left behind', async () => {
    const out = await bashTool.execute({ command: 'sleep 30 & echo $!' }, ws.ctx);
    const [pid, note] = out.split('\n');
    expect(note).toMatch(/left running in the background were stopped/);
    expect(isRunning(Number(pid))).toBe(false);
  });
});
