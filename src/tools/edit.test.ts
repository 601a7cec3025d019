import { execFileSync } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolExecutionError } from '../errors/index.ts';
import { editTool } from './edit.ts';
import { multiEditTool } from './multi-edit.ts';
import { makeWorkspace, type TestWorkspace } from './testing.ts';

let ws: TestWorkspace;
let file: string;
const original = 'const a = 1;\nconst b = 2;\nconst a2 = a + 1;\nexport { a, b };\n';
beforeEach(async () => {
  ws = await makeWorkspace();
  file = await ws.file('src/mod.ts', original);
});
afterEach(() => ws.cleanup());

const content = (): Promise<string> => readFile(file, 'utf8');

/** Runs a failing call and checks it failed with `message` and left the file byte-for-byte alone. */
async function expectUnchanged(call: Promise<string>, message: RegExp): Promise<ToolExecutionError> {
  const mtime = (await stat(file)).mtimeMs;
  const error = await call.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ToolExecutionError);
  expect((error as Error).message).toMatch(message);
  expect(await content()).toBe(original);
  expect((await stat(file)).mtimeMs).toBe(mtime);
  return error as ToolExecutionError;
}

describe('Edit', () => {
  it('replaces a unique match and shows the result around it', async () => {
    const out = await editTool.execute(
      { file_path: 'src/mod.ts', old_string: 'const b = 2;', new_string: 'const b = 3;' },
      ws.ctx,
    );
    expect(await content()).toBe(original.replace('const b = 2;', 'const b = 3;'));
    expect(out).toContain(`Edited ${file}: replaced 1 occurrence.`);
    expect(out).toContain('     2\tconst b = 3;');
  });

  it('fails on no match, with a hint about the line-number prefix when it is there', async () => {
    await expectUnchanged(
      editTool.execute({ file_path: file, old_string: 'const c = 3;', new_string: 'x' }, ws.ctx),
      /old_string was not found/,
    );
    const error = await expectUnchanged(
      editTool.execute({ file_path: file, old_string: '     2\tconst b = 2;', new_string: 'x' }, ws.ctx),
      /not found/,
    );
    expect(error.hint).toMatch(/line-number prefix/);
  });

  it('fails on an ambiguous match, saying how many and what to do', async () => {
    const error = await expectUnchanged(
      editTool.execute({ file_path: file, old_string: 'const a', new_string: 'let a' }, ws.ctx),
      /Found 2 matches of old_string, but replace_all is false/,
    );
    expect(error.hint).toContain('replace_all');
    expect(error.hint).toContain('context');
  });

  it('replaces every occurrence with replace_all', async () => {
    const out = await editTool.execute(
      { file_path: file, old_string: 'const', new_string: 'let', replace_all: true },
      ws.ctx,
    );
    expect(await content()).toBe(original.replaceAll('const', 'let'));
    expect(out).toContain('replaced 3 occurrences');
  });

  it('fails when old_string and new_string are the same', async () => {
    await expectUnchanged(
      editTool.execute({ file_path: file, old_string: 'const b = 2;', new_string: 'const b = 2;' }, ws.ctx),
      /No changes to make: old_string and new_string are exactly the same/,
    );
  });

  it('keeps $-patterns in new_string literal', async () => {
    await editTool.execute(
      { file_path: file, old_string: 'const b = 2;', new_string: "const b = '$&$1$$';" },
      ws.ctx,
    );
    expect(await content()).toContain("const b = '$&$1$$';");
  });

  it('matches LF-only strings in a CRLF file and keeps CRLF', async () => {
    const crlf = await ws.file('win.txt', 'one\r\ntwo\r\nthree\r\n');
    await editTool.execute({ file_path: crlf, old_string: 'one\ntwo', new_string: 'uno\ndos' }, ws.ctx);
    expect(await readFile(crlf, 'utf8')).toBe('uno\r\ndos\r\nthree\r\n');
  });

  it('creates a new file from an empty old_string, but not over a non-empty one', async () => {
    await editTool.execute({ file_path: 'new/file.ts', old_string: '', new_string: 'hello\n' }, ws.ctx);
    expect(await readFile(path.join(ws.root, 'new/file.ts'), 'utf8')).toBe('hello\n');
    await expectUnchanged(
      editTool.execute({ file_path: file, old_string: '', new_string: 'x' }, ws.ctx),
      /old_string is empty/,
    );
  });

  it('fails clearly on a missing file, a directory, a FIFO and a binary file', async () => {
    await expect(
      editTool.execute({ file_path: 'nope.ts', old_string: 'a', new_string: 'b' }, ws.ctx),
    ).rejects.toThrow(/File does not exist/);
    await expect(
      editTool.execute({ file_path: 'src', old_string: 'a', new_string: 'b' }, ws.ctx),
    ).rejects.toThrow(/is a directory/);
    execFileSync('mkfifo', [path.join(ws.root, 'pipe')]);
    await expect(
      editTool.execute({ file_path: 'pipe', old_string: 'a', new_string: 'b' }, ws.ctx),
    ).rejects.toThrow(/not a regular file/);
    await ws.file('bin.dat', new Uint8Array([97, 0, 98]));
    await expect(
      editTool.execute({ file_path: 'bin.dat', old_string: 'a', new_string: 'b' }, ws.ctx),
    ).rejects.toThrow(/binary/);
  });
});

