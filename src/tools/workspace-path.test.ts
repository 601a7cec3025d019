import { mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolDeniedError } from '../errors/index.ts';
import { makeWorkspace, type TestWorkspace } from './testing.ts';
import { isInside, resolveWorkspacePath } from './workspace-path.ts';

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await makeWorkspace();
});
afterEach(() => ws.cleanup());

describe('resolveWorkspacePath', () => {
  it('accepts relative and absolute paths inside the workspace, existing or not', async () => {
    await ws.file('src/a.ts', 'a');
    expect(await resolveWorkspacePath(ws.root, 'src/a.ts')).toEqual({
      path: path.join(ws.root, 'src/a.ts'),
      realPath: path.join(ws.root, 'src/a.ts'),
    });
    expect((await resolveWorkspacePath(ws.root, path.join(ws.root, 'src/a.ts'))).realPath).toBe(
      path.join(ws.root, 'src/a.ts'),
    );
    expect((await resolveWorkspacePath(ws.root, 'new/dir/file.txt')).realPath).toBe(
      path.join(ws.root, 'new/dir/file.txt'),
    );
    expect((await resolveWorkspacePath(ws.root, '.')).realPath).toBe(ws.root);
    expect((await resolveWorkspacePath(ws.root, 'src/../src/a.ts')).realPath).toBe(
      path.join(ws.root, 'src/a.ts'),
    );
  });

  it('follows symlinks that stay inside the workspace', async () => {
    await ws.file('real/a.ts', 'a');
    await symlink(path.join(ws.root, 'real'), path.join(ws.root, 'alias'));
    const resolved = await resolveWorkspacePath(ws.root, 'alias/a.ts');
    expect(resolved.path).toBe(path.join(ws.root, 'alias/a.ts'));
    expect(resolved.realPath).toBe(path.join(ws.root, 'real/a.ts'));
  });

  it.each([
    ['a .. escape', () => '../outside/secret.txt'],
    ['a deep .. escape', () => 'src/../../outside/secret.txt'],
    ['an absolute path outside', () => path.join(ws.outside, 'secret.txt')],
    ['the filesystem root', () => '/'],
    ['a home-directory path', () => '~/.ssh/id_rsa'],
  ])('refuses %s', async (_label, input) => {
    await expect(resolveWorkspacePath(ws.root, input())).rejects.toBeInstanceOf(ToolDeniedError);
  });

  it('refuses a symlinked file, a symlinked directory, and new files under a symlinked directory', async () => {
    await symlink(path.join(ws.outside, 'secret.txt'), path.join(ws.root, 'link.txt'));
    await symlink(ws.outside, path.join(ws.root, 'linkdir'));
    for (const input of [
      'link.txt',
      'linkdir',
      'linkdir/secret.txt',
      'linkdir/new.txt',
      'linkdir/new/deeper.txt',
    ]) {
      const error = await resolveWorkspacePath(ws.root, input).catch((e: unknown) => e);
      expect(error, input).toBeInstanceOf(ToolDeniedError);
      expect((error as Error).message).toContain('symlink');
    }
  });

  it('refuses a dangling symlink whose target would be created outside', async () => {
    await symlink(path.join(ws.outside, 'not-yet.txt'), path.join(ws.root, 'dangling.txt'));
    await symlink('../outside/rel-not-yet.txt', path.join(ws.root, 'dangling-rel.txt'));
    await expect(resolveWorkspacePath(ws.root, 'dangling.txt')).rejects.toBeInstanceOf(ToolDeniedError);
    await expect(resolveWorkspacePath(ws.root, 'dangling-rel.txt')).rejects.toBeInstanceOf(ToolDeniedError);
  });

  it('resolves `..` after a symlinked directory where it really leads', async () => {
    // inside/link -> outside: "link/../x" is ws/x lexically, and that is what the tools then touch.
    await mkdir(path.join(ws.root, 'inside'));
    await symlink(ws.outside, path.join(ws.root, 'inside/link'));
    const resolved = await resolveWorkspacePath(ws.root, 'inside/link/../x.txt');
    expect(resolved.realPath).toBe(path.join(ws.root, 'inside/x.txt'));
  });

  it('refuses symlink loops', async () => {
    await symlink(path.join(ws.root, 'loop-b'), path.join(ws.root, 'loop-a'));
    await symlink(path.join(ws.root, 'loop-a'), path.join(ws.root, 'loop-b'));
    await expect(resolveWorkspacePath(ws.root, 'loop-a/x')).rejects.toBeInstanceOf(ToolDeniedError);
  });

  it('isInside does not mistake a sibling with a common prefix for a child', () => {
    expect(isInside('/a/ws', '/a/ws')).toBe(true);
    expect(isInside('/a/ws', '/a/ws/b')).toBe(true);
    expect(isInside('/a/ws', '/a/ws2/b')).toBe(false);
    expect(isInside('/a/ws', '/a/ws/..foo')).toBe(true);
    expect(isInside('/a/ws', '/a')).toBe(false);
  });
});
