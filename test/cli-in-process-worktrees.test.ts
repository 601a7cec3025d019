import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testGit } from '../src/sandbox/testing.ts';
import { createWorktree } from '../src/worktree/index.ts';
import { useInProcessCli } from './cli-in-process-support.ts';

const cli = useInProcessCli();

/** A repository with one commit, and two task worktrees: `aaa111` changed (a new file), `bbb222` not. */
async function repoWithWorktrees() {
  const ws = await cli.workspace({ 'a.txt': 'one\n' });
  await rm(join(ws, '.git'), { recursive: true, force: true });
  testGit(ws, 'init', '-q');
  testGit(ws, 'add', '.');
  testGit(ws, 'commit', '-qm', 'first');
  const changed = await createWorktree({
    cwd: ws,
    taskId: 'aaa111',
    agentType: 'writer',
    description: 'add b',
  });
  await writeFile(join(changed.record.path, 'b.txt'), 'b\n');
  const clean = await createWorktree({ cwd: ws, taskId: 'bbb222' });
  return { ws, changed: changed.record, clean: clean.record };
}

const branches = (ws: string) => testGit(ws, 'branch', '--list', '--format=%(refname:short)');

describe('codex-task worktrees', () => {
  it('lists the task worktrees of the repository: id, branch, changes, created, path', async () => {
    const { ws, changed, clean } = await repoWithWorktrees();
    const listed = await cli.cli(['worktrees', 'list'], { cwd: ws });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(
      'aaa111  codex-task/aaa111  changed, uncommitted: 1 file changed (1 new), 1 insertion(+)',
    );
    expect(listed.stdout).toContain('bbb222  codex-task/bbb222  unchanged');
    expect(listed.stdout).toMatch(/ {2}created \d{4}-\d\d-\d\dT\S+ by writer\n {2}add b\n/);
    expect(listed.stdout).toContain(`  ${changed.path}\n`);

    const json = await cli.cli(['worktrees', 'list', '--json', '-C', ws]);
    expect(JSON.parse(json.stdout)).toMatchObject([
      { taskId: 'aaa111', branch: 'codex-task/aaa111', path: changed.path, changed: true, uncommitted: true },
      { taskId: 'bbb222', path: clean.path, changed: false, summary: 'no changes', missing: false },
    ]);
  });

  it('says so when there are none', async () => {
    const ws = await cli.workspace();
    await rm(join(ws, '.git'), { recursive: true, force: true });
    testGit(ws, 'init', '-q');
    const listed = await cli.cli(['worktrees', 'list'], { cwd: ws });
    expect(listed).toMatchObject({ code: 0, stdout: expect.stringContaining(`No task worktrees in ${ws}.`) });
  });

  it('removes one by id or branch; refuses uncommitted work without --force', async () => {
    const { ws, changed, clean } = await repoWithWorktrees();
    const refused = await cli.cli(['worktrees', 'remove', 'aaa'], { cwd: ws });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`error: kept aaa111: codex-task/aaa111 has uncommitted changes`);
    expect(refused.stderr).toContain('or remove it anyway with --force.');
    expect(existsSync(changed.path)).toBe(true);

    const forced = await cli.cli(['worktrees', 'remove', 'codex-task/aaa111', '--force'], { cwd: ws });
    expect(forced).toMatchObject({
      code: 0,
      stdout: `removed ${changed.path} and its branch codex-task/aaa111\n`,
    });
    expect(existsSync(changed.path)).toBe(false);
    expect(branches(ws)).not.toContain('codex-task/aaa111');

    expect((await cli.cli(['worktrees', 'remove', 'bbb222'], { cwd: ws })).code).toBe(0);
    expect(existsSync(clean.path)).toBe(false);
    expect(branches(ws)).not.toContain('codex-task/');
  });

  it('removes all that can go with --all, and says which it kept', async () => {
    const { ws, changed, clean } = await repoWithWorktrees();
    const all = await cli.cli(['worktrees', 'remove', '--all'], { cwd: ws });
    expect(all.code).toBe(1);
    expect(all.stdout).toBe(`removed ${clean.path} and its branch codex-task/bbb222\n`);
    expect(all.stderr).toContain('kept aaa111');
    expect(existsSync(changed.path)).toBe(true);
    expect((await cli.cli(['worktrees', 'remove', '--all', '--force'], { cwd: ws })).code).toBe(0);
    expect(testGit(ws, 'worktree', 'list', '--porcelain')).not.toContain('codex-task-worktrees');
  });

  it('explains a missing or unknown id, and a directory outside any repository', async () => {
    const { ws } = await repoWithWorktrees();
    const none = await cli.cli(['worktrees', 'remove'], { cwd: ws });
    expect(none).toMatchObject({ code: 2, stderr: expect.stringContaining('error: which worktree?') });
    const unknown = await cli.cli(['worktrees', 'remove', 'zzz'], { cwd: ws });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`error: no task worktree 'zzz' in ${ws}`);
    expect(unknown.stderr).toContain('fix: codex-task worktrees list shows their ids and branches.');

    const plain = await cli.workspace();
    const outside = await cli.cli(['worktrees', 'list'], { cwd: plain });
    expect(outside.code).toBe(1);
    expect(outside.stderr).toContain(
      `error: No git worktree for ${plain}: it is not inside a git repository`,
    );
    expect(outside.stderr).toContain(
      'fix: codex-task worktrees works on the git repository of the current directory',
    );
  });
});
