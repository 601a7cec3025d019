import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { link, mkdir, readFile, readlink, rename, symlink, truncate, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolDeniedError, ToolExecutionError } from '../errors/index.ts';
import { openConfinedFile } from './confined-open.ts';
import { editTool } from './edit.ts';
import { writeFileAtomic } from './fs-utils.ts';
import { type AgentPolicy, agentPolicy, loadPermissionPolicy } from './policy/index.ts';
import { readTool } from './read.ts';
import { makeWorkspace, snapshotTree, type TestWorkspace } from './testing.ts';
import { resolveWorkspacePath } from './workspace-path.ts';
import { writeTool } from './write.ts';

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await makeWorkspace();
});
afterEach(() => ws.cleanup());

describe('paths that only look like escapes stay inside', () => {
  it('URL-encoded `%2e%2e` is a plain name, not `..`: nothing outside is read', async () => {
    const error = await readTool
      .execute({ file_path: '%2e%2e/outside/secret.txt' }, ws.ctx)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolExecutionError);
    expect(String(error)).not.toContain('top secret');
  });

  it('`~` paths are refused', async () => {
    await expect(readTool.execute({ file_path: '~/.ssh/id_rsa' }, ws.ctx)).rejects.toBeInstanceOf(
      ToolDeniedError,
    );
  });
});

describe('a symlink swapped in after the check', () => {
  it('on the file itself: the open refuses it (O_NOFOLLOW)', async () => {
    await ws.file('a.txt', 'inside\n');
    const target = await resolveWorkspacePath(ws.root, 'a.txt');
    await rename(path.join(ws.root, 'a.txt'), path.join(ws.root, 'b.txt'));
    await symlink(path.join(ws.outside, 'secret.txt'), path.join(ws.root, 'a.txt'));
    await expect(openConfinedFile(ws.root, target, 'read')).rejects.toThrow(/symlink was swapped in/);
  });

  it('on a parent directory: the opened descriptor is re-checked and refused', async () => {
    await ws.file('dir/secret.txt', 'inside\n');
    const target = await resolveWorkspacePath(ws.root, 'dir/secret.txt');
    await rename(path.join(ws.root, 'dir'), path.join(ws.root, 'old'));
    await symlink(ws.outside, path.join(ws.root, 'dir'));
    await expect(openConfinedFile(ws.root, target, 'read')).rejects.toBeInstanceOf(ToolDeniedError);
  });

  it('on a parent directory while writing: nothing is written outside', async () => {
    await ws.file('dir/new.txt', 'x');
    const target = await resolveWorkspacePath(ws.root, 'dir/new.txt');
    await rename(path.join(ws.root, 'dir'), path.join(ws.root, 'old'));
    await symlink(ws.outside, path.join(ws.root, 'dir'));
    const before = await snapshotTree(ws.outside);
    await expect(writeFileAtomic(target.realPath, 'pwned', ws.root)).rejects.toBeInstanceOf(ToolDeniedError);
    expect(await snapshotTree(ws.outside)).toEqual(before);
  });
});

describe('special files', () => {
  it('a hard link to a file outside is neither read, edited nor overwritten', async () => {
    await link(path.join(ws.outside, 'secret.txt'), path.join(ws.root, 'hard.txt'));
    const read = await readTool.execute({ file_path: 'hard.txt' }, ws.ctx).catch((e: unknown) => e);
    expect(read).toBeInstanceOf(ToolDeniedError);
    expect(String(read)).toMatch(/hard links/);
    await expect(
      editTool.execute({ file_path: 'hard.txt', old_string: 'top', new_string: 'pwned' }, ws.ctx),
    ).rejects.toBeInstanceOf(ToolDeniedError);
    await expect(
      writeTool.execute({ file_path: 'hard.txt', content: 'pwned' }, ws.ctx),
    ).rejects.toBeInstanceOf(ToolDeniedError);
    expect(await readFile(path.join(ws.outside, 'secret.txt'), 'utf8')).toBe('top secret\n');
  });

  it('a FIFO is refused at once, not waited on', async () => {
    execFileSync('mkfifo', [path.join(ws.root, 'pipe')]);
    await expect(readTool.execute({ file_path: 'pipe' }, ws.ctx)).rejects.toThrow(/not a regular file/);
    await expect(
      editTool.execute({ file_path: 'pipe', old_string: 'a', new_string: 'b' }, ws.ctx),
    ).rejects.toThrow(/not a regular file/);
  });

  it('a socket is refused', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(path.join(ws.root, 'sock'), resolve));
    try {
      await expect(readTool.execute({ file_path: 'sock' }, ws.ctx)).rejects.toThrow(/not a regular file/);
    } finally {
      server.close();
    }
  });

  it('a device reached through a symlink is outside the workspace', async () => {
    await symlink('/dev/zero', path.join(ws.root, 'zero'));
    await expect(readTool.execute({ file_path: 'zero' }, ws.ctx)).rejects.toBeInstanceOf(ToolDeniedError);
  });

  it('a file over the size cap is refused with how to page through it', async () => {
    const big = await makeWorkspace({ limits: { readMaxFileBytes: 1024 } });
    try {
      await big.file('big.log', 'line\n'.repeat(1000));
      const error = (await readTool
        .execute({ file_path: 'big.log' }, big.ctx)
        .catch((e: unknown) => e)) as ToolExecutionError;
      expect(error.message).toMatch(/over Read's limit of 1 KiB/);
      expect(error.hint).toMatch(/Grep.*sed -n/);
    } finally {
      await big.cleanup();
    }
  });

  it('the default cap refuses a huge (sparse) file without reading it', async () => {
    const file = await ws.file('huge.bin', '');
    await truncate(file, 65 * 1024 * 1024);
    await expect(readTool.execute({ file_path: 'huge.bin' }, ws.ctx)).rejects.toThrow(/65\.0 MiB/);
  });

  it('a binary file is refused with a hint', async () => {
    await mkdir(path.join(ws.root, 'bin'));
    await writeFile(path.join(ws.root, 'bin', 'a.out'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1]));
    await expect(readTool.execute({ file_path: 'bin/a.out' }, ws.ctx)).rejects.toThrow(/binary file/);
  });
});

