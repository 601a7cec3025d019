import { existsSync } from 'node:fs';
import { mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatResultForModel } from '../src/engine/index.ts';
import { describeWithSandbox, testGit } from '../src/sandbox/testing.ts';
import type { ScriptedRequest } from '../src/scripted-model/index.ts';
import { agentFile, makeWorkspace, removeWhenDone, useHarness } from './support.ts';

const h = useHarness();

/** Makes the harness's workspace a real repository with `files` committed (and `.env` ignored). */
async function commitAll(ws: string): Promise<string> {
  await rm(join(ws, '.git'), { recursive: true, force: true });
  await writeFile(join(ws, '.gitignore'), '.env\n');
  testGit(ws, 'init', '-q');
  testGit(ws, 'add', '.');
  testGit(ws, 'commit', '-qm', 'first');
  return testGit(ws, 'rev-parse', 'HEAD').trim();
}

const branches = (ws: string) => testGit(ws, 'branch', '--list', '--format=%(refname:short)');

/** One tool call on the first turn, then the tool's output as the final answer. */
function toolThenReport(name: string, input: Record<string, unknown>) {
  return (req: ScriptedRequest) =>
    req.turn === 0 ? { toolCalls: [{ name, input }] } : { text: `tool said: ${req.toolResults[0]?.output}` };
}