describe('MultiEdit', () => {
  it('applies edits in order, each on the result of the previous', async () => {
    const out = await multiEditTool.execute(
      {
        file_path: file,
        edits: [
          { old_string: 'const b = 2;', new_string: 'const bee = 2;' },
          { old_string: 'export { a, b }', new_string: 'export { a, bee }' },
          { old_string: 'const', new_string: 'let', replace_all: true },
        ],
      },
      ws.ctx,
    );
    expect(await content()).toBe('let a = 1;\nlet bee = 2;\nlet a2 = a + 1;\nexport { a, bee };\n');
    expect(out).toBe(`Edited ${file}: applied 3 edits (5 replacements).`);
  });

  it('is all or nothing: a failing edit names its index and nothing is written', async () => {
    const error = await expectUnchanged(
      multiEditTool.execute(
        {
          file_path: file,
          edits: [
            { old_string: 'const b = 2;', new_string: 'const b = 3;' },
            { old_string: 'const a', new_string: 'let a' },
            { old_string: 'b', new_string: 'c' },
          ],
        },
        ws.ctx,
      ),
      /^edits\[1\] \(edit 2 of 3\) failed: Found 2 matches .*No edit was applied; .* is unchanged\./,
    );
    expect(error.hint).toContain('replace_all');
  });

  it('fails when a later edit no longer finds text an earlier one changed', async () => {
    await expectUnchanged(
      multiEditTool.execute(
        {
          file_path: file,
          edits: [
            { old_string: 'const b = 2;', new_string: 'const b = 3;' },
            { old_string: 'const b = 2;', new_string: 'const b = 4;' },
          ],
        },
        ws.ctx,
      ),
      /^edits\[1\] .*old_string was not found/,
    );
  });

  it('creates a file when the first edit has an empty old_string', async () => {
    const out = await multiEditTool.execute(
      {
        file_path: 'fresh.txt',
        edits: [
          { old_string: '', new_string: 'hello world\n' },
          { old_string: 'world', new_string: 'there' },
        ],
      },
      ws.ctx,
    );
    expect(await readFile(path.join(ws.root, 'fresh.txt'), 'utf8')).toBe('hello there\n');
    expect(out).toMatch(/^Created /);
  });

  it('fails on a missing file when not creating it', async () => {
    await expect(
      multiEditTool.execute(
        { file_path: 'missing.ts', edits: [{ old_string: 'a', new_string: 'b' }] },
        ws.ctx,
      ),
    ).rejects.toThrow(/File does not exist/);
  });
});