describe('control files through the file tools themselves (issue 12 §2, §3)', () => {
  /** The engine's gate (the policy) and the tool's own re-check of the opened file must both refuse. */
  async function refused(file: string, policy: AgentPolicy, content = '[core]\n\tfsmonitor = "id"\n') {
    const ctx = { ...ws.ctx, permissions: policy.permissions };
    expect((await policy.check('Write', { file_path: file, content })).decision, file).toBe('denied');
    const outcome = await writeTool.execute({ file_path: file, content }, ctx).catch((e: unknown) => e);
    expect(outcome, file).toBeInstanceOf(ToolDeniedError);
    expect(String((outcome as Error).message)).toContain('protected control path');
  }

  it('with only the Write tool, git cannot be pointed elsewhere: any file in .git, or a new nested .git', async () => {
    execFileSync('git', ['init', '-q', ws.root]);
    const policy = agentPolicy(
      loadPermissionPolicy({ cwd: ws.root, homeDir: ws.outside, config: {} }),
      { name: 'a' },
      ws.root,
    );
    const before = await snapshotTree(path.join(ws.root, '.git'));
    for (const file of [
      '.git/commondir',
      '.git/info/attributes',
      '.git/objects/info/alternates',
      '.git/config.worktree',
      '.git/packed-refs',
    ])
      await refused(file, policy, '../evil\n');
    for (const file of ['sub/.git', 'vendor/lib/.git/config']) await refused(file, policy);
    expect(await snapshotTree(path.join(ws.root, '.git'))).toEqual(before);
    expect(existsSync(path.join(ws.root, 'sub/.git'))).toBe(false);
    expect(existsSync(path.join(ws.root, 'vendor/lib/.git/config'))).toBe(false);
  });

  it('the target of a symlinked control file is refused by Write and Edit, which leave it unchanged', async () => {
    await ws.file('docs/s.json', '{"permissions":{"deny":["Bash(curl:*)"]}}');
    await mkdir(path.join(ws.root, '.claude'));
    await symlink('../docs/s.json', path.join(ws.root, '.claude/settings.json'));
    const policy = agentPolicy(
      loadPermissionPolicy({ cwd: ws.root, homeDir: ws.outside, config: {} }),
      { name: 'a' },
      ws.root,
    );
    await refused('docs/s.json', policy, '{}');
    const ctx = { ...ws.ctx, permissions: policy.permissions };
    await expect(
      editTool.execute({ file_path: 'docs/s.json', old_string: 'deny', new_string: 'allow' }, ctx),
    ).rejects.toThrow(/protected control path/);
    expect(await readFile(path.join(ws.root, 'docs/s.json'), 'utf8')).toBe(
      '{"permissions":{"deny":["Bash(curl:*)"]}}',
    );
  });

  it('a symlink on the way to a control file (review G) is refused by Write, which never re-points it', async () => {
    // `.mcp.json -> a.json -> b.json`, and `.claude -> conf/claude` with `conf -> cfg`.
    await ws.file('b.json', '{"mcpServers":{}}');
    await symlink('b.json', path.join(ws.root, 'a.json'));
    await symlink('a.json', path.join(ws.root, '.mcp.json'));
    await ws.file('cfg/claude/settings.json', '{}');
    await ws.file('cfg/notes.txt', 'x');
    await symlink('cfg', path.join(ws.root, 'conf'));
    await symlink('conf/claude', path.join(ws.root, '.claude'));
    const policy = agentPolicy(
      loadPermissionPolicy({ cwd: ws.root, homeDir: ws.outside, config: { allow: ['Write'] } }),
      { name: 'a' },
      ws.root,
    );
    await refused('a.json', policy, '{"mcpServers":{"x":{"command":"sh"}}}');
    expect((await policy.check('Write', { file_path: 'conf', content: 'x' })).reason).toMatch(
      /the symlink conf, which \.claude resolves through/,
    );
    for (const [link, to] of [
      ['a.json', 'b.json'],
      ['conf', 'cfg'],
    ] as const)
      expect(await readlink(path.join(ws.root, link))).toBe(to);
    expect(await readFile(path.join(ws.root, 'b.json'), 'utf8')).toBe('{"mcpServers":{}}');
    // What lies behind the linked directory, and is no control file, stays writable.
    const ctx = { ...ws.ctx, permissions: policy.permissions };
    expect((await policy.check('Write', { file_path: 'conf/notes.txt', content: 'y' })).decision).toBe(
      'allowed',
    );
    await writeTool.execute({ file_path: 'conf/notes.txt', content: 'y' }, ctx);
    expect(await readFile(path.join(ws.root, 'cfg/notes.txt'), 'utf8')).toBe('y');
  });
});
