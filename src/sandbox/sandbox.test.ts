import { chmod, mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolDeniedError } from '../errors/index.ts';
import { bashTool } from '../tools/bash.ts';
import { makeWorkspace } from '../tools/testing.ts';
import {
  bwrapArgs,
  defaultSecretPaths,
  findTrustedBinary,
  probeBubblewrap,
  protectedPaths,
  resolveHiddenPaths,
  sandboxLaunch,
  sandboxStatus,
} from './index.ts';
import { sandboxSkipReason } from './testing.ts';

let dir: string;
beforeEach(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'codex-task-sandbox-')));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const request = (workspaceRoot: string) => ({ workspaceRoot, network: false, hiddenPaths: undefined });

describe('without a working bubblewrap', () => {
  it('the probe says why: a missing binary', () => {
    const probe = probeBubblewrap({ bwrapPath: join(dir, 'bwrap') });
    expect(probe).toEqual({
      bwrapPath: join(dir, 'bwrap'),
      working: false,
      reason: `${join(dir, 'bwrap')} does not exist`,
    });
  });

  it('the probe says why: a binary that cannot make a sandbox', async () => {
    const fake = join(dir, 'fake-bwrap');
    await writeFile(
      fake,
      '#!/bin/sh\n[ "$1" = --version ] && echo "bubblewrap 9.9" && exit 0\necho "bwrap: No permissions to create new namespace" >&2; exit 1\n',
      { mode: 0o755 },
    );
    expect(probeBubblewrap({ bwrapPath: fake })).toEqual({
      bwrapPath: fake,
      version: 'bubblewrap 9.9',
      working: false,
      reason: 'bwrap cannot create a sandbox here: bwrap: No permissions to create new namespace',
    });
  });

  it('mode require refuses Bash, runs nothing, and says how to install bubblewrap', async () => {
    const ws = await makeWorkspace({ sandbox: { mode: 'require', bwrapPath: join(dir, 'bwrap') } });
    try {
      const error = await bashTool.execute({ command: 'touch ran' }, ws.ctx).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ToolDeniedError);
      expect((error as Error).message).toMatch(/sandbox\.mode is "require".*does not exist/);
      expect((error as ToolDeniedError).hint).toMatch(/apt-get install bubblewrap/);
      await expect(readFile(join(ws.root, 'ran'))).rejects.toThrow(/ENOENT/);
      expect(sandboxStatus({ mode: 'require', bwrapPath: join(dir, 'bwrap') }).bash).toBe('refused');
    } finally {
      await ws.cleanup();
    }
  });

  it('mode auto runs Bash unsandboxed and warns once per process; mode off never warns', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const missing = join(dir, 'bwrap');
    const ws = await makeWorkspace({ sandbox: { mode: 'auto', bwrapPath: missing } });
    try {
      expect(sandboxLaunch({ mode: 'off', bwrapPath: missing }, request(ws.root))).toBeUndefined();
      await new Promise((r) => setImmediate(r));
      expect(warnings).toEqual([]);
      expect(await bashTool.execute({ command: 'touch ran && echo ran' }, ws.ctx)).toBe('ran');
      expect(
        await bashTool.execute({ command: `echo x > ${ws.outside}/written && echo again` }, ws.ctx),
      ).toBe('again');
      await new Promise((r) => setImmediate(r));
      expect(warnings.map((w) => [w.name, w.message])).toEqual([
        ['SandboxWarning', expect.stringMatching(/^Bash runs WITHOUT the OS sandbox: .*does not exist/)],
      ]);
      expect(sandboxStatus({ mode: 'auto', bwrapPath: missing }).bash).toBe('unsandboxed');
    } finally {
      process.off('warning', onWarning);
      await ws.cleanup();
    }
  });
});

