import { describe, expect, it } from 'vitest';
import type { TaskWorkspace } from '../engine/index.ts';
import { patchOf, workspaceLines } from './workspace-report.ts';

const base = {
  kind: 'git' as const,
  remote: 'https://***@git.example/app.git',
  base: 'a'.repeat(40),
  changed: true,
  summary: '2 files changed (1 new), 3 insertions(+)',
};

describe('workspaceLines', () => {
  it('says nothing for a path workspace or none', () => {
    expect(workspaceLines('t1', undefined)).toEqual([]);
    expect(workspaceLines('t1', { kind: 'path', path: '/mnt/app' })).toEqual([]);
  });

  it('names the changes, where the patch is, the branch pushed, a failed push and what was not sent', () => {
    const ws: TaskWorkspace = {
      ...base,
      patch: { encoding: 'utf8', data: 'diff', bytes: 4 },
      pushed: { branch: 'codex-task/t1', commit: 'b'.repeat(40) },
      notSent: '1 uncommitted file(s) were not sent',
    };
    expect(workspaceLines('t1', ws)).toEqual([
      'changes: 2 files changed (1 new), 3 insertions(+); the patch is in the run record: codex-task runs show t1 --patch | git apply',
      `pushed: branch codex-task/t1 (${'b'.repeat(12)}) to https://***@git.example/app.git`,
      'warning: 1 uncommitted file(s) were not sent',
    ]);
    expect(workspaceLines('t1', { ...base, patchOmitted: 'too large', pushFailed: 'rejected' })).toEqual([
      'changes: 2 files changed (1 new), 3 insertions(+); no patch: too large',
      'push failed: rejected',
    ]);
    expect(workspaceLines('t1', { ...base, changed: false, summary: 'no changes' })).toEqual([
      'changes: none',
    ]);
    expect(workspaceLines('t1', base)).toEqual([
      'changes: 2 files changed (1 new), 3 insertions(+); no patch: none was made',
    ]);
  });
});

describe('patchOf', () => {
  it('gives the patch bytes, base64 decoded, with a warning when the record redacted it', () => {
    const data = Buffer.from([0, 1, 2, 255]);
    const found = patchOf('t1', {
      ...base,
      patch: { encoding: 'base64', data: data.toString('base64'), bytes: 4 },
    });
    expect('patch' in found && found.patch.equals(data)).toBe(true);
    expect(found).not.toHaveProperty('warning');
    const redacted = patchOf('t1', {
      ...base,
      patch: { encoding: 'utf8', data: 'x', bytes: 1 },
      pushed: { branch: 'codex-task/t1', commit: 'c'.repeat(40) },
      patchRedacted: true,
    });
    expect(redacted).toMatchObject({
      warning: expect.stringContaining('the branch codex-task/t1 has the changes'),
    });
  });

  it('says why there is none', () => {
    expect(patchOf('t1', undefined)).toMatchObject({
      problem: 'Task t1 has no patch: it did not run in a git workspace',
      hint: expect.stringContaining('queue.workspace: git'),
    });
    expect(patchOf('t1', { ...base, changed: false })).toMatchObject({
      problem: 'Task t1 has no patch: it changed nothing',
      hint: 'Nothing to apply.',
    });
    expect(
      patchOf('t1', { ...base, patchOmitted: 'over 8 MB', pushed: { branch: 'codex-task/t1', commit: 'c' } }),
    ).toMatchObject({
      problem: 'Task t1 has no patch: over 8 MB',
      hint: expect.stringContaining('codex-task/t1'),
    });
    expect(patchOf('t1', base)).toMatchObject({ problem: 'Task t1 has no patch: none was kept' });
  });
});
