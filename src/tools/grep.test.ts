import { execFileSync } from 'node:child_process';
import { utimes } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolExecutionError } from '../errors/index.ts';
import { createGrepTool, type GrepInput } from './grep.ts';
import { makeWorkspace, type TestWorkspace } from './testing.ts';

const hasRipgrep = (() => {
  try {
    execFileSync('rg', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const jsGrep = createGrepTool({ engine: 'js' });
const rgGrep = createGrepTool({ engine: 'ripgrep' });
const autoGrep = createGrepTool();

/** Oldest first: files_with_matches lists them newest first. */
const FIXTURE: [string, string | Uint8Array][] = [
  ['README.md', '# Demo\nSee foo() in src.\nÜnïcödé line\n'],
  [
    'src/app.ts',
    'import { foo } from "./util";\n// TODO: handle errors\nfunction main() {\n  foo(1);\n}\nexport const FOO = 1;\n',
  ],
  ['src/util.js', 'export function foo(x) {\n  return x; // todo\n}\nconst food = 2;\n'],
  ['src/a-b.ts', 'foo\n'],
  ['src/a/b.ts', 'foo\n'],
  ['src/nested/deep.tsx', 'const x = <Foo />;\n'],
  ['lib/helper.py', 'def foo():\n    pass  # TODO\n'],
  ['Makefile', 'all:\n\techo foo\n'],
  ['.hidden/config.ts', 'export const foo = "hidden";\n'],
  ['.env', 'FOO=bar\n'],
  ['node_modules/pkg/index.js', 'module.exports = foo;\n'],
  ['.git/HEAD', 'ref: foo\n'],
  ['sub/.git', 'gitdir: ../.git/modules/foo\n'],
  ['bin.dat', new Uint8Array([...Buffer.from('foo\n'), 0, 1, 2, ...Buffer.from('\nfoo\n')])],
  ['crlf.txt', 'begin\r\nfoo end\r\nend\r\n'],
  [
    'lines.txt',
    [
      'line 1',
      'match A',
      'line 3',
      'line 4',
      'line 5',
      'line 6',
      'match B',
      'match C',
      'line 9',
      'line 10',
      'line 11',
      'match D',
    ].join('\n'),
  ],
  ['multi.txt', 'start here\nmiddle\nend there\nother\nstart again\nend\n'],
];

let ws: TestWorkspace;
beforeAll(async () => {
  ws = await makeWorkspace();
  const base = Date.now() / 1000 - 10_000;
  for (const [i, [rel, content]] of FIXTURE.entries()) {
    const file = await ws.file(rel, content);
    await utimes(file, base + i * 60, base + i * 60);
  }
});
afterAll(() => ws.cleanup());

const abs = (rel: string): string => path.join(ws.root, rel);
const run = (tool: typeof jsGrep, input: GrepInput): Promise<string> => tool.execute(input, ws.ctx);

/** Queries run on both engines; the outputs must be identical. */
const PARITY: GrepInput[] = [
  { pattern: 'foo' },
  { pattern: 'TODO' },
  { pattern: 'todo', '-i': true, output_mode: 'content' },
  { pattern: 'function\\s+\\w+', output_mode: 'content', '-n': false },
  { pattern: 'foo', output_mode: 'count' },
  { pattern: '(?i)foo', output_mode: 'count' },
  { pattern: '\\bfoo\\b', output_mode: 'content' },
  { pattern: 'foo', glob: '*.ts', output_mode: 'content' },
  { pattern: 'foo', glob: 'src/*.ts' },
  { pattern: 'foo', glob: '**/*.{ts,tsx}' },
  { pattern: 'foo', glob: '!*.ts' },
  { pattern: 'foo', glob: '!src' },
  { pattern: 'foo', type: 'ts' },
  { pattern: 'foo', type: 'js' },
  { pattern: 'foo', type: 'py', output_mode: 'content' },
  { pattern: 'foo', type: 'make' },
  { pattern: 'foo', type: 'ts', glob: 'src/**' },
  { pattern: 'match', path: 'lines.txt', output_mode: 'content', '-C': 1 },
  { pattern: 'match', path: 'lines.txt', output_mode: 'content', '-A': 2 },
  { pattern: 'match', path: 'lines.txt', output_mode: 'content', '-B': 1, '-n': false },
  { pattern: 'match [AD]', output_mode: 'content', '-C': 20 },
  { pattern: 'start.*?end', multiline: true, output_mode: 'content' },
  { pattern: 'start.*?end', multiline: true, output_mode: 'count' },
  { pattern: 'end$', output_mode: 'content' },
  { pattern: '^end', output_mode: 'content', path: 'crlf.txt' },
  { pattern: 'Ünï', output_mode: 'content' },
  { pattern: 'line', output_mode: 'content', head_limit: 3 },
  { pattern: 'foo', head_limit: 2 },
  { pattern: 'foo', path: 'src/app.ts', output_mode: 'content' },
  { pattern: 'foo', path: 'src', output_mode: 'count', head_limit: 2 },
  { pattern: 'zzz-no-match' },
  { pattern: 'zzz-no-match', output_mode: 'content' },
];

describe('Grep (JavaScript engine)', () => {
  it('lists matching files newest first, skipping .git, node_modules and binary files', async () => {
    const newestFirst = [
      'crlf.txt',
      '.hidden/config.ts',
      'Makefile',
      'lib/helper.py',
      'src/a/b.ts',
      'src/a-b.ts',
    ];
    newestFirst.push('src/util.js', 'src/app.ts', 'README.md');
    expect(await run(jsGrep, { pattern: 'foo' })).toBe(['Found 9 files', ...newestFirst.map(abs)].join('\n'));
  });

  it('shows content with line numbers, or without', async () => {
    expect(await run(jsGrep, { pattern: 'TODO', output_mode: 'content' })).toBe(
      `${abs('lib/helper.py')}:2:    pass  # TODO\n${abs('src/app.ts')}:2:// TODO: handle errors`,
    );
    expect(await run(jsGrep, { pattern: 'TODO', output_mode: 'content', '-n': false, path: 'src' })).toBe(
      `${abs('src/app.ts')}:// TODO: handle errors`,
    );
  });

  it('is case-sensitive unless -i', async () => {
    expect(await run(jsGrep, { pattern: 'todo', output_mode: 'count' })).toContain(`${abs('src/util.js')}:1`);
    expect(await run(jsGrep, { pattern: 'todo', output_mode: 'count' })).not.toContain('app.ts');
    expect(await run(jsGrep, { pattern: 'todo', '-i': true, output_mode: 'count' })).toContain(
      `${abs('src/app.ts')}:1`,
    );
  });

  it('counts matching lines per file with a total', async () => {
    expect(await run(jsGrep, { pattern: 'match', output_mode: 'count' })).toBe(
      `${abs('lines.txt')}:4\n\nFound 4 matching lines across 1 file.`,
    );
  });

  it('shows context lines with - and separates groups with --', async () => {
    expect(
      await run(jsGrep, { pattern: 'match [AB]', path: 'lines.txt', output_mode: 'content', '-C': 1 }),
    ).toBe(
      [
        `${abs('lines.txt')}-1-line 1`,
        `${abs('lines.txt')}:2:match A`,
        `${abs('lines.txt')}-3-line 3`,
        '--',
        `${abs('lines.txt')}-6-line 6`,
        `${abs('lines.txt')}:7:match B`,
        `${abs('lines.txt')}-8-match C`,
      ].join('\n'),
    );
  });

  it('filters by glob (anchored when it has a slash) and by type, both when both are given', async () => {
    expect(await run(jsGrep, { pattern: 'foo', glob: 'src/*.ts' })).toBe(
      `Found 2 files\n${abs('src/a-b.ts')}\n${abs('src/app.ts')}`,
    );
    expect(await run(jsGrep, { pattern: 'foo', type: 'py' })).toBe(`Found 1 file\n${abs('lib/helper.py')}`);
    expect(await run(jsGrep, { pattern: 'foo', type: 'js', glob: 'src/**' })).toBe(
      `Found 1 file\n${abs('src/util.js')}`,
    );
    await expect(run(jsGrep, { pattern: 'foo', type: 'cobol' })).rejects.toThrow(/Unknown file type 'cobol'/);
  });

  it('matches across lines only in multiline mode', async () => {
    await expect(run(jsGrep, { pattern: 'here\\nmiddle', output_mode: 'content' })).rejects.toThrow(
      /contains a newline/,
    );
    expect(await run(jsGrep, { pattern: 'here\\\\nmiddle', output_mode: 'content' })).toBe(
      'No matches found',
    );
    expect(await run(jsGrep, { pattern: 'here\\nmiddle', multiline: true, output_mode: 'content' })).toBe(
      `${abs('multi.txt')}:1:start here\n${abs('multi.txt')}:2:middle`,
    );
  });

  it('applies head_limit and says so', async () => {
    const out = await run(jsGrep, { pattern: 'line', output_mode: 'content', head_limit: 2 });
    expect(out.split('\n')).toEqual([
      `${abs('README.md')}:3:Ünïcödé line`,
      `${abs('lines.txt')}:1:line 1`,
      expect.stringMatching(/^\(Showing the first 2 of more than \d+ entries: head_limit=2\.\)$/),
    ]);
  });

  it('supports look-around, which ripgrep does not', async () => {
    expect(await run(jsGrep, { pattern: 'foo(?=\\()', output_mode: 'content', path: 'src' })).toBe(
      `${abs('src/app.ts')}:4:  foo(1);\n${abs('src/util.js')}:1:export function foo(x) {`,
    );
  });

  it('fails clearly on an invalid pattern and a missing path', async () => {
    await expect(run(jsGrep, { pattern: 'foo(' })).rejects.toThrow(/Invalid regular expression/);
    await expect(run(jsGrep, { pattern: 'foo', path: 'nope' })).rejects.toThrow(/Path does not exist/);
  });

  it('stops collecting once the result is full, on huge trees', async () => {
    const big = await makeWorkspace({ limits: { resultLimitChars: 2000 } });
    try {
      for (let i = 0; i < 300; i++) await big.file(`f/${String(i).padStart(3, '0')}.txt`, 'x\n'.repeat(20));
      const out = await jsGrep.execute({ pattern: 'x', output_mode: 'content' }, big.ctx);
      expect(out).toMatch(/\[Result truncated:/);
      expect(out).toContain('f/000.txt:1:x');
      expect(out).not.toContain('f/299.txt');
    } finally {
      await big.cleanup();
    }
  });
});

describe.skipIf(!hasRipgrep)('Grep with ripgrep', () => {
  it.each(PARITY.map((q) => [JSON.stringify(q), q] as const))(
    'gives the same output as the JS engine: %s',
    async (_, q) => {
      const [fromRg, fromJs] = await Promise.all([run(rgGrep, q), run(jsGrep, q)]);
      expect(fromRg).toBe(fromJs);
    },
  );

  it('falls back to JavaScript for look-around, and reports invalid patterns', async () => {
    const q: GrepInput = { pattern: 'foo(?=\\()', output_mode: 'content', path: 'src' };
    expect(await run(autoGrep, q)).toBe(await run(jsGrep, q));
    const error = await run(rgGrep, { pattern: 'foo(' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolExecutionError);
    expect((error as Error).message).toMatch(/Invalid regular expression:\nregex parse error/);
  });

  it('fails the same way as the JS engine on unknown types and newlines outside multiline mode', async () => {
    for (const q of [{ pattern: 'foo', type: 'cobol' }, { pattern: 'a\\nb' }] satisfies GrepInput[]) {
      const [fromRg, fromJs] = await Promise.all([
        run(rgGrep, q).catch((e: unknown) => e),
        run(jsGrep, q).catch((e: unknown) => e),
      ]);
      expect(fromRg).toBeInstanceOf(ToolExecutionError);
      expect((fromRg as Error).message).toBe((fromJs as Error).message);
    }
  });

  it('stops ripgrep at the same place as the JS engine when the result is full', async () => {
    const q: GrepInput = { pattern: 'line|match|foo', output_mode: 'content', head_limit: 4 };
    expect(await run(rgGrep, q)).toBe(await run(jsGrep, q));
  });
});

describe('Grep engine selection', () => {
  it('falls back to JavaScript when rg is not on PATH, or fails when ripgrep is required', async () => {
    const missing = '/nonexistent/rg';
    const auto = createGrepTool({ ripgrepCommand: missing });
    expect(await run(auto, { pattern: 'TODO' })).toBe(await run(jsGrep, { pattern: 'TODO' }));
    const required = createGrepTool({ engine: 'ripgrep', ripgrepCommand: missing });
    await expect(run(required, { pattern: 'TODO' })).rejects.toThrow(/ripgrep \(rg\) is not installed/);
  });
});