describe('bwrap arguments', () => {
  const spec = {
    workspaceRoot: '/work/ws',
    homeDir: '/home/u',
    network: false,
    hidden: [
      { path: '/home/u/.ssh', kind: 'directory' as const },
      { path: '/work/ws/.env', kind: 'file' as const },
    ],
  };

  it('mount order: read-only root, /dev, /proc, private /tmp, home read-only, workspace writable, hidden last', () => {
    const args = bwrapArgs(spec).join(' ');
    const order = [
      '--ro-bind / /',
      '--dev /dev',
      '--proc /proc',
      '--tmpfs /tmp',
      '--ro-bind-try /home/u /home/u',
      '--bind /work/ws /work/ws',
      '--perms 0000 --tmpfs /home/u/.ssh',
      '--ro-bind /dev/null /work/ws/.env',
      '--chdir /work/ws',
    ].map((part) => args.indexOf(part));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('protected paths after the workspace: parents pinned, existing read-only, missing directories stood in for', () => {
    const args = bwrapArgs({
      ...spec,
      protected: {
        pinned: ['/work/ws/.git'],
        readOnly: ['/work/ws/.git/hooks'],
        placeholders: ['/work/ws/.codex'],
      },
    }).join(' ');
    const order = [
      '--bind /work/ws /work/ws',
      '--bind-try /work/ws/.git /work/ws/.git',
      '--ro-bind-try /work/ws/.git/hooks /work/ws/.git/hooks',
      '--tmpfs /work/ws/.codex --remount-ro /work/ws/.codex',
      '--perms 0000 --tmpfs /home/u/.ssh',
    ].map((part) => args.indexOf(part));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('always a PID namespace, no capabilities, dies with its parent; no network unless allowed', () => {
    for (const network of [false, true]) {
      const args = bwrapArgs({ ...spec, network });
      expect(args).toEqual(
        expect.arrayContaining(['--unshare-pid', '--die-with-parent', '--cap-drop', 'ALL']),
      );
      expect(args.includes('--unshare-net')).toBe(!network);
    }
  });
});

describe('hidden paths', () => {
  it('keeps what exists, resolves symlinks, and drops what a hidden directory already covers', async () => {
    await mkdir(join(dir, 'keys'));
    await writeFile(join(dir, 'keys', 'id'), 'k');
    await writeFile(join(dir, 'token'), 't');
    await symlink(join(dir, 'token'), join(dir, 'link-to-token'));
    expect(
      resolveHiddenPaths([
        join(dir, 'keys', 'id'),
        join(dir, 'link-to-token'),
        join(dir, 'keys'),
        join(dir, 'missing'),
        join(dir, 'token'),
      ]),
    ).toEqual([
      { path: join(dir, 'keys'), kind: 'directory' },
      { path: join(dir, 'token'), kind: 'file' },
    ]);
  });

  it('the default list lives under the given home and expands a final *', async () => {
    await mkdir(join(dir, '.claude'));
    await writeFile(join(dir, '.claude', '.credentials.json'), '{}');
    await mkdir(join(dir, '.codex-task'));
    await writeFile(join(dir, '.claude', '.credentials.old'), '{}');
    await writeFile(join(dir, '.claude', 'settings.json'), '{}');
    const paths = defaultSecretPaths(dir);
    expect(paths).toEqual(
      expect.arrayContaining([
        join(dir, '.ssh'),
        join(dir, '.aws'),
        join(dir, '.codex', 'auth.json'),
        join(dir, '.codex-task'),
        join(dir, '.claude', '.credentials.json'),
        join(dir, '.claude', '.credentials.old'),
      ]),
    );
    expect(paths).not.toContain(join(dir, '.claude', 'settings.json'));
    expect(paths.every((p) => p.startsWith(`${dir}/`))).toBe(true);
  });
});

describe('protected paths', () => {
  it('each specifier at the top of the workspace; a .git file (worktree) is protected too', async () => {
    await writeFile(join(dir, '.git'), 'gitdir: /elsewhere\n');
    expect(protectedPaths(dir, ['.claude', '**/.git/hooks', '.mcp.json', './.codex/**', 'src/*.ts'])).toEqual(
      [
        { path: join(dir, '.claude'), directory: true },
        { path: join(dir, '.codex'), directory: true },
        { path: join(dir, '.git'), directory: false },
        { path: join(dir, '.git', 'hooks'), directory: true },
        { path: join(dir, '.mcp.json'), directory: false },
      ],
    );
  });
});

describe('binaries the host runs', () => {
  const fake = async (at: string, name: string) => {
    await mkdir(at, { recursive: true });
    await writeFile(join(at, name), '#!/bin/sh\n');
    await chmod(join(at, name), 0o755);
  };

  it('never from a relative PATH entry, a node_modules directory or an untrusted one; the real path', async () => {
    const name = 'codex-task-test-binary';
    const ws = join(dir, 'ws');
    await fake(join(ws, 'node_modules', '.bin'), name);
    await fake(join(ws, 'bin'), name);
    await fake(join(dir, 'elsewhere', 'node_modules', '.bin'), name);
    const path = [
      'bin',
      join(ws, 'node_modules', '.bin'),
      join(ws, 'bin'),
      join(dir, 'elsewhere', 'node_modules', '.bin'),
    ];
    expect(findTrustedBinary(name, { path: path.join(':'), untrusted: [ws] })).toBeUndefined();
    await fake(join(dir, 'tools'), name);
    await symlink(join(dir, 'tools'), join(dir, 'tools-link'));
    expect(
      findTrustedBinary(name, { path: [...path, join(dir, 'tools-link')].join(':'), untrusted: [ws] }),
    ).toBe(join(dir, 'tools', name));
  });

  it('the system directories before PATH', async () => {
    await fake(join(dir, 'bin'), 'sh');
    expect(findTrustedBinary('sh', { path: join(dir, 'bin') })).toBe(await realpath('/bin/sh'));
  });
});

const skip = sandboxSkipReason();
describe.skipIf(skip)(`with bubblewrap${skip ? ` (SKIPPED: ${skip})` : ''}`, () => {
  it('the probe finds bwrap on PATH, with its version, working', () => {
    expect(probeBubblewrap()).toMatchObject({
      working: true,
      version: expect.stringMatching(/^bubblewrap \d/),
    });
  });

  it('the launch drops credentials, sets HOME to the sandbox home and caches to its private /tmp', () => {
    const launch = sandboxLaunch({ mode: 'auto', homeDir: dir, hiddenEnv: ['LLM_GATEWAY'] }, request(dir), {
      PATH: '/usr/bin',
      HOME: '/elsewhere',
      LANG: 'C.UTF-8',
      OPENAI_API_KEY: 'sk-x',
      GEMINI_API_KEY: 'g',
      OPENAI_COMPATIBLE_API_KEY: 'c',
      CODEX_TASK_PROXY_TOKEN: 'p',
      AWS_SECRET_ACCESS_KEY: 'a',
      github_token: 'g',
      SECRET_KEY_BASE: 's',
      MYSQL_PWD: 'm',
      Llm_Gateway: 'l',
      KEEP: '1',
      TOKENIZERS_PARALLELISM: 'false',
    });
    expect(launch?.env).toEqual({
      PATH: '/usr/bin',
      HOME: dir,
      LANG: 'C.UTF-8',
      KEEP: '1',
      TOKENIZERS_PARALLELISM: 'false',
      XDG_CACHE_HOME: '/tmp/.cache',
      npm_config_cache: '/tmp/.npm',
    });
    expect(launch?.prefix[0]).toBe(probeBubblewrap().bwrapPath);
  });
});
