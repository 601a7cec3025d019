import { utimes } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolExecutionError } from '../errors/index.ts';
import { globTool } from './glob.ts';
import { makeWorkspace, type TestWorkspace } from './testing.ts';

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await makeWorkspace();
});
afterEach(() => ws.cleanup());

/** Creates files with mtimes one minute apart, in the order given (the last is the newest). */
async function filesAged(...rels: string[]): Promise<void> {
  const base = Date.now() / 1000 - 3600;
  for (const [i, rel] of rels.entries()) {
    const file = await ws.file(rel, rel);
    await utimes(file, base + i * 60, base + i * 60);
  }
}

const abs = (...rels: string[]): string => rels.map((rel) => path.join(ws.root, rel)).join('\n');

describe('Glob', () => {
  it('lists matches newest first, with absolute paths', async () => {
    await filesAged('src/b.ts', 'src/deep/c.ts', 'a.ts', 'README.md');
    expect(await globTool.execute({ pattern: '**/*.ts' }, ws.ctx)).toBe(
      abs('a.ts', 'src/deep/c.ts', 'src/b.ts'),
    );
  });

  it('searches under path, and takes absolute patterns inside the workspace', async () => {
    await filesAged('src/b.ts', 'lib/c.ts', 'src/x/d.ts');
    expect(await globTool.execute({ pattern: '*.ts', path: 'src' }, ws.ctx)).toBe(abs('src/b.ts'));
    expect(await globTool.execute({ pattern: '**/*.ts', path: path.join(ws.root, 'src') }, ws.ctx)).toBe(
      abs('src/x/d.ts', 'src/b.ts'),
    );
    expect(await globTool.execute({ pattern: `${ws.root}/lib/*.ts` }, ws.ctx)).toBe(abs('lib/c.ts'));
    expect(await globTool.execute({ pattern: 'lib/c.ts' }, ws.ctx)).toBe(abs('lib/c.ts'));
  });

  it('supports braces and hidden files, and skips .git and node_modules', async () => {
    await filesAged(
      '.github/ci.yml',
      'conf.yaml',
      '.git/config.yml',
      'node_modules/p/x.yml',
      'pkg/node_modules/y.yml',
    );
    expect(await globTool.execute({ pattern: '**/*.{yml,yaml}' }, ws.ctx)).toBe(
      abs('conf.yaml', '.github/ci.yml'),
    );
  });

  it('caps the list at 100, newest kept, with a note', async () => {
    await filesAged(...Array.from({ length: 105 }, (_, i) => `f/${String(i).padStart(3, '0')}.txt`));
    const lines = (await globTool.execute({ pattern: 'f/*.txt' }, ws.ctx)).split('\n');
    expect(lines).toHaveLength(101);
    expect(lines[0]).toBe(abs('f/104.txt'));
    expect(lines[99]).toBe(abs('f/005.txt'));
    expect(lines[100]).toMatch(/truncated: showing the 100 most recently modified of 105 files/);
  });

  it('says when nothing matches, and fails on a missing or non-directory path', async () => {
    await ws.file('a.ts', '');
    expect(await globTool.execute({ pattern: '**/*.py' }, ws.ctx)).toBe('No files found');
    await expect(globTool.execute({ pattern: '*', path: 'nope' }, ws.ctx)).rejects.toThrow(/does not exist/);
    await expect(globTool.execute({ pattern: '*', path: 'a.ts' }, ws.ctx)).rejects.toBeInstanceOf(
      ToolExecutionError,
    );
  });
});
