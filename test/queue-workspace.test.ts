import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WorkspaceUnavailableError } from '../src/errors/index.ts';
import { gitTest } from '../src/queue/testing.ts';
import {
  describeWorkspace,
  type GitWorkspaceOutcome,
  type PreparedWorkspace,
  prepareWorkspace,
  type WorkspaceSpec,
  WorkspaceSpecSchema,
} from '../src/queue/workspace.ts';
import { PATCH_MAX_BYTES, patchBytes, redactRemote } from '../src/queue/workspace-git.ts';

// Real git throughout: a bare repository on disk is the remote (a file path), a client clone makes
// the commit, and the worker side works in its own data directory, as on another machine.

const sh = gitTest;

let root: string;
let remote: string;
let client: string;
let dataDir: string;
let base: string;
const open: PreparedWorkspace[] = [];

/** The remote and the client clone, made once and copied for each test (git is slow to start many times). */
let template: string;

beforeAll(async () => {
  template = await mkdtemp(join(tmpdir(), 'codex-task-workspace-template-'));
  const made = join(template, 'client');
  mkdirSync(join(made, 'pkg'), { recursive: true });
  writeFileSync(join(made, 'notes.md'), 'one\ntwo\n');
  writeFileSync(join(made, 'gone.txt'), 'to be deleted\n');
  writeFileSync(join(made, '.gitignore'), 'build/\n');
  writeFileSync(join(made, 'pkg', 'index.ts'), 'export {};\n');
  sh(made, 'init', '--quiet', '--initial-branch=main');
  sh(made, 'add', '--all');
  sh(made, 'commit', '--quiet', '-m', 'first');
  sh(template, 'clone', '--quiet', '--bare', made, 'origin.git');
  // Relative, so that each test's copy pushes to its own remote.
  sh(made, 'remote', 'add', 'origin', '../origin.git');
  base = sh(made, 'rev-parse', 'HEAD');
});

afterAll(() => {
  rmSync(template, { recursive: true, force: true });
});

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'codex-task-workspace-'));
  cpSync(template, root, { recursive: true });
  remote = join(root, 'origin.git');
  client = join(root, 'client');
  dataDir = join(root, 'worker-data');
});

afterEach(async () => {
  for (const ws of open.splice(0)) await ws.finish().catch(() => {});
  rmSync(root, { recursive: true, force: true });
});

async function prepare(
  spec: WorkspaceSpec,
  taskId = 'task1',
  signal?: AbortSignal,
): Promise<PreparedWorkspace> {
  const ws = await prepareWorkspace(WorkspaceSpecSchema.parse(spec), {
    taskId,
    dataDir,
    allowedRoots: [realpathSync(root)],
    ...(signal ? { signal } : {}),
  });
  open.push(ws);
  return ws;
}

/** Everything the worker keeps between tasks: its caches of remotes, and nothing else. */
function leftovers(): string[] {
  const remotes = join(dataDir, 'workspaces', 'remotes');
  const found = readdirSync(join(dataDir, 'workspaces')).filter((f) => f !== 'remotes');
  for (const cache of readdirSync(remotes)) {
    const dir = join(remotes, cache);
    if (
      existsSync(join(dir, 'codex-task-worktrees')) &&
      readdirSync(join(dir, 'codex-task-worktrees')).length > 0
    )
      found.push(`${cache}/codex-task-worktrees`);
    const branches = sh(dir, 'branch', '--list');
    if (branches) found.push(`${cache}: ${branches}`);
    const worktrees = sh(dir, 'worktree', 'list').split('\n').length;
    if (worktrees > 1) found.push(`${cache}: ${worktrees - 1} worktree(s)`);
    const refs = sh(dir, 'for-each-ref', 'refs/codex-task-fetch');
    if (refs) found.push(refs);
  }
  return found;
}

function apply(outcome: GitWorkspaceOutcome): void {
  const file = join(root, 'task.patch');
  writeFileSync(file, patchBytes(outcome.patch!));
  sh(client, 'apply', '--check', '--binary', file);
  sh(client, 'apply', '--binary', file);
}

