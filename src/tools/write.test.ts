import { chmod, lstat, readdir, readFile, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeWorkspace, type TestWorkspace } from './testing.ts';
import { writeTool } from './write.ts';

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await makeWorkspace();
});
afterEach(() => ws.cleanup());

describe('Write', () => {
  it('creates a file and its missing parent directories', async () => {
    const out = await writeTool.execute({ file_path: 'a/b/c.txt', content: 'one\ntwo\n' }, ws.ctx);
    expect(out).toBe(`Created ${path.join(ws.root, 'a/b/c.txt')} (2 lines, 8 bytes).`);
    expect(await readFile(path.join(ws.root, 'a/b/c.txt'), 'utf8')).toBe('one\ntwo\n');
  });

  it('overwrites an existing file, keeps its mode, and leaves no temporary file', async () => {
    const file = await ws.file('run.sh', 'old');
    await chmod(file, 0o755);
    const out = await writeTool.execute({ file_path: file, content: '#!/bin/sh\necho new\n' }, ws.ctx);
    expect(out).toMatch(/^Overwrote /);
    expect(await readFile(file, 'utf8')).toBe('#!/bin/sh\necho new\n');
    expect((await stat(file)).mode & 0o777).toBe(0o755);
    expect(await readdir(ws.root)).toEqual(['run.sh']);
  });

  it('writes through a symlink that stays inside the workspace to its target', async () => {
    await ws.file('real.txt', 'old');
    await symlink('real.txt', path.join(ws.root, 'alias.txt'));
    await writeTool.execute({ file_path: 'alias.txt', content: 'new' }, ws.ctx);
    expect(await readFile(path.join(ws.root, 'real.txt'), 'utf8')).toBe('new');
    expect((await lstat(path.join(ws.root, 'alias.txt'))).isSymbolicLink()).toBe(true);
  });

  it('writes an empty file', async () => {
    expect(await writeTool.execute({ file_path: 'empty', content: '' }, ws.ctx)).toMatch(
      /\(0 lines, 0 bytes\)/,
    );
    expect(await readFile(path.join(ws.root, 'empty'), 'utf8')).toBe('');
  });

  it('refuses to write over a directory, and through a file used as a directory', async () => {
    await ws.file('dir/x', 'x');
    await expect(writeTool.execute({ file_path: 'dir', content: 'x' }, ws.ctx)).rejects.toThrow(
      /is a directory/,
    );
    await expect(writeTool.execute({ file_path: 'dir/x/y.txt', content: 'x' }, ws.ctx)).rejects.toThrow(
      /Cannot create the directory/,
    );
  });
});
