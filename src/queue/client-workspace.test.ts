import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gitWorkspaceOf } from './client-workspace.ts';
import { gitTest } from './testing.ts';

// The client's side of `queue.workspace: git` on real git: what it sends, and what it refuses.
const sh = gitTest;

let root: string;
let checkout: string;

beforeEach(async () => {
  root = realpathSync(await mkdtemp(join(tmpdir(), 'codex-task-client-ws-')));
  checkout = join(root, 'app');
  mkdirSync(join(checkout, 'pkg'), { recursive: true });
  sh(checkout, 'init', '--quiet', '--initial-branch=main');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function commitAndPush(remote = '../origin.git'): string {
  writeFileSync(join(checkout, 'pkg', 'a.txt'), 'a\n');
  sh(checkout, 'add', '--all');
  sh(checkout, 'commit', '--quiet', '-m', 'one');
  sh(root, 'init', '--quiet', '--bare', 'origin.git');
  sh(checkout, 'remote', 'add', 'origin', remote);
  sh(checkout, 'push', '--quiet', '-u', 'origin', 'main');
  return sh(checkout, 'rev-parse', 'HEAD');
}

describe('gitWorkspaceOf', () => {
  it('sends the remote (a relative path made absolute), HEAD, the branch that has it and the subdirectory', async () => {
    const commit = commitAndPush();
    const sent = await gitWorkspaceOf(join(checkout, 'pkg'), { remote: 'origin', push: true });
    expect(sent).toEqual({
      spec: { git: { remote: join(root, 'origin.git'), commit, ref: 'main', subdir: 'pkg', push: true } },
    });
    // A batch's tasks share one check.
    expect(gitWorkspaceOf(join(checkout, 'pkg'), { remote: 'origin', push: true })).toBe(
      gitWorkspaceOf(join(checkout, 'pkg'), { remote: 'origin', push: true }),
    );
  });

  it('sends a URL without its credentials, an ssh login and an scp-like address as they are', async () => {
    commitAndPush();
    const urls = {
      'https://user:pw@example.invalid/app.git': 'https://example.invalid/app.git',
      'https://ghp_token@example.invalid/app.git': 'https://example.invalid/app.git',
      'ssh://git:pw@example.invalid/app.git': 'ssh://git@example.invalid/app.git',
      'git@example.invalid:acme/app.git': 'git@example.invalid:acme/app.git',
      '/srv/git/app.git': '/srv/git/app.git',
    };
    for (const [i, [url, sentAs]] of Object.entries(urls).entries()) {
      sh(checkout, 'remote', 'add', `r${i}`, url);
      sh(checkout, 'update-ref', `refs/remotes/r${i}/main`, 'HEAD');
      const sent = await gitWorkspaceOf(checkout, { remote: `r${i}`, push: false });
      expect('git' in sent.spec && sent.spec.git.remote).toBe(sentAs);
    }
  });

  it('refuses a checkout without a commit', async () => {
    const error = await gitWorkspaceOf(checkout, { remote: 'origin', push: false }).catch((e: unknown) => e);
    expect(error).toMatchObject({ type: 'WorkspaceNotShared' });
    expect((error as Error).message).toContain('git cannot read its HEAD commit');
    expect((error as { hint: string }).hint).toContain(
      'Make a first commit and push it (git push origin HEAD)',
    );
  });

  it('refuses when no tracking branch has HEAD and the remote cannot be asked, without its password', async () => {
    writeFileSync(join(checkout, 'a.txt'), 'a\n');
    sh(checkout, 'add', '--all');
    sh(checkout, 'commit', '--quiet', '-m', 'one');
    sh(checkout, 'remote', 'add', 'origin', 'https://user:s3cret@127.0.0.1:1/app.git');
    const error = await gitWorkspaceOf(checkout, { remote: 'origin', push: false }).catch((e: unknown) => e);
    expect(error).toMatchObject({ type: 'WorkspaceNotShared' });
    expect((error as Error).message).toContain('git could not ask https://***@127.0.0.1:1/app.git');
    expect(JSON.stringify(error)).not.toContain('s3cret');
  });
});
