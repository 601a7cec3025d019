import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { killProcessGroup, processGroupAlive, runInProcessGroup } from './process-group.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'codex-task-pgroup-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const options = (cwd: string) => ({
  cwd,
  timeoutMs: 10_000,
  signal: new AbortController().signal,
  outputLimitBytes: 10_000,
  killGraceMs: 1_000,
});

describe('process groups', () => {
  it('a command whose working directory is gone fails to start, with the reason', async () => {
    await expect(runInProcessGroup('echo hi', options(path.join(dir, 'removed')))).rejects.toMatchObject({
      code: 'ENOENT',
    });
    // The same command where the directory exists runs.
    await expect(runInProcessGroup('echo hi', options(dir))).resolves.toMatchObject({
      output: 'hi\n',
      exitCode: 0,
      strayProcessesKilled: false,
    });
  });

  it('stopping a group that has already exited returns at once', async () => {
    const child = spawn('true', { detached: true, stdio: 'ignore' });
    await once(child, 'exit');
    expect(processGroupAlive(child.pid!)).toBe(false);
    await killProcessGroup(child.pid!, 60_000);
    expect(processGroupAlive(child.pid!)).toBe(false);
  });
});
