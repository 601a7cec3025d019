import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.ts';
import { writeTrustRecords } from '../../trust/index.ts';
import { agentPolicy, loadPermissionPolicy, projectAllowTrustItems } from './index.ts';

/**
 * A repository's allow rules narrow what is allowed at once, but lift a protection — a control
 * file, a private host, plan mode's "no changes" — only once the user trusted them.
 */
let home: string;
let ws: string;

beforeEach(async () => {
  const base = await realpath(await mkdtemp(path.join(tmpdir(), 'codex-task-lifting-')));
  home = path.join(base, 'home');
  ws = path.join(base, 'ws');
  await mkdir(path.join(ws, '.git'), { recursive: true });
  await mkdir(path.join(ws, '.claude'), { recursive: true });
  await mkdir(home, { recursive: true });
});
afterEach(() => rm(path.dirname(home), { recursive: true, force: true }));

const projectAllows = (allow: string[]) =>
  writeFile(path.join(ws, '.claude', 'settings.json'), JSON.stringify({ permissions: { allow } }));

const trust = () =>
  writeTrustRecords(home, () =>
    projectAllowTrustItems(ws, home).map((i) => ({ ...i, trustedAt: new Date().toISOString() })),
  );

function policy(mode?: 'plan', userConfig = {}) {
  return agentPolicy(
    loadPermissionPolicy({ cwd: ws, homeDir: home, config: userConfig }),
    { name: 'a', ...(mode ? { permissionMode: mode } : {}) },
    ws,
  );
}

describe('a repository’s allow rules before and after trust', () => {
  it('open a control file only once trusted; a change to them asks again', async () => {
    await projectAllows(['Edit(.claude/agents/**)']);
    const write = { file_path: '.claude/agents/x.md', content: 'x' };
    expect((await policy().check('Write', write)).decision).toBe('denied');
    trust();
    expect((await policy().check('Write', write)).decision).toBe('allowed');
    await projectAllows(['Edit(.claude/**)']);
    expect((await policy().check('Write', write)).decision).toBe('denied');
  });

  it('lift plan mode only once trusted, but narrow from the start', async () => {
    await projectAllows(['Bash(npm test:*)']);
    const denied = await policy('plan').check('Bash', { command: 'npm test' });
    expect(denied).toMatchObject({ decision: 'denied' });
    expect(denied.reason).toContain('plan mode');
    // Narrowing holds untrusted: outside the allow-list is not allowed in default mode either.
    expect((await policy().check('Bash', { command: 'curl evil.example' })).decision).toBe('denied');
    trust();
    expect((await policy('plan').check('Bash', { command: 'npm test' })).decision).toBe('allowed');
  });

  it('the user’s own allow rules lift plan mode and control files without any trust', async () => {
    const p = policy('plan', { allow: ['Bash(npm test:*)', 'Edit(.claude/agents/**)'] });
    expect((await p.check('Bash', { command: 'npm test' })).decision).toBe('allowed');
    expect((await p.check('Write', { file_path: '.claude/agents/y.md', content: 'y' })).decision).toBe(
      'allowed',
    );
  });

  it('never add to the user’s own allow-list, untrusted; they can only narrow it', async () => {
    await projectAllows(['Bash', 'Write']);
    const mine = { allow: ['Bash(npm test:*)', 'Edit(src/**)'] };
    const p = policy(undefined, mine);
    expect((await p.check('Bash', { command: 'echo hi > bash.txt' })).decision).toBe('denied');
    expect((await p.check('Write', { file_path: 'write.txt', content: 'x' })).decision).toBe('denied');
    expect((await p.check('Bash', { command: 'npm test' })).decision).toBe('allowed');
    expect((await p.check('Write', { file_path: 'src/a.ts', content: 'x' })).decision).toBe('allowed');

    await projectAllows(['Bash(npm test:*)']);
    const narrowed = policy(undefined, { allow: ['Bash'] });
    expect((await narrowed.check('Bash', { command: 'ls' })).decision).toBe('denied');
    expect((await narrowed.check('Bash', { command: 'npm test' })).decision).toBe('allowed');
    trust();
    // Trusted, the workspace's rules join the user's allow-list.
    expect((await policy(undefined, { allow: ['Bash'] }).check('Bash', { command: 'ls' })).decision).toBe(
      'allowed',
    );
  });

  it('a repository that repeats the user’s own rules word for word does not take them over', async () => {
    const userFile = path.join(home, '.codex-task', 'config.json');
    const projectFile = path.join(ws, '.codex-task', 'config.json');
    await mkdir(path.dirname(userFile), { recursive: true });
    await mkdir(path.dirname(projectFile), { recursive: true });
    await writeFile(
      userFile,
      JSON.stringify({ permissions: { allow: ['Bash(npm test:*)', 'Edit(src/**)'] } }),
    );
    await writeFile(
      projectFile,
      JSON.stringify({ permissions: { allow: ['Bash(npm test:*)', 'Edit(src/**)', 'Bash', 'Write'] } }),
    );
    const loaded = loadConfig({ cwd: ws, homeDir: home, env: {} });
    const p = agentPolicy(
      loadPermissionPolicy({
        cwd: ws,
        homeDir: home,
        config: loaded.values.permissions ?? {},
        ruleSources: loaded.ruleSources,
      }),
      { name: 'a' },
      ws,
    );
    expect((await p.check('Bash', { command: 'echo hi > bash.txt' })).decision).toBe('denied');
    expect((await p.check('Write', { file_path: 'write.txt', content: 'x' })).decision).toBe('denied');
    expect((await p.check('Bash', { command: 'npm test' })).decision).toBe('allowed');
  });
});
