import { readFileSync } from 'node:fs';
import { readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import type { ScriptedRequest } from '../src/scripted-model/index.ts';
import { agentFile, makeWorkspace, processAlive, useHarness } from './support.ts';

const h = useHarness();

/** Calls one tool on the first turn, then reports the tool result it got back. */
function callThenReport(name: string, input: object) {
  return (req: ScriptedRequest) =>
    req.turn === 0 ? { toolCalls: [{ name, input }] } : { text: `tool said: ${req.toolResults[0]?.output}` };
}

describe('tool access is enforced by the runtime', () => {
  it('offers only the granted tools and refuses a call to any other', async () => {
    await h.setup(
      {
        '.claude/agents/reader.md': agentFile({
          name: 'reader',
          description: 'reads only',
          tools: 'Read, Grep',
        }),
      },
      callThenReport('Bash', { command: 'touch pwned' }),
    );
    const result = await h
      .engine()
      .run({ description: 'try bash', prompt: 'run something', subagent_type: 'reader' });

    expect(h.model.requests[0]!.tools.sort()).toEqual(['Grep', 'Read']);
    expect(result.status).toBe('completed');
    expect(result.content).toMatch(/tool said: .*Bash/);
    expect(result.toolStats.Bash).toMatchObject({ calls: 1, denied: 1 });
    await expect(readFile(join(h.workspace, 'pwned'))).rejects.toThrow();
  });

  it('applies disallowedTools on top of all tools', async () => {
    await h.setup(
      {
        '.claude/agents/no-shell.md': agentFile({
          name: 'no-shell',
          description: 'everything but Bash',
          disallowedTools: 'Bash, Write',
        }),
      },
      () => ({ text: 'ok' }),
    );
    await h.engine().run({ description: 'x', prompt: 'x', subagent_type: 'no-shell' });
    const offered = h.model.requests[0]!.tools;
    expect(offered).toContain('Read');
    expect(offered).toContain('Edit');
    expect(offered).not.toContain('Bash');
    expect(offered).not.toContain('Write');
  });

  it('Explore is read-only', async () => {
    await h.setup({}, () => ({ text: 'ok' }));
    await h.engine().run({ description: 'x', prompt: 'x', subagent_type: 'Explore' });
    const offered = h.model.requests[0]!.tools;
    expect(offered).toContain('Read');
    for (const writer of ['Write', 'Edit', 'MultiEdit', 'Bash', 'Task'])
      expect(offered).not.toContain(writer);
  });

  for (const [name, path] of [
    ['a .. escape', '../outside-secret.txt'],
    ['an absolute path outside', '/etc/hostname'],
    ['a symlink pointing outside', 'link-out'],
  ] as const) {
    it(`refuses ${name} and tells the model why`, async () => {
      const outside = await makeWorkspace({ 'secret.txt': 'TOP-SECRET' });
      const ws = await h.setup({}, callThenReport('Read', { file_path: path }));
      // Next to the workspace, in the shared temp directory: removed again whatever the outcome.
      const besideWorkspace = join(ws, '..', 'outside-secret.txt');
      onTestFinished(() => rm(besideWorkspace, { force: true }));
      await writeFile(besideWorkspace, 'TOP-SECRET').catch(() => undefined);
      await symlink(join(outside, 'secret.txt'), join(ws, 'link-out'));
      const result = await h.engine().run({ description: 'escape', prompt: 'read it' });

      expect(result.content).not.toContain('TOP-SECRET');
      expect(result.content).toMatch(/outside the workspace|not allowed|denied/i);
      expect(result.toolStats.Read).toMatchObject({ calls: 1, errors: 1, denied: 1 });
    });
  }

  it('kills the whole Bash process tree when the task is cancelled', async () => {
    const ws = await h.setup({}, (req) =>
      req.turn === 0
        ? {
            toolCalls: [
              { name: 'Bash', input: { command: 'sleep 30 & echo $! > bg.pid; echo $$ > sh.pid; sleep 30' } },
            ],
          }
        : { text: 'never' },
    );
    const cancel = new AbortController();
    // Unsandboxed: the PIDs written are checked on the host (in the sandbox they are its own PIDs);
    // test/engine-sandbox.test.ts cancels a sandboxed command.
    const engine = h.engine({ sandbox: { mode: 'off' } });
    const running = engine.run({ description: 'sleep', prompt: 'sleep' }, { signal: cancel.signal });
    // Cancelled once both processes are known to run: the shell has written both PIDs.
    const pidOf = (f: string) => Number(/^(\d+)\n$/.exec(readFileSync(join(ws, f), 'utf8'))?.[1]);
    const pids = await vi.waitFor(
      () => {
        const found = ['bg.pid', 'sh.pid'].map(pidOf);
        expect(found.every((pid) => pid > 1)).toBe(true);
        return found;
      },
      { timeout: 10_000, interval: 20 },
    );
    expect(pids.filter(processAlive)).toEqual(pids); // the liveness check itself works
    cancel.abort();
    const result = await running;

    expect(result.status).toBe('cancelled');
    // Both would sleep for 30 s: gone within the wait means they were killed.
    await vi.waitFor(() => expect(pids.filter(processAlive)).toEqual([]), { timeout: 10_000, interval: 20 });
  });
});