describe('a git workspace on a worker', () => {
  it('checks out the commit in a fresh worktree, returns every change as a patch that applies to the original, and leaves nothing behind', async () => {
    const ws = await prepare({ git: { remote, commit: base } });
    expect(readFileSync(join(ws.cwd, 'notes.md'), 'utf8')).toBe('one\ntwo\n');
    expect(sh(ws.cwd, 'rev-parse', 'HEAD')).toBe(base);
    expect(sh(ws.cwd, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('codex-task/task1');

    // What a task does: edits, a new binary file, a deletion, a file in an ignored folder, a commit of its own.
    writeFileSync(join(ws.cwd, 'notes.md'), 'one\ntwo\nthree\n');
    const binary = Buffer.concat([Buffer.from([0, 1, 2, 255, 254]), randomBytes(2048)]);
    writeFileSync(join(ws.cwd, 'logo.bin'), binary);
    rmSync(join(ws.cwd, 'gone.txt'));
    mkdirSync(join(ws.cwd, 'build'));
    writeFileSync(join(ws.cwd, 'build', 'out.js'), 'generated');
    writeFileSync(join(ws.cwd, 'pkg', 'index.ts'), 'export const x = 1;\n');
    sh(ws.cwd, 'commit', '--quiet', '-am', 'the task committed this');

    const outcome = (await ws.finish()) as GitWorkspaceOutcome;
    expect(outcome).toMatchObject({
      kind: 'git',
      remote,
      base,
      changed: true,
      summary: expect.stringMatching(/^4 files changed \(1 new\).*; 1 commit$/),
      patch: { encoding: 'utf8' },
    });
    expect(outcome.pushed).toBeUndefined();
    expect(await ws.finish()).toBe(outcome);

    apply(outcome);
    expect(readFileSync(join(client, 'notes.md'), 'utf8')).toBe('one\ntwo\nthree\n');
    expect(readFileSync(join(client, 'logo.bin'))).toEqual(binary);
    expect(existsSync(join(client, 'gone.txt'))).toBe(false);
    expect(existsSync(join(client, 'build'))).toBe(false);
    expect(readFileSync(join(client, 'pkg', 'index.ts'), 'utf8')).toBe('export const x = 1;\n');
    expect(existsSync(ws.cwd)).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('pushes the changes as codex-task/<taskId> when asked, and carries a non-UTF-8 patch as base64', async () => {
    const ws = await prepare({ git: { remote, commit: base, push: true, subdir: 'pkg' } }, 'task-push');
    expect(ws.cwd.endsWith('/pkg')).toBe(true);
    const latin1 = Buffer.from('caf\xe9 cr\xe8me\n', 'latin1');
    writeFileSync(join(ws.cwd, 'menu.txt'), latin1);
    const outcome = (await ws.finish()) as GitWorkspaceOutcome;
    expect(outcome.patch!.encoding).toBe('base64');
    expect(outcome.pushed).toEqual({
      branch: 'codex-task/task-push',
      commit: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    expect(sh(remote, 'rev-parse', 'refs/heads/codex-task/task-push')).toBe(outcome.pushed!.commit);
    expect(execFileSync('git', ['show', `${outcome.pushed!.commit}:pkg/menu.txt`], { cwd: remote })).toEqual(
      latin1,
    );
    expect(sh(remote, 'log', '-1', '--format=%an %s', outcome.pushed!.commit)).toBe(
      "codex-task codex-task task-push: the task's changes",
    );
    apply(outcome);
    expect(readFileSync(join(client, 'pkg', 'menu.txt'))).toEqual(latin1);
    expect(leftovers()).toEqual([]);
  });

  it('reuses its cache of the remote: a known commit needs no fetch, and an unchanged task returns no patch and pushes nothing', async () => {
    await (await prepare({ git: { remote, commit: base } }, 'warm')).finish();
    renameSync(remote, `${remote}.moved`);
    const ws = await prepare({ git: { remote, commit: base, push: true } }, 'cached');
    const outcome = (await ws.finish()) as GitWorkspaceOutcome;
    expect(outcome).toEqual({ kind: 'git', remote, base, changed: false, summary: 'no changes' });
    expect(readdirSync(join(dataDir, 'workspaces', 'remotes'))).toHaveLength(1);
    expect(leftovers()).toEqual([]);
  });

  it('pushes the commits a task made itself as they are', async () => {
    const ws = await prepare({ git: { remote, commit: base, push: true } }, 'committer');
    writeFileSync(join(ws.cwd, 'notes.md'), 'committed by the task\n');
    sh(ws.cwd, 'commit', '--quiet', '-am', 'the task’s own commit');
    const own = sh(ws.cwd, 'rev-parse', 'HEAD');
    const outcome = (await ws.finish()) as GitWorkspaceOutcome;
    expect(outcome.pushed).toEqual({ branch: 'codex-task/committer', commit: own });
    expect(sh(remote, 'log', '-1', '--format=%s', 'codex-task/committer')).toBe('the task’s own commit');
  });

  it('fetches a commit pushed after the cache was made, and reports a failed push without losing the patch', async () => {
    await (await prepare({ git: { remote, commit: base } }, 'warm')).finish();
    writeFileSync(join(client, 'notes.md'), 'newer\n');
    sh(client, 'commit', '--quiet', '-am', 'second');
    sh(client, 'push', '--quiet', 'origin', 'HEAD:main');
    const second = sh(client, 'rev-parse', 'HEAD');
    const ws = await prepare({ git: { remote, commit: second, push: true, ref: 'main' } }, 'later');
    expect(readFileSync(join(ws.cwd, 'notes.md'), 'utf8')).toBe('newer\n');
    writeFileSync(join(ws.cwd, 'notes.md'), 'newest\n');
    // The remote refuses pushes now (a read-only mirror, say).
    sh(remote, 'config', 'receive.denyCurrentBranch', 'refuse');
    writeFileSync(join(remote, 'hooks', 'pre-receive'), '#!/bin/sh\necho "read-only mirror" >&2\nexit 1\n', {
      mode: 0o755,
    });
    const outcome = (await ws.finish()) as GitWorkspaceOutcome;
    expect(outcome.pushed).toBeUndefined();
    expect(outcome.pushFailed).toContain('read-only mirror');
    expect(outcome.patch!.data).toContain('+newest');
    expect(leftovers()).toEqual([]);
  });

  it('replaces the worktree an earlier attempt of the same task left (a worker killed mid-task)', async () => {
    const first = await prepare({ git: { remote, commit: base } }, 'retried');
    writeFileSync(join(first.cwd, 'half-done.txt'), 'from the attempt that died');
    const again = await prepare({ git: { remote, commit: base } }, 'retried');
    expect(again.cwd).toBe(first.cwd);
    expect(existsSync(join(again.cwd, 'half-done.txt'))).toBe(false);
    expect(await again.finish()).toMatchObject({ changed: false });
    expect(leftovers()).toEqual([]);
  });
});

describe('a workspace that cannot be made', () => {
  const fails = async (spec: WorkspaceSpec, signal?: AbortSignal) => {
    const error = await prepare(spec, 'bad', signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkspaceUnavailableError);
    return error as WorkspaceUnavailableError;
  };

  it('names the remote git could not fetch, without its password', async () => {
    const error = await fails({
      git: { remote: 'https://ci:s3cret-token@127.0.0.1:1/repo.git', commit: base },
    });
    expect(error.message).toContain('https://***@127.0.0.1:1/repo.git');
    expect(error.message).toContain('git could not fetch from it');
    expect(JSON.stringify(error.toJSON())).not.toContain('s3cret');
    expect(error.hint).toContain('credentials');
    const missing = await fails({ git: { remote: join(root, 'no-such.git'), commit: base } });
    expect(missing.details.problem).toContain('git could not fetch');
  });

  it('says which commit the remote lacks, whether fetched by id, by ref or by every branch', async () => {
    const unknown = 'f'.repeat(40);
    expect((await fails({ git: { remote, commit: unknown } })).message).toContain(`has no commit ${unknown}`);
    expect((await fails({ git: { remote, commit: unknown, ref: 'main' } })).message).toContain(
      '(fetched main)',
    );
    expect(
      (await fails({ git: { remote, commit: unknown, ref: 'no-such-branch' } })).details.problem,
    ).toContain('git could not fetch');
    expect(leftovers()).toEqual([]);
  });

  it('refuses a subdir the commit does not have, and a cancelled preparation, leaving nothing behind', async () => {
    expect((await fails({ git: { remote, commit: base, subdir: 'nope' } })).message).toContain(
      'no directory nope',
    );
    const stop = new AbortController();
    stop.abort();
    const cancelled = await prepare({ git: { remote, commit: base } }, 'c', stop.signal).catch(
      (e: unknown) => e,
    );
    expect(cancelled).toBeInstanceOf(Error);
    expect(leftovers()).toEqual([]);
  });

  it('fetches only over https, ssh or an allowed local path, and git never waits on stdin', async () => {
    const marker = join(root, 'PWNED');
    // `fd::0` read the worker's stdin and held the remote's lock for ever; `ext::` runs a command.
    for (const bad of [
      'fd::0',
      `ext::sh -c touch% ${marker}`,
      'git://127.0.0.1:9/x.git',
      'http://127.0.0.1:9/x',
    ])
      await expect(prepare({ git: { remote: bad, commit: base } })).rejects.toMatchObject({
        type: 'WorkspaceUnavailable',
        message: expect.stringMatching(/not allowed|could not fetch/),
      });
    expect(existsSync(marker)).toBe(false);
    // A local repository outside the directories the worker allows: refused before git runs.
    const elsewhere = await mkdtemp(join(tmpdir(), 'codex-task-elsewhere-'));
    try {
      cpSync(remote, join(elsewhere, 'origin.git'), { recursive: true });
      await expect(
        prepare({ git: { remote: join(elsewhere, 'origin.git'), commit: base } }),
      ).rejects.toMatchObject({
        type: 'WorkspaceUnavailable',
        hint: expect.stringContaining('--allow-path'),
      });
      await expect(
        prepare({ git: { remote: join(elsewhere, 'missing.git'), commit: base } }),
      ).rejects.toMatchObject({
        message: expect.stringContaining('outside the directories this worker allows'),
      });
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
    expect(leftovers()).toEqual([]);
  });

  it('names a cache it cannot make', async () => {
    writeFileSync(join(root, 'a-file'), '');
    const error = await prepareWorkspace(
      { git: { remote, commit: base } },
      { taskId: 't', dataDir: join(root, 'a-file'), allowedRoots: [realpathSync(root)] },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({
      type: 'WorkspaceUnavailable',
      message: expect.stringContaining('cannot make its cache'),
    });
  });
});

describe('a shared-path workspace', () => {
  it('is refused outside the directories the worker allows (--allow-path), links resolved', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'codex-task-outside-'));
    try {
      symlinkSync(outside, join(root, 'link-out'));
      for (const path of [outside, join(root, 'link-out')]) {
        const error = await prepare({ path }).catch((e: unknown) => e);
        expect(error).toMatchObject({
          type: 'WorkspaceUnavailable',
          message: expect.stringContaining('outside the directories this worker allows'),
          hint: expect.stringContaining('--allow-path'),
        });
      }
      const none = await prepareWorkspace({ path: client }, { taskId: 't', dataDir, allowedRoots: [] }).catch(
        (e: unknown) => e,
      );
      expect(none).toMatchObject({ message: expect.stringContaining('allows no path workspaces') });
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('runs where the path is, and names a path this worker does not see', async () => {
    const ws = await prepare({ path: client });
    expect(ws.cwd).toBe(client);
    expect(await ws.finish()).toEqual({ kind: 'path', path: client });
    const error = await prepare({ path: join(root, 'not-mounted') }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      type: 'WorkspaceUnavailable',
      details: { workspace: join(root, 'not-mounted'), problem: 'no such directory on this worker' },
      hint: expect.stringContaining('same path'),
    });
  });
});

describe('workspace specs', () => {
  it('are checked at the edge: absolute paths, full commit ids, no options in disguise', () => {
    const commit = 'a'.repeat(40);
    const bad: unknown[] = [
      { path: 'relative/dir' },
      { git: { remote: '--upload-pack=touch /tmp/x', commit } },
      { git: { remote: '/srv/r.git', commit: 'abc123' } },
      { git: { remote: '/srv/r.git', commit, ref: 'main:refs/heads/x' } },
      { git: { remote: '/srv/r.git', commit, subdir: '../outside' } },
      { git: { remote: '/srv/r.git', commit, extra: true } },
      { path: '/srv', git: {} },
    ];
    for (const spec of bad)
      expect(WorkspaceSpecSchema.safeParse(spec).success, JSON.stringify(spec)).toBe(false);
    expect(describeWorkspace({ git: { remote: 'https://u:p@h/r.git', commit } })).toBe(
      'https://***@h/r.git@aaaaaaaaaaaa',
    );
    expect(describeWorkspace({ path: '/srv/repo' })).toBe('/srv/repo');
    expect(redactRemote('git@github.com:o/r.git')).toBe('git@github.com:o/r.git');
  });

  it('leave out a patch over the size limit and say why', async () => {
    const ws = await prepare({ git: { remote, commit: base } }, 'big');
    writeFileSync(join(ws.cwd, 'big.bin'), randomBytes(Math.ceil(PATCH_MAX_BYTES * 0.8)));
    const outcome = (await ws.finish()) as GitWorkspaceOutcome;
    expect(outcome.patch).toBeUndefined();
    expect(outcome.patchOmitted).toMatch(/over the \d+-byte limit.*push: true/);
    expect(leftovers()).toEqual([]);
  });
});
