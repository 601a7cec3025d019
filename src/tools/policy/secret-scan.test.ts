import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolDeniedError } from '../../errors/index.ts';
import { describeWithSandbox } from '../../sandbox/testing.ts';
import { bashTool } from '../bash.ts';
import { makeWorkspace } from '../testing.ts';
import { agentPolicy } from './agent-policy.ts';
import { loadPermissionPolicy } from './permission-policy.ts';
import { secretPaths } from './secret-paths.ts';

// Finding 3 of the queue review: the secret scan before every sandboxed command walked the
// workspace synchronously; 900,000 files held a worker's event loop 3.3 s, past the 2 s stall
// timeout, and other tasks on that worker lost their job locks and ran again.

let root: string;
let home: string;
beforeAll(async () => {
  root = await realpath(await mkdtemp(path.join(tmpdir(), 'codex-task-scan-')));
  home = path.join(root, 'home');
  await mkdir(path.join(root, 'ws', 'deep', 'er'), { recursive: true });
  await mkdir(home);
  // 60,000 files in two directories (a single big one is read in slices too), a secret deep down.
  execFileSync(
    'sh',
    [
      '-c',
      'mkdir a b && (cd a && seq -f f%.0f 1 40000 | xargs touch) && (cd b && seq -f g%.0f 1 20000 | xargs touch)',
    ],
    {
      cwd: path.join(root, 'ws'),
    },
  );
  await writeFile(path.join(root, 'ws', 'deep', 'er', '.env'), 'TOKEN=hidden-secret\n');
  // 60,000 files made: slow I/O on a loaded machine, a hang guard only.
}, 60_000);
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/**
 * Runs `work` while timing the event loop: its longest block (the longest gap between two turns of
 * a 1 ms timer), and the turns it took meanwhile.
 */
async function watched<T>(work: () => Promise<T>) {
  let turns = 0;
  let maxBlockMs = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    maxBlockMs = Math.max(maxBlockMs, now - last);
    last = now;
    turns++;
  }, 1);
  const started = performance.now();
  try {
    const value = await work();
    const now = performance.now();
    return { value, elapsedMs: now - started, maxBlockMs: Math.max(maxBlockMs, now - last), turns };
  } finally {
    clearInterval(ticker);
  }
}

describeWithSandbox('the secret scan before a sandboxed command', () => {
  it('gives the event loop back while it walks a big workspace, and still hides the secret it finds', async () => {
    const ws = path.join(root, 'ws');
    const policy = agentPolicy(
      loadPermissionPolicy({ cwd: ws, homeDir: home, config: {} }),
      { name: 'a' },
      ws,
    );
    const tools = await makeWorkspace();
    try {
      const ctx = {
        ...tools.ctx,
        workspaceRoot: ws,
        permissions: policy.permissions,
        sandbox: { mode: 'require' as const, homeDir: home },
      };
      const run = await watched(() =>
        bashTool.execute({ command: 'cat deep/er/.env || echo unreadable; ls a | wc -l' }, ctx),
      );
      expect(String(run.value)).toMatch(/unreadable[\s\S]*40000/);
      expect(String(run.value)).not.toContain('hidden-secret');
      // Ratios and counts, not wall-clock luck: the longest block is a small part of the whole
      // (the sync walk was one block of all of it), and the loop turned many times meanwhile.
      expect(run.maxBlockMs).toBeLessThan(run.elapsedMs / 3);
      expect(run.turns).toBeGreaterThanOrEqual(5);
    } finally {
      await tools.cleanup();
    }
  });
});

describe('the secret scan’s bound', () => {
  it('refuses (fails closed) past its entry limit, both ways, rather than hide only what it saw', async () => {
    const ws = path.join(root, 'ws');
    const secrets = secretPaths(['.env'], [], { cwd: ws, home, root: ws }, 1_000);
    expect(() => secrets.existing()).toThrow(ToolDeniedError);
    await expect(secrets.findExisting()).rejects.toThrow(/over 1,000 files and directories/);
    // Under the limit (and the real one) the same secret is found both ways.
    const all = secretPaths(['.env'], [], { cwd: ws, home, root: ws });
    expect(await all.findExisting()).toEqual(all.existing());
    expect(all.existing()).toEqual([path.join(ws, 'deep', 'er', '.env')]);
  });

  it('stops when its task is cancelled', async () => {
    const ws = path.join(root, 'ws');
    const secrets = secretPaths(['.env'], [], { cwd: ws, home, root: ws });
    await expect(secrets.findExisting(AbortSignal.abort(new Error('cancelled')))).rejects.toThrow(
      'cancelled',
    );
  });
});
