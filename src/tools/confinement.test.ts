import { readdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolDeniedError } from '../errors/index.ts';
import { editTool } from './edit.ts';
import { globTool } from './glob.ts';
import { createGrepTool } from './grep.ts';
import { lsTool } from './ls.ts';
import { multiEditTool } from './multi-edit.ts';
import { readTool } from './read.ts';
import { makeWorkspace, snapshotTree, type TestWorkspace } from './testing.ts';
import type { ToolSpec } from './types.ts';
import { writeTool } from './write.ts';

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await makeWorkspace();
  await ws.file('inside.txt', 'inside\n');
  await symlink(path.join(ws.outside, 'secret.txt'), path.join(ws.root, 'link.txt'));
  await symlink(ws.outside, path.join(ws.root, 'linkdir'));
});
afterEach(() => ws.cleanup());

/** Each escape as a file path (for tools that take a file) and as a directory (for the others). */
const escapes: [string, (ws: TestWorkspace) => { file: string; dir: string }][] = [
  ['`..`', () => ({ file: '../outside/secret.txt', dir: '../outside' })],
  ['an absolute path outside', (w) => ({ file: path.join(w.outside, 'secret.txt'), dir: w.outside })],
  ['a symlinked file', () => ({ file: 'link.txt', dir: 'link.txt' })],
  ['a symlinked directory', () => ({ file: 'linkdir/secret.txt', dir: 'linkdir' })],
  ['a new file under a symlinked directory', () => ({ file: 'linkdir/new.txt', dir: 'linkdir/newdir' })],
];

const calls: [string, ToolSpec, (p: { file: string; dir: string }) => unknown][] = [
  ['Read', readTool, (p) => ({ file_path: p.file })],
  ['Write', writeTool, (p) => ({ file_path: p.file, content: 'pwned\n' })],
  ['Edit', editTool, (p) => ({ file_path: p.file, old_string: 'top secret', new_string: 'pwned' })],
  ['Edit (create)', editTool, (p) => ({ file_path: p.file, old_string: '', new_string: 'pwned' })],
  [
    'MultiEdit',
    multiEditTool,
    (p) => ({ file_path: p.file, edits: [{ old_string: 'top secret', new_string: 'pwned' }] }),
  ],
  ['Glob', globTool, (p) => ({ pattern: '**/*', path: p.dir })],
  ['Grep (js)', createGrepTool({ engine: 'js' }), (p) => ({ pattern: 'secret', path: p.dir })],
  ['Grep (auto)', createGrepTool(), (p) => ({ pattern: 'secret', path: p.file })],
  ['LS', lsTool, (p) => ({ path: p.dir })],
];

describe('every file tool stays inside the workspace', () => {
  for (const [label, paths] of escapes) {
    it.each(calls)(`%s refuses ${label}`, async (_name, tool, input) => {
      const before = await snapshotTree(ws.outside);
      const error = await tool.execute(input(paths(ws)), ws.ctx).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ToolDeniedError);
      expect(await snapshotTree(ws.outside)).toEqual(before);
      expect(await readdir(ws.outside)).toEqual(['secret.txt']);
    });
  }

  it('Glob refuses patterns that climb out, absolute or relative', async () => {
    for (const pattern of [
      '../outside/*',
      `${ws.outside}/*`,
      'linkdir/*',
      'linkdir/**/*.txt',
      '**/../../outside/*',
    ]) {
      await expect(globTool.execute({ pattern }, ws.ctx), pattern).rejects.toBeInstanceOf(ToolDeniedError);
    }
  });

  it('Glob and Grep do not list or search through symlinks found while walking', async () => {
    const globbed = await globTool.execute({ pattern: '**/*' }, ws.ctx);
    expect(globbed).toBe(path.join(ws.root, 'inside.txt'));
    for (const engine of ['js', 'auto'] as const) {
      const grep = createGrepTool({ engine });
      expect(await grep.execute({ pattern: 'secret' }, ws.ctx), engine).toBe('No files found');
    }
  });
});