describe('isolation: "worktree"', () => {
  it('runs the subagent in a worktree on its own branch: what it writes is there, not in the checkout', async () => {
    const ws = await h.setup(
      { 'a.txt': 'one\n' },
      toolThenReport('Write', { file_path: 'new.txt', content: 'hello\nworld\n' }),
    );
    const base = await commitAll(ws);
    const result = await h
      .engine()
      .run({ description: 'write', prompt: 'write a file', isolation: 'worktree' });
    expect(result.status).toBe('completed');
    const path = join(ws, '.git', 'codex-task-worktrees', result.taskId);
    expect(result.worktree).toEqual({
      path,
      branch: `codex-task/${result.taskId}`,
      base,
      changed: true,
      kept: true,
      summary: '1 file changed (1 new), 2 insertions(+)',
    });
    expect(await readFile(join(path, 'new.txt'), 'utf8')).toBe('hello\nworld\n');
    expect(existsSync(join(ws, 'new.txt'))).toBe(false);
    expect(testGit(ws, 'status', '--porcelain')).toBe('');
    expect(testGit(path, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe(`codex-task/${result.taskId}`);
    // The subagent was told where it works; its caller is told where the work is.
    expect(h.model.requests[0]!.system).toContain(path);
    expect(formatResultForModel(result)).toContain(
      `worktree: ${path} (branch codex-task/${result.taskId}: 1 file changed (1 new), 2 insertions(+)). The changes are there, not in your working directory.`,
    );
  });

  it("removes the worktree and its branch after a read-only subagent (the agent file's isolation: worktree)", async () => {
    const ws = await h.setup(
      {
        'a.txt': 'one\n',
        '.claude/agents/reader.md': agentFile({
          name: 'reader',
          description: 'reads',
          isolation: 'worktree',
        }),
      },
      toolThenReport('Read', { file_path: 'a.txt' }),
    );
    await commitAll(ws);
    const result = await h
      .engine()
      .run({ description: 'read', prompt: 'read a.txt', subagent_type: 'reader' });
    expect(result.status).toBe('completed');
    expect(result.content).toContain('one');
    expect(result.worktree).toMatchObject({ changed: false, kept: false, summary: 'no changes' });
    expect(existsSync(result.worktree!.path)).toBe(false);
    expect(branches(ws)).not.toContain('codex-task/');
    expect(testGit(ws, 'worktree', 'list', '--porcelain')).not.toContain('codex-task-worktrees');
    expect(existsSync(join(ws, '.git', 'codex-task-worktrees', `${result.taskId}.json`))).toBe(false);
    expect(formatResultForModel(result)).not.toContain('worktree:');
  });

  it('continues a follow-up (SendMessage) in the kept worktree', async () => {
    const ws = await h.setup({ 'a.txt': 'one\n' }, (req) =>
      req.turn === 0 && req.lastUserText === 'write'
        ? { toolCalls: [{ name: 'Write', input: { file_path: 'new.txt', content: 'x\n' } }] }
        : { text: `done in ${req.system.includes('codex-task-worktrees') ? 'worktree' : 'checkout'}` },
    );
    await commitAll(ws);
    const engine = h.engine();
    const first = await engine.run({ description: 'write', prompt: 'write', isolation: 'worktree' });
    expect(first.worktree?.kept).toBe(true);
    const follow = await engine.sendMessage(first.agentId, 'and now?').result;
    expect(follow.content).toBe('done in worktree');
    expect(follow.worktree).toMatchObject({
      path: first.worktree!.path,
      branch: first.worktree!.branch,
      kept: true,
    });
    // Once the user removed it, a follow-up says so instead of running nowhere.
    testGit(ws, 'worktree', 'remove', '--force', first.worktree!.path);
    const late = await engine.sendMessage(first.agentId, 'still there?').result;
    expect(late.status).toBe('failed');
    expect(late.error).toMatchObject({
      type: 'WorktreeUnavailable',
      message: `No git worktree for ${first.worktree!.path}: the worktree this task worked in has been removed`,
    });
  });

  it('fails with WorktreeUnavailable outside a git repository, naming the directory and the fix', async () => {
    const ws = await h.setup({}, () => ({ text: 'should not run' }));
    // makeWorkspace's `.git` is an empty directory: no repository.
    const result = await h.engine().run({ description: 'x', prompt: 'x', isolation: 'worktree' });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({
      type: 'WorktreeUnavailable',
      message: `No git worktree for ${ws}: it is not inside a git repository`,
      hint: expect.stringContaining('Run the task in a git repository (git init, then a first commit)'),
      details: { directory: ws, problem: 'it is not inside a git repository' },
    });
    expect(result.worktree).toBeUndefined();
    expect(h.model.requests).toHaveLength(0);
  });

  describeWithSandbox('with bubblewrap', () => {
    it('runs git status and git diff in the sandboxed Bash; the checkout and its .git stay untouched', async () => {
      const ws = await h.setup({ 'a.txt': 'one\n' });
      h.model.setHandler(
        toolThenReport('Bash', {
          command: `echo two >> a.txt; git status --short; git diff --stat; git rev-parse --abbrev-ref HEAD; touch ${ws}/.git/planted ${ws}/planted; git commit -qam sneaky; echo end`,
        }),
      );
      const before = await commitAll(ws);
      // A home of its own: the harness's home is the workspace, which would show the checkout.
      const home = await makeWorkspace();
      const result = await h
        .engine({ homeDir: home })
        .run({ description: 'git', prompt: 'use git', isolation: 'worktree' });
      const said = result.content;
      expect(said).toContain(' M a.txt');
      expect(said).toMatch(/a\.txt \| 1 \+\n 1 file changed, 1 insertion\(\+\)/);
      expect(said).toContain(`codex-task/${result.taskId}`);
      expect(said).toMatch(/planted'?: Read-only file system/);
      expect(said).toMatch(/index\.lock'?: Read-only file system/);
      expect(said).toMatch(/end$/);
      expect(existsSync(join(ws, '.git', 'planted'))).toBe(false);
      expect(existsSync(join(ws, 'planted'))).toBe(false);
      expect(testGit(ws, 'status', '--porcelain')).toBe('');
      expect(testGit(ws, 'rev-parse', 'HEAD').trim()).toBe(before);
      expect(result.worktree).toMatchObject({
        changed: true,
        kept: true,
        summary: '1 file changed, 1 insertion(+)',
      });
      expect(await readFile(join(result.worktree!.path, 'a.txt'), 'utf8')).toBe('one\ntwo\n');
    });

    it("keeps the checkout's secrets hidden from the worktree's Bash, and from its subagents'", async () => {
      // Outside /tmp, which the sandbox replaces: there the whole checkout would be out of sight anyway.
      const ws = await realpath(await mkdtemp('/var/tmp/codex-task-worktree-'));
      removeWhenDone(ws);
      await writeFile(join(ws, 'a.txt'), 'one\n');
      const bash = { name: 'Bash', input: { command: `cat ${ws}/a.txt ${ws}/.env; echo end` } };
      const child = { description: 'child', prompt: 'child-run', subagent_type: 'general-purpose' };
      await h.setup({}, (req) => {
        const isChild = req.messages.some((m) => JSON.stringify(m).includes('child-run'));
        if (req.turn === 0) return { toolCalls: isChild ? [bash] : [bash, { name: 'Task', input: child }] };
        return { text: req.toolResults.map((r) => r.output).join('\n---\n') };
      });
      await commitAll(ws);
      await writeFile(join(ws, '.env'), 'TOKEN=SECRET-CANARY\n');
      const result = await h
        .engine({ cwd: ws })
        .run({ description: 'x', prompt: 'x', isolation: 'worktree' });
      const [own, nested] = result.content.split('\n---\n');
      for (const said of [own, nested]) {
        expect(said).toMatch(/^one\n.*\.env: Permission denied\nend/s);
      }
      expect(result.content).not.toContain('SECRET-CANARY');
      expect(result.worktree).toMatchObject({ changed: false, kept: false });
    });
  });
});
