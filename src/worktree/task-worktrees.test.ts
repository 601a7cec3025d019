import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WorktreeUnavailableError } from '../errors/index.ts';
import { testGit } from '../sandbox/testing.ts';
import {
  createWorktree,
  findWorktrees,
  listWorktrees,
  removeWorktree,
  worktreeAt,
  worktreeChanges,
  worktreesDir,
} from './index.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'codex-task-worktree-')));
  dirs.push(dir);
  return dir;
}

/** A repository with one commit: a.txt (two lines) and a .gitignore for `build/`. */
async function repo(): Promise<string> {
  const dir = await tempDir();
  testGit(dir, 'init', '-q');
  await writeFile(join(dir, 'a.txt'), 'one\ntwo\n');
  await writeFile(join(dir, '.gitignore'), 'build/\n');
  testGit(dir, 'add', '.');
  testGit(dir, 'commit', '-qm', 'first');
  return dir;
}

const branches = (dir: string) =>
  testGit(dir, 'branch', '--list', '--format=%(refname:short)').trim().split('\n');

describe('createWorktree', () => {
  it('makes a worktree on codex-task/<id> inside the common .git, from HEAD, and records it', async () => {
    const dir = await repo();
    const { record, workdir, commonDir } = await createWorktree({ cwd: dir, taskId: 't1', agentType: 'x' });
    expect(commonDir).toBe(join(dir, '.git'));
    expect(record).toMatchObject({
      taskId: 't1',
      path: join(dir, '.git', 'codex-task-worktrees', 't1'),
      branch: 'codex-task/t1',
      base: testGit(dir, 'rev-parse', 'HEAD').trim(),
      checkout: dir,
      agentType: 'x',
    });
    expect(workdir).toBe(record.path);
    expect(await readFile(join(record.path, 'a.txt'), 'utf8')).toBe('one\ntwo\n');
    expect(branches(dir)).toContain('codex-task/t1');
    // The checkout sees nothing of it.
    expect(testGit(dir, 'status', '--porcelain')).toBe('');
    expect(JSON.parse(await readFile(join(worktreesDir(commonDir), 't1.json'), 'utf8'))).toEqual(record);
    expect(await worktreeAt(join(record.path))).toEqual({ record, commonDir });
    expect(await worktreeAt(dir)).toBeUndefined();
  });

  it('keeps the task in the same subdirectory, and nests from a worktree into the same repository', async () => {
    const dir = await repo();
    await mkdir(join(dir, 'pkg'));
    await writeFile(join(dir, 'pkg', 'p.txt'), 'p\n');
    testGit(dir, 'add', '.');
    testGit(dir, 'commit', '-qm', 'pkg');
    const outer = await createWorktree({ cwd: join(dir, 'pkg'), taskId: 'outer' });
    expect(outer.workdir).toBe(join(outer.record.path, 'pkg'));
    const inner = await createWorktree({ cwd: outer.workdir, taskId: 'inner' });
    expect(inner.record.path).toBe(join(dir, '.git', 'codex-task-worktrees', 'inner'));
    expect(inner.record.checkout).toBe(outer.record.path);
  });

  it('names a task id that is no plain word by its digest', async () => {
    const dir = await repo();
    const { record } = await createWorktree({ cwd: dir, taskId: '../../escape me' });
    expect(record.branch).toMatch(/^codex-task\/[0-9a-f]{16}$/);
    expect(record.path.startsWith(join(dir, '.git', 'codex-task-worktrees'))).toBe(true);
  });

  it('refuses outside a repository, and in one without a commit, naming the directory and the fix', async () => {
    const plain = await tempDir();
    const outside = createWorktree({ cwd: plain, taskId: 't' });
    await expect(outside).rejects.toBeInstanceOf(WorktreeUnavailableError);
    await expect(outside).rejects.toMatchObject({
      type: 'WorktreeUnavailable',
      message: `No git worktree for ${plain}: it is not inside a git repository`,
      hint: expect.stringContaining('git init'),
      details: { directory: plain },
    });
    const empty = await tempDir();
    testGit(empty, 'init', '-q');
    await expect(createWorktree({ cwd: empty, taskId: 't' })).rejects.toMatchObject({
      type: 'WorktreeUnavailable',
      message: expect.stringContaining('has no commit yet'),
      hint: expect.stringContaining('git commit --allow-empty'),
    });
    expect(existsSync(worktreesDir(join(empty, '.git')))).toBe(false);
  });

  it('refuses a task id whose worktree already exists, leaving it as it is', async () => {
    const dir = await repo();
    await createWorktree({ cwd: dir, taskId: 'same' });
    await expect(createWorktree({ cwd: dir, taskId: 'same' })).rejects.toMatchObject({
      type: 'WorktreeUnavailable',
      message: expect.stringContaining('already exists'),
    });
    expect(branches(dir)).toContain('codex-task/same');
  });
});

describe('worktreeChanges', () => {
  it('says "no changes" for an untouched worktree, ignored files aside', async () => {
    const dir = await repo();
    const { record } = await createWorktree({ cwd: dir, taskId: 't' });
    await mkdir(join(record.path, 'build'));
    await writeFile(join(record.path, 'build', 'out.js'), 'x\n');
    expect(await worktreeChanges(record.path, record.base)).toEqual({
      changed: false,
      uncommitted: false,
      files: 0,
      newFiles: 0,
      insertions: 0,
      deletions: 0,
      commits: 0,
      summary: 'no changes',
    });
  });

  it('counts changed and new files with their lines, and commits', async () => {
    const dir = await repo();
    const { record } = await createWorktree({ cwd: dir, taskId: 't' });
    await writeFile(join(record.path, 'a.txt'), 'one\nTWO\nthree\n');
    await writeFile(join(record.path, 'new.txt'), 'a\nb\nc');
    await writeFile(join(record.path, 'bin.dat'), Buffer.from([1, 0, 2]));
    await symlink('/etc/passwd', join(record.path, 'link'));
    const changes = await worktreeChanges(record.path, record.base);
    expect(changes).toMatchObject({ changed: true, uncommitted: true, files: 4, newFiles: 3, commits: 0 });
    expect(changes.summary).toBe('4 files changed (3 new), 6 insertions(+), 1 deletion(-)');
    testGit(record.path, 'add', '-A');
    testGit(record.path, 'commit', '-qm', 'work');
    expect(await worktreeChanges(record.path, record.base)).toMatchObject({
      uncommitted: false,
      commits: 1,
      summary: '4 files changed, 6 insertions(+), 1 deletion(-); 1 commit',
    });
  });
});

