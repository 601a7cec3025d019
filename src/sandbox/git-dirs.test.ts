import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bwrapArgs, gitDirsOutside } from './index.ts';
import { testGit } from './testing.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function repo(): Promise<string> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'codex-task-gitdirs-')));
  dirs.push(dir);
  testGit(dir, 'init', '-q');
  await writeFile(join(dir, 'a.txt'), 'a\n');
  await mkdir(join(dir, 'pkg'));
  await writeFile(join(dir, 'pkg', 'p.txt'), 'p\n');
  testGit(dir, 'add', '.');
  testGit(dir, 'commit', '-qm', 'first');
  return dir;
}

describe("the sandbox shows a workspace's git directories outside it, read-only", () => {
  it('a linked worktree: its git directory and the common one (which may hold the worktree)', async () => {
    const dir = await repo();
    const worktree = join(dir, '.git', 'codex-task-worktrees', 't');
    testGit(dir, 'worktree', 'add', '-q', '-b', 'codex-task/t', worktree);
    expect(gitDirsOutside(worktree)).toEqual([join(dir, '.git', 'worktrees', 't'), join(dir, '.git')]);
  });

  it("a repository's subdirectory: the repository's .git; the repository itself: nothing", async () => {
    const dir = await repo();
    expect(gitDirsOutside(join(dir, 'pkg'))).toEqual([join(dir, '.git')]);
    expect(gitDirsOutside(dir)).toEqual([]);
  });

  it('a .git file naming a directory that is no git directory: nothing', async () => {
    const dir = await realpath(await mkdtemp(join(tmpdir(), 'codex-task-gitdirs-')));
    dirs.push(dir);
    await mkdir(join(dir, 'ws'));
    await writeFile(join(dir, 'ws', '.git'), `gitdir: ${dir}\n`);
    expect(gitDirsOutside(join(dir, 'ws'))).toEqual([]);
  });

  it('binds them before the workspace, so a workspace inside one stays writable', () => {
    const args = bwrapArgs({
      workspaceRoot: '/r/.git/codex-task-worktrees/t',
      homeDir: undefined,
      network: false,
      hidden: [],
      gitDirs: ['/r/.git/worktrees/t', '/r/.git'],
    }).join(' ');
    expect(args).toContain(
      '--ro-bind-try /r/.git/worktrees/t /r/.git/worktrees/t --ro-bind-try /r/.git /r/.git --bind /r/.git/codex-task-worktrees/t /r/.git/codex-task-worktrees/t',
    );
  });
});
