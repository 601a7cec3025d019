import { symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolExecutionError } from '../errors/index.ts';
import { LS_MAX_ENTRIES, lsTool } from './ls.ts';
import { makeWorkspace, type TestWorkspace } from './testing.ts';

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await makeWorkspace();
});
afterEach(() => ws.cleanup());

describe('LS', () => {
  it('prints a sorted tree; .git and node_modules shown but not entered; symlinks shown, not followed', async () => {
    await ws.file('src/b.ts', '');
    await ws.file('src/a/z.ts', '');
    await ws.file('README.md', '');
    await ws.file('.github/ci.yml', '');
    await ws.file('node_modules/pkg/index.js', '');
    await ws.file('.git/HEAD', '');
    await symlink(ws.outside, path.join(ws.root, 'out'));
    expect(await lsTool.execute({ path: '.' }, ws.ctx)).toBe(
      [
        `- ${ws.root}/`,
        '  - .git/ (contents not listed)',
        '  - .github/',
        '    - ci.yml',
        '  - README.md',
        '  - node_modules/ (contents not listed)',
        `  - out -> ${ws.outside}`,
        '  - src/',
        '    - a/',
        '      - z.ts',
        '    - b.ts',
      ].join('\n'),
    );
  });

  it('leaves out entries matching ignore patterns, by name at any depth or by path', async () => {
    await ws.file('app.log', '');
    await ws.file('src/debug.log', '');
    await ws.file('src/main.ts', '');
    await ws.file('dist/bundle.js', '');
    await ws.file('src/gen/x.ts', '');
    const out = await lsTool.execute({ path: ws.root, ignore: ['*.log', 'dist', 'src/gen'] }, ws.ctx);
    expect(out).toBe([`- ${ws.root}/`, '  - src/', '    - main.ts'].join('\n'));
  });

  it('lists at most LS_MAX_ENTRIES entries, shallow levels first, and says so', async () => {
    for (let i = 0; i < 30; i++) await ws.file(`top${String(i).padStart(2, '0')}/f.txt`, '');
    await ws.file('top00/many/0-sub/x.txt', '');
    const many = path.join(ws.root, 'top00/many');
    await Promise.all(
      Array.from({ length: LS_MAX_ENTRIES }, (_, i) => writeFile(path.join(many, `${i}.txt`), '')),
    );
    const out = await lsTool.execute({ path: '.' }, ws.ctx);
    expect(out).toContain('  - top29/');
    expect(out).toContain('(not listed: limit reached)');
    expect(out).toMatch(/Listing truncated at 1000 entries/);
    expect(out.split('\n').filter((l) => l.trim().startsWith('- ')).length).toBe(LS_MAX_ENTRIES + 1);
  });

  it('fails clearly on a missing path and on a file', async () => {
    await ws.file('a.txt', '');
    await expect(lsTool.execute({ path: 'nope' }, ws.ctx)).rejects.toThrow(/Directory does not exist/);
    const error = await lsTool.execute({ path: 'a.txt' }, ws.ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolExecutionError);
    expect((error as Error).message).toMatch(/is a file, not a directory/);
  });

  it('says when a directory is empty', async () => {
    expect(await lsTool.execute({ path: '.' }, ws.ctx)).toBe(`- ${ws.root}/\n  (empty directory)`);
  });
});
