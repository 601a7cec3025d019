import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolDeniedError } from '../errors/index.ts';
import { bashTool } from '../tools/bash.ts';
import { makeWorkspace } from '../tools/testing.ts';
import { MAX_CONTROL_ENTRIES } from './control-links.ts';
import { gitlinks } from './git-index.ts';
import {
  bwrapArgs,
  defaultSecretPaths,
  findTrustedBinary,
  gitControlPaths,
  hiddenParents,
  MAX_HIDDEN_MOUNTS,
  probeBubblewrap,
  protectedPaths,
  resolveHiddenPaths,
  resolveLinks,
  sandboxEnv,
  sandboxLaunch,
  sandboxStatus,
} from './index.ts';
import { describeWithSandbox, sandboxSkipReason, sandboxTestStatus, testGit } from './testing.ts';

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

  it('mode auto refuses Bash where the sandbox cannot work (the safe default), saying how to choose otherwise; mode off runs it', async () => {
    const missing = join(dir, 'bwrap');
    const ws = await makeWorkspace({ sandbox: { mode: 'auto', bwrapPath: missing } });
    try {
      expect(sandboxLaunch({ mode: 'off', bwrapPath: missing }, request(ws.root))).toBeUndefined();
      await expect(bashTool.execute({ command: 'touch ran && echo ran' }, ws.ctx)).rejects.toMatchObject({
        type: 'ToolDenied',
        message: expect.stringMatching(
          /^Bash runs only inside the OS sandbox \(sandbox\.mode is "auto"\).*does not exist/,
        ),
        hint: expect.stringContaining('CODEX_TASK_SANDBOX=off'),
      });
      expect(existsSync(join(ws.root, 'ran'))).toBe(false);
      expect(sandboxStatus({ mode: 'auto', bwrapPath: missing }).bash).toBe('refused');
      expect(sandboxStatus({ mode: 'off', bwrapPath: missing }).bash).toBe('unsandboxed');
      const off = await makeWorkspace({ sandbox: { mode: 'off', bwrapPath: missing } });
      try {
        expect(await bashTool.execute({ command: 'touch ran && echo ran' }, off.ctx)).toBe('ran');
      } finally {
        await off.cleanup();
      }
    } finally {
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

const git = testGit;

describe('protected paths', () => {
  it('each specifier at the top of the workspace; a .git file (worktree) is protected too', async () => {
    await writeFile(join(dir, '.git'), 'gitdir: /elsewhere\n');
    expect(protectedPaths(dir, ['.claude', '**/.git/hooks', '.mcp.json', './.codex/**', 'src/*.ts'])).toEqual(
      [
        { path: join(dir, '.claude'), directory: true },
        { path: join(dir, '.codex'), directory: true },
        { path: join(dir, '.git'), directory: true, via: "the workspace's .git" },
        { path: join(dir, '.git', 'hooks'), directory: false },
        { path: join(dir, '.mcp.json'), directory: false },
      ],
    );
  });

  it("what git reads besides .git: a .git file's git dir and its commondir, config includes, core.hooksPath", async () => {
    // A linked worktree whose repository lives inside the workspace (gitdirs/main.git).
    await mkdir(join(dir, 'gitdirs/main.git/worktrees/ws'), { recursive: true });
    await writeFile(join(dir, '.git'), `gitdir: ${join(dir, 'gitdirs/main.git/worktrees/ws')}\n`);
    await writeFile(join(dir, 'gitdirs/main.git/worktrees/ws/commondir'), '../..\n');
    await writeFile(
      join(dir, 'gitdirs/main.git/config'),
      '[core]\n\thooksPath = "tools/hooks" ; husky-like\n[include]\n\tpath = ../../shared/gitconfig\n[includeIf "gitdir:~/w/"]\n\tpath = ~/elsewhere\n',
    );
    await mkdir(join(dir, 'shared'));
    await writeFile(join(dir, 'shared/gitconfig'), '[include]\n\tpath = more.inc\n');
    const found = protectedPaths(dir, ['.git']);
    expect(found.map((p) => [p.path.slice(dir.length + 1), p.via])).toEqual([
      ['.git', undefined], // protected by its name
      ['gitdirs/main.git', 'the common git directory gitdirs/main.git/worktrees/ws/commondir names'],
      ['gitdirs/main.git/worktrees/ws', 'the git directory .git names'],
      ['shared/gitconfig', 'included by gitdirs/main.git/config'],
      ['shared/more.inc', 'included by shared/gitconfig'],
      ['tools/hooks', 'core.hooksPath in gitdirs/main.git/config'],
    ]);
  });

  it("each submodule's .git, from the index's gitlinks (with or without .gitmodules), nested ones too", async () => {
    const up = join(dir, 'up');
    await mkdir(up);
    git(up, 'init', '-q');
    git(up, 'commit', '-q', '--allow-empty', '-m', 'u');
    const ws = join(dir, 'ws');
    await mkdir(ws);
    git(ws, 'init', '-q');
    git(ws, 'submodule', '-q', 'add', up, 'libs/a');
    git(ws, 'submodule', '-q', 'add', up, 'b');
    git(join(ws, 'libs/a'), 'submodule', '-q', 'add', up, 'inner');
    await rm(join(ws, '.gitmodules'));
    const subs = (p: string) =>
      protectedPaths(p, ['.git'])
        .filter((e) => e.via?.startsWith('the .git of the submodule'))
        .map((e) => e.path.slice(p.length + 1));
    expect(subs(ws)).toEqual(['b/.git', 'libs/a/.git', 'libs/a/inner/.git']);
    // Index version 4 (prefix-compressed names) reads the same.
    git(ws, 'update-index', '--index-version', '4');
    expect(gitlinks(join(ws, '.git/index'))).toEqual(['b', 'libs/a']);
    // A submodule not checked out (deinit) still has its gitlink: its missing .git is protected.
    git(ws, 'submodule', '-q', 'deinit', '-f', 'b');
    expect(subs(ws)).toContain('b/.git');
  });

  it("the repository the workspace lies in (a monorepo's package), linked worktrees' .git, the user's relative core.hooksPath", async () => {
    const repo = join(dir, 'repo');
    const home = join(dir, 'home');
    await mkdir(join(repo, 'packages/app'), { recursive: true });
    await mkdir(home);
    git(repo, 'init', '-q');
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'x');
    git(repo, 'worktree', 'add', '-q', join(repo, 'packages/app/wt'));
    await writeFile(join(home, '.gitconfig'), '[core]\n\thooksPath = .githooks\n');
    const app = join(repo, 'packages/app');
    const found = gitControlPaths(app, home).filter((p) => p.path.startsWith(`${app}/`));
    expect(found.map((p) => [p.path.slice(app.length + 1), p.via])).toEqual([
      ['wt/.git', 'the .git of a linked worktree (../../.git/worktrees/wt/gitdir)'],
      ['wt/.githooks', `core.hooksPath in ${join('../../..', 'home/.gitconfig')}`],
    ]);
  });

  it('SHA-256 repositories: the gitlinks of their index are read too', async () => {
    const ws = join(dir, 'ws');
    await mkdir(ws);
    try {
      git(ws, 'init', '-q', '--object-format=sha256');
    } catch {
      return; // a git without SHA-256 support
    }
    git(ws, 'update-index', '--add', '--cacheinfo', `160000,${'a'.repeat(64)},sub`);
    expect(gitlinks(join(ws, '.git/index'), 32)).toEqual(['sub']);
    expect(protectedPaths(ws, ['.git']).map((e) => e.path)).toContain(join(ws, 'sub/.git'));
  });

  it('what control symlinks lead to, at any depth and through linked directories; a dangling target too', async () => {
    await mkdir(join(dir, '.claude/agents'), { recursive: true });
    await mkdir(join(dir, 'docs/agents'), { recursive: true });
    await writeFile(join(dir, 'docs/s.json'), '{}');
    await symlink('../docs/s.json', join(dir, '.claude/settings.json'));
    await symlink('../../docs/agents', join(dir, '.claude/agents/shared'));
    await symlink('../x.md', join(dir, 'docs/agents/x.md'));
    await symlink('config/mcp.json', join(dir, '.mcp.json'));
    await symlink('/etc/hostname', join(dir, '.claude/outside'));
    await symlink('..', join(dir, '.claude/up'));
    const found = protectedPaths(dir, ['.claude', '.mcp.json']).filter((p) =>
      p.via?.startsWith('the symlink'),
    );
    expect(found.map((p) => [p.path.slice(dir.length + 1), p.via, p.directory])).toEqual([
      ['config/mcp.json', 'the symlink .mcp.json', false],
      ['docs/agents', 'the symlink .claude/agents/shared', true],
      ['docs/s.json', 'the symlink .claude/settings.json', false],
      ['docs/x.md', 'the symlink .claude/agents/shared/x.md', false],
    ]);
  });

  it('a symlinked .git and .git/config lead to what they point at', async () => {
    await mkdir(join(dir, 'repo.git/hooks'), { recursive: true });
    await writeFile(join(dir, 'repo.git/HEAD'), 'ref: refs/heads/main\n');
    await mkdir(join(dir, 'conf'));
    await writeFile(join(dir, 'conf/gitconfig'), '[core]\n\tbare = false\n');
    await symlink('../conf/gitconfig', join(dir, 'repo.git/config'));
    await symlink('repo.git', join(dir, '.git'));
    const found = protectedPaths(dir, ['.git']).filter((p) => p.via);
    expect(found.map((p) => [p.path.slice(dir.length + 1), p.via])).toEqual([
      ['conf/gitconfig', 'the symlink .git/config'],
      ['repo.git', 'the symlink .git'],
    ]);
  });

  it('the symlinks on the way to a control path are entries of their own, marked `link`; links inside protected directories are not', async () => {
    await mkdir(join(dir, 'cfg/claude'), { recursive: true });
    await mkdir(join(dir, 'store/git'), { recursive: true });
    await writeFile(join(dir, 'store/git/HEAD'), 'ref: refs/heads/main\n');
    await symlink('cfg', join(dir, 'b'));
    await symlink('b', join(dir, 'a'));
    await symlink('a/claude', join(dir, '.claude'));
    await symlink('../cfg', join(dir, 'cfg/claude/up')); // inside a protected directory
    await symlink('store', join(dir, 'conf'));
    await writeFile(join(dir, '.git'), 'gitdir: conf/git\n');
    const links = protectedPaths(dir, ['.claude', '.git']).filter((e) => e.link);
    expect(links.map((e) => [e.path.slice(dir.length + 1), e.via, e.link?.controls])).toEqual([
      [
        'a',
        'the symlink a, which .claude resolves through',
        [{ name: '.claude', leadsTo: join(dir, 'cfg/claude') }],
      ],
      [
        'b',
        'the symlink b, which .claude resolves through',
        [{ name: '.claude', leadsTo: join(dir, 'cfg/claude') }],
      ],
      [
        'conf',
        'the symlink conf, which the git directory .git names resolves through',
        [{ name: 'the git directory .git names', leadsTo: join(dir, 'store/git') }],
      ],
    ]);
  });

  it('links are followed as the kernel does: `..` after a link goes up from where it led; loops and missing names stop', async () => {
    await mkdir(join(dir, 'x/y'), { recursive: true });
    await symlink('x/y', join(dir, 'l'));
    await symlink('loop2', join(dir, 'loop1'));
    await symlink('loop1', join(dir, 'loop2'));
    expect(resolveLinks(`${dir}/l/../z`)).toEqual({ path: join(dir, 'x/z'), links: [join(dir, 'l')] });
    expect(resolveLinks(join(dir, 'l/missing/file'))).toEqual({
      path: join(dir, 'x/y/missing/file'),
      links: [join(dir, 'l')],
    });
    expect(resolveLinks(join(dir, 'loop1/f')).links).toEqual([join(dir, 'loop1'), join(dir, 'loop2')]);
  });

  it("husky's `core.hooksPath=<dir>/_`: the hooks it runs one level up are git's too", async () => {
    await mkdir(join(dir, '.git'));
    await writeFile(join(dir, '.git/config'), '[core]\n\thooksPath = .config/husky/_\n');
    expect(gitControlPaths(dir, join(dir, 'home')).map((p) => [p.path.slice(dir.length + 1), p.via])).toEqual(
      [
        ['.git', "the workspace's .git"],
        ['.config/husky/_', 'core.hooksPath in .git/config'],
        ['.config/husky', "the hooks husky's core.hooksPath in .git/config runs"],
        ['node_modules/.bin', "the commands husky's hooks find first on PATH"],
      ],
    );
  });

  it("husky's hooks run with node_modules/.bin first on PATH: it is protected, but not what its links lead to", async () => {
    const bin = (entries: { path: string }[]) =>
      entries.map((p) => p.path.slice(dir.length + 1)).filter((p) => p.startsWith('node_modules'));
    await mkdir(join(dir, '.git/hooks'), { recursive: true });
    await writeFile(join(dir, '.git/hooks/pre-commit'), '#!/bin/sh\nnpx lint-staged\n');
    await mkdir(join(dir, 'node_modules/.bin'), { recursive: true });
    await mkdir(join(dir, 'node_modules/prettier/bin'), { recursive: true });
    await symlink('../prettier/bin/prettier.cjs', join(dir, 'node_modules/.bin/prettier'));
    // Plain hooks: PATH is the user's, and `npx lint-staged` runs the project's code whatever .bin holds.
    expect(bin(protectedPaths(dir, ['.git']))).toEqual([]);
    // husky v9 (core.hooksPath = .husky/_), and a .husky not yet installed on this clone.
    await writeFile(join(dir, '.git/config'), '[core]\n\thooksPath = .husky/_\n');
    expect(bin(protectedPaths(dir, ['.git']))).toEqual(['node_modules/.bin']);
    await writeFile(join(dir, '.git/config'), '');
    await mkdir(join(dir, '.husky'));
    const found = protectedPaths(dir, ['.git']);
    expect(bin(found)).toEqual(['node_modules/.bin']);
    expect(found.find((p) => p.path === join(dir, 'node_modules/.bin'))).toEqual({
      path: join(dir, 'node_modules/.bin'),
      directory: true,
      via: "the commands husky's hooks find first on PATH",
    });
  });

  it('the index parser: an entry with extended flags (version 3), and no index at all', async () => {
    const ws = join(dir, 'ws');
    await mkdir(ws);
    git(ws, 'init', '-q');
    await writeFile(join(ws, 'f'), 'x');
    git(ws, 'add', '--intent-to-add', 'f'); // intent-to-add sets an extended flag: a version 3 index
    git(ws, 'update-index', '--add', '--cacheinfo', `160000,${'b'.repeat(40)},z/sub`);
    expect(readFileSync(join(ws, '.git/index')).readUInt32BE(4)).toBe(3);
    expect(gitlinks(join(ws, '.git/index'))).toEqual(['z/sub']);
    expect(gitlinks(join(ws, 'missing-index'))).toEqual([]);
  });
});

describe('the environment', () => {
  it('a credential by value goes whatever its name: a URL with a password or a token for a user, a private key', () => {
    const env = sandboxEnv(
      {
        A: 'postgres://app:pw@db/app',
        B: 'redis://:pw@cache:6379',
        C: 'https://0123456789abcdef0123@o1.ingest.sentry.io/1',
        D: 'x -----BEGIN RSA PRIVATE KEY----- y',
        E: 'first https://example.com then https://u:p@h/x',
        KEEP_1: 'https://example.com/@scope/pkg',
        KEEP_2: 'ssh://git@github.com/o/r.git',
        KEEP_3: 'https://example.com:8443/a?b=c:d@e',
        KEEP_4: '-----BEGIN CERTIFICATE-----',
      },
      {},
    );
    expect(Object.keys(env)).toEqual(['KEEP_1', 'KEEP_2', 'KEEP_3', 'KEEP_4']);
  });

  it('review 2: numbered and suffixed keys, kubeconfigs, keystores, vendor key formats and PGP keys go; look-alikes stay', () => {
    const hidden = {
      OPENAI_API_KEY_2: 'x',
      ANTHROPIC_API_KEY_WORK: 'x',
      DEPLOY_KEY2: 'x',
      GITHUB_TOKEN2: 'x',
      KUBE_CONFIG_DATA: 'YXBpVmVyc2lvbjogdjE=',
      KUBECONFIG: '/home/u/.kube/config',
      ANDROID_KEYSTORE_BASE64: 'a2V5c3RvcmU=',
      // By value: the formats log redaction knows.
      STRIPE_SK: 'sk_live_51STRIPE0123',
      V1: 'sk-proj-0123456789abcdefXYZ',
      V2: 'ghp_0123456789abcdefghijklmnopqrstuvwxyz',
      V3: 'github_pat_0123456789abcdefghijklmn',
      V4: 'glpat-0123456789abcdefghij',
      V5: 'xoxb-0123456789-abcdef',
      V6: 'AIzaSy0123456789abcdefghijklmnopqrstu',
      V7: 'AKIAIOSFODNN7EXAMPLE',
      V8: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N',
      V9: '-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBG\n-----END PGP PRIVATE KEY BLOCK-----',
      V10: '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF\n',
    };
    const kept = {
      PATH: '/usr/bin',
      LANG: 'C.UTF-8',
      NODE_ENV: 'production',
      GIT_AUTHOR_NAME: 'A U Thor',
      HOME_URL: 'https://example.com',
      KEYBOARD_LAYOUT: 'us',
      MONKEY_PATCH: '1',
      TURKEY_X: '1',
      KEY_MAP: 'vim',
      SKETCH: 'sk-short',
      PGP_PUBLIC: '-----BEGIN PGP PUBLIC KEY BLOCK-----',
    };
    expect(sandboxEnv({ ...hidden, ...kept }, {})).toEqual(kept);
  });
});

describe('secrets inside the workspace', () => {
  it('the directories holding them are pinned, so no command can move them where no scan looks', () => {
    const root = '/w';
    expect(
      hiddenParents(root, [
        { path: '/w/a/b/.env', kind: 'file' },
        { path: '/w/a/c.pem', kind: 'file' },
        { path: '/w/.env', kind: 'file' },
        { path: '/home/u/.ssh', kind: 'directory' },
      ]),
    ).toEqual(['/w/a', '/w/a/b']);
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

describe('the sandbox tests in CI (CI=true): never skipped silently', () => {
  const broken = { working: false, reason: 'bwrap cannot create a sandbox here: No permissions' };
  it('without a working bubblewrap they fail in CI, saying why and how to fix it; locally they skip', () => {
    expect(sandboxTestStatus({ CI: 'true' }, broken)).toEqual({
      run: false,
      ci: true,
      reason: expect.any(String),
    });
    expect(() => sandboxSkipReason({ CI: 'true' }, broken)).toThrow(
      /CI is set, and the OS sandbox tests cannot run: no working bubblewrap here: bwrap cannot create a sandbox here: No permissions\. In CI they must run, not skip: install bubblewrap/,
    );
    for (const env of [{}, { CI: 'false' }, { CI: '0' }, { CI: '' }])
      expect(sandboxTestStatus(env, broken)).toMatchObject({ run: false, ci: false });
    expect(sandboxSkipReason({}, broken)).toMatch(/^no working bubblewrap here: /);
    expect(sandboxTestStatus({ CI: 'true' }, { working: true })).toEqual({ run: true });
  });
});

describeWithSandbox('with bubblewrap', () => {
  it(`over ${MAX_HIDDEN_MOUNTS} mounts, Bash refuses to run, naming the count, where most are and the fix`, async () => {
    const files = Array.from({ length: MAX_HIDDEN_MOUNTS + 1 }, (_, i) => join(dir, 'decoys', `k${i}.pem`));
    await mkdir(join(dir, 'decoys'));
    for (const file of files) await writeFile(file, 'x');
    const error = (() => {
      try {
        sandboxLaunch(
          { mode: 'require', homeDir: join(dir, 'home') },
          { ...request(dir), hiddenPaths: files },
        );
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ToolDeniedError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `\\d+ secret files and directories .* \\(${MAX_HIDDEN_MOUNTS + 1} of them in decoys\\).* over the limit of ${MAX_HIDDEN_MOUNTS}.*nothing was run`,
      ),
    );
    expect((error as ToolDeniedError).hint).toMatch(/secretExceptions.*"decoys\/\*\*"/);
  });

  it('control directories too large to search for symlinks: Bash refuses rather than miss one', async () => {
    await mkdir(join(dir, '.claude/many'), { recursive: true });
    for (let i = 0; i <= MAX_CONTROL_ENTRIES; i++) writeFileSync(join(dir, '.claude/many', String(i)), '');
    expect(() => protectedPaths(dir, ['.claude'])).toThrow(/control paths hold more than 20,000 entries/);
    expect(() => sandboxLaunch({ mode: 'require', homeDir: join(dir, 'home') }, request(dir))).toThrow(
      /Bash cannot run in the sandbox: the workspace's control paths hold more than 20,000 entries \(under \.claude\/many\)/,
    );
    // 20,001 files written and searched: slow I/O on a loaded machine, a hang guard only.
  }, 60_000);

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
