import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { git } from './git.ts';

/** What a task left in its worktree, against the commit it started from. */
export interface WorktreeChanges {
  /** Anything at all: a file changed or added (ignored files aside), or a commit made. */
  changed: boolean;
  /** Changes not committed: modified, staged or untracked files. */
  uncommitted: boolean;
  /** Files that differ from the start (committed or not), new ones included. */
  files: number;
  /** Of `files`, those git does not track yet. */
  newFiles: number;
  insertions: number;
  deletions: number;
  /** Commits on the worktree's HEAD since the start. */
  commits: number;
  /** `3 files changed (1 new), 10 insertions(+), 2 deletions(-); 1 commit`, or `no changes`. */
  summary: string;
}

/** New files whose lines are counted for the summary; past these, a file counts without its lines. */
const COUNT_LIMITS = { files: 1000, bytesPerFile: 1024 * 1024 };

/**
 * Compares the worktree at `path` with `base`: `git status` for what is uncommitted, `git diff
 * --numstat <base>` for tracked files (commits and work-tree changes together), and the lines of
 * each untracked file, which no diff counts.
 */
export async function worktreeChanges(
  path: string,
  base: string,
  signal?: AbortSignal,
): Promise<WorktreeChanges> {
  const options = { cwd: path, ...(signal ? { signal } : {}) };
  const status = await git(['status', '--porcelain', '-z', '--untracked-files=all'], options);
  const untracked: string[] = [];
  let uncommitted = false;
  const entries = status.split('\0');
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (entry.length < 4) continue;
    uncommitted = true;
    if (entry.startsWith('?? ')) untracked.push(entry.slice(3));
    // A rename or copy names its source in the next field.
    else if (/^[RC]/.test(entry)) i++;
  }
  const commits = Number((await git(['rev-list', '--count', `${base}..HEAD`], options)).trim()) || 0;
  let files = 0;
  let insertions = 0;
  let deletions = 0;
  for (const line of (
    await git(['diff', '--numstat', '--no-textconv', '--no-ext-diff', base], options)
  ).split('\n')) {
    const m = /^(\d+|-)\t(\d+|-)\t/.exec(line);
    if (!m) continue;
    files++;
    insertions += m[1] === '-' ? 0 : Number(m[1]);
    deletions += m[2] === '-' ? 0 : Number(m[2]);
  }
  untracked.forEach((file, i) => {
    if (i < COUNT_LIMITS.files) insertions += linesOf(join(path, file));
  });
  files += untracked.length;
  const changed = uncommitted || commits > 0 || files > 0;
  return {
    changed,
    uncommitted,
    files,
    newFiles: untracked.length,
    insertions,
    deletions,
    commits,
    summary: summarize({ changed, files, newFiles: untracked.length, insertions, deletions, commits }),
  };
}

function summarize(c: Omit<WorktreeChanges, 'summary' | 'uncommitted'>): string {
  if (!c.changed) return 'no changes';
  const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  const parts: string[] = [];
  if (c.files > 0) {
    const diff = [`${n(c.files, 'file', 'files')} changed${c.newFiles > 0 ? ` (${c.newFiles} new)` : ''}`];
    if (c.insertions > 0) diff.push(`${n(c.insertions, 'insertion', 'insertions')}(+)`);
    if (c.deletions > 0) diff.push(`${n(c.deletions, 'deletion', 'deletions')}(-)`);
    parts.push(diff.join(', '));
  } else {
    parts.push('no file differs from the start');
  }
  if (c.commits > 0) parts.push(n(c.commits, 'commit', 'commits'));
  return parts.join('; ');
}

/**
 * Lines of a new file as `git diff` would count them: 1 for a symlink (git stores its target as a
 * line), 0 for a binary (a NUL in its first 8000 bytes, git's test), for anything but a regular
 * file, and for a file over the size limit. Opened without following links or blocking (a FIFO the
 * task left must not hang the host).
 */
function linesOf(file: string): number {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ELOOP' ? 1 : 0;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size === 0 || stat.size > COUNT_LIMITS.bytesPerFile) return 0;
    const buffer = Buffer.alloc(stat.size);
    const read = readSync(fd, buffer, 0, stat.size, 0);
    const bytes = buffer.subarray(0, read);
    if (bytes.subarray(0, 8000).includes(0)) return 0;
    let lines = 0;
    for (const byte of bytes) if (byte === 10) lines++;
    return bytes.at(-1) === 10 ? lines : lines + 1;
  } catch {
    return 0;
  } finally {
    closeSync(fd);
  }
}
