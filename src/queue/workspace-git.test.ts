import { existsSync, readdirSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureCache } from './workspace-git.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('a worker’s cache of a remote', () => {
  it('is made once when two workers sharing a data directory make it at the same time', async () => {
    const root = await mkdtemp(join(tmpdir(), 'codex-task-cache-'));
    dirs.push(root);
    const cache = join(root, 'remotes', 'repo-0123.git');
    await Promise.all([ensureCache(cache), ensureCache(cache), ensureCache(cache)]);
    expect(existsSync(join(cache, 'HEAD'))).toBe(true);
    // The losers' temporary repositories are gone; only the cache is left.
    expect(readdirSync(join(root, 'remotes'))).toEqual(['repo-0123.git']);
    await ensureCache(cache);
  });
});