describe('removeWorktree', () => {
  it('refuses uncommitted work and unmerged commits without --force, and removes them with it', async () => {
    const dir = await repo();
    const { record, commonDir } = await createWorktree({ cwd: dir, taskId: 't' });
    await writeFile(join(record.path, 'new.txt'), 'x\n');
    const uncommitted = await removeWorktree(commonDir, record);
    expect(uncommitted).toMatchObject({
      removed: false,
      reason: `codex-task/t has uncommitted changes (1 file changed (1 new), 1 insertion(+)) in ${record.path}`,
      fix: expect.stringContaining('--force'),
    });
    testGit(record.path, 'add', '-A');
    testGit(record.path, 'commit', '-qm', 'work');
    expect(await removeWorktree(commonDir, record)).toMatchObject({
      removed: false,
      reason: `codex-task/t has 1 commit that the HEAD of ${dir} does not have`,
      fix: 'Merge it (git merge codex-task/t), or remove it anyway with --force.',
    });
    expect(existsSync(record.path)).toBe(true);
    expect(await removeWorktree(commonDir, record, { force: true })).toEqual({ removed: true });
    expect(existsSync(record.path)).toBe(false);
    expect(branches(dir)).not.toContain('codex-task/t');
    expect((await listWorktrees(dir)).worktrees).toEqual([]);
  });

  it('removes a merged one without --force, and one whose directory was deleted by hand', async () => {
    const dir = await repo();
    const merged = await createWorktree({ cwd: dir, taskId: 'merged' });
    await writeFile(join(merged.record.path, 'a.txt'), 'changed\n');
    testGit(merged.record.path, 'commit', '-qam', 'work');
    testGit(dir, 'merge', '-q', '--ff-only', 'codex-task/merged');
    expect(await removeWorktree(merged.commonDir, merged.record)).toEqual({ removed: true });

    const gone = await createWorktree({ cwd: dir, taskId: 'gone' });
    await rm(gone.record.path, { recursive: true, force: true });
    const listed = await listWorktrees(dir);
    expect(listed.worktrees).toMatchObject([{ taskId: 'gone', missing: true }]);
    expect(listed.worktrees[0]).not.toHaveProperty('changes');
    expect(await removeWorktree(gone.commonDir, gone.record)).toEqual({ removed: true });
    expect(branches(dir)).toEqual([expect.not.stringContaining('codex-task/')]);
    expect(testGit(dir, 'worktree', 'list', '--porcelain')).not.toContain('codex-task-worktrees');
  });
});

describe('findWorktrees', () => {
  const records = ['3f2a9c01', '3f2b0000', 'abc'].map((taskId) => ({
    taskId,
    branch: `codex-task/${taskId}`,
    path: `/w/${taskId}`,
  }));
  it('finds by id, unique prefix or branch; a shared prefix finds several', () => {
    expect(findWorktrees(records as never[], 'abc')).toHaveLength(1);
    expect(findWorktrees(records as never[], '3f2a')).toMatchObject([{ taskId: '3f2a9c01' }]);
    expect(findWorktrees(records as never[], 'codex-task/3f2b0000')).toMatchObject([{ taskId: '3f2b0000' }]);
    expect(findWorktrees(records as never[], '3f2')).toHaveLength(2);
    expect(findWorktrees(records as never[], 'zzz')).toEqual([]);
  });
});

describe('records a repository brings with it', () => {
  it('ignores a record that names a directory or a branch that is not ours: remove never deletes them', async () => {
    const dir = await repo();
    const victim = join(dir, '..', `victim-${Date.now()}`);
    await mkdir(victim);
    dirs.push(victim);
    await writeFile(join(victim, 'precious.txt'), 'keep me');
    const head = testGit(dir, 'rev-parse', 'HEAD').trim();
    const folder = worktreesDir(join(dir, '.git'));
    await mkdir(folder, { recursive: true });
    const record = (taskId: string, path: string, branch: string) =>
      writeFile(
        join(folder, `${taskId}.json`),
        JSON.stringify({
          taskId,
          path,
          branch,
          base: head,
          checkout: dir,
          created: new Date().toISOString(),
        }),
      );
    await record('evil', join(folder, '..', '..', '..', victim.split('/').at(-1)!), 'codex-task/evil');
    testGit(dir, 'branch', 'keep-me');
    await record('evil2', join(folder, 'evil2'), 'keep-me');
    expect((await listWorktrees(dir)).worktrees).toEqual([]);
    // And removal itself folds `..` before deleting anything under our folder.
    const forged = {
      taskId: 'evil',
      path: join(folder, '..', '..', '..', victim.split('/').at(-1)!),
      branch: 'codex-task/evil',
      base: head,
      checkout: dir,
      created: new Date().toISOString(),
    };
    await removeWorktree(join(dir, '.git'), forged, { force: true });
    expect(existsSync(join(victim, 'precious.txt'))).toBe(true);
    expect(branches(dir)).toContain('keep-me');
  });
});
