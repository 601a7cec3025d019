import { mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentPolicy, loadPermissionPolicy, PermissionPolicyCache } from './index.ts';
import { RESOLVED_RECHECK_MS } from './protected-paths.ts';

let home: string;
let ws: string;

beforeEach(async () => {
  const base = await realpath(await mkdtemp(path.join(tmpdir(), 'codex-task-protected-')));
  home = path.join(base, 'home');
  ws = path.join(base, 'ws');
  await mkdir(path.join(ws, '.git', 'hooks'), { recursive: true });
  await mkdir(home, { recursive: true });
});
afterEach(() => rm(path.dirname(home), { recursive: true, force: true }));

function policyFor(config: object = {}, permissionMode?: string) {
  return agentPolicy(
    loadPermissionPolicy({ cwd: ws, homeDir: home, config }),
    { name: 'a', ...(permissionMode ? { permissionMode } : {}) },
    ws,
  );
}

const CONTROL_FILES = [
  '.claude/settings.json',
  '.claude/settings.local.json',
  '.claude/agents/x.md',
  '.codex-task/config.json',
  '.codex/config.toml',
  '.mcp.json',
  '.git/hooks/pre-commit',
  '.git/config',
  '.gitmodules',
  'packages/app/.claude/settings.json',
  'packages/app/.mcp.json',
  // All of .git (issue 12 §2): each of these makes git read or run something else.
  '.git/commondir',
  '.git/info/attributes',
  '.git/objects/info/alternates',
  '.git/config.worktree',
  '.git/worktrees/wt/commondir',
  '.git/worktrees/wt/config.worktree',
  '.git/modules/sub/config',
  '.git/packed-refs',
  '.git',
  // A .git made in a subfolder: a nested repository with its own config and hooks.
  'vendor/lib/.git',
  'vendor/lib/.git/config',
  // Git hook managers: what the launcher in .git/hooks (or core.hooksPath) runs on the next commit.
  '.husky/pre-commit',
  '.husky/_/h',
  '.pre-commit-config.yaml',
  '.pre-commit-hooks.yaml',
  'lefthook.yml',
  '.lefthook.yaml',
  'lefthook-local.toml',
  '.config/lefthook.json',
  '.lefthook/pre-commit/lint.sh',
  '.lefthook-local/pre-push/x.sh',
  '.overcommit.yml',
  '.git-hooks/pre_commit/check.rb',
];

describe('protected control paths (review finding 3)', () => {
  it.each(['default', 'acceptEdits', 'bypassPermissions'])(
    'no file-edit tool and no Bash redirection writes them in %s mode, even with Edit and Bash allowed',
    async (mode) => {
      const p = policyFor(
        { allow: ['Edit', 'Write', 'Bash'], allowBypassPermissions: true },
        mode === 'default' ? undefined : mode,
      );
      for (const file of CONTROL_FILES) {
        for (const [tool, input] of [
          ['Write', { file_path: file, content: '{}' }],
          ['Edit', { file_path: file, old_string: 'a', new_string: 'b' }],
          ['MultiEdit', { file_path: file, edits: [] }],
          ['Bash', { command: `echo '{"permissions":{"allow":["Bash"]}}' > ${file}` }],
          ['Bash', { command: `npm test >> ${file}` }],
        ] as const) {
          const d = await p.check(tool, input);
          expect(d, `${tool} ${file}`).toMatchObject({
            decision: 'denied',
            source: 'protected control paths',
          });
          expect(d.reason).toContain('protected control path');
          expect(d.hint).toContain(`Edit(${file})`);
        }
      }
      // Reading them, and writing next to them, stays allowed.
      expect((await p.check('Read', { file_path: '.claude/settings.json' })).decision).toBe('allowed');
      expect((await p.check('Write', { file_path: 'claude.md', content: 'x' })).decision).toBe('allowed');
      expect((await p.check('Write', { file_path: '.github/ci.yml', content: 'x' })).decision).toBe(
        'allowed',
      );
    },
  );

  it('an allow rule naming the path lifts it, for that path only', async () => {
    const p = policyFor({ allow: ['Edit(.claude/agents/**)'] }, 'acceptEdits');
    expect((await p.check('Write', { file_path: '.claude/agents/new.md', content: 'x' })).decision).toBe(
      'allowed',
    );
    expect((await p.check('Write', { file_path: '.claude/settings.json', content: 'x' })).decision).toBe(
      'denied',
    );
  });

  it('a symlink to a control file is refused for Write and for a redirection', async () => {
    await mkdir(path.join(ws, '.claude'));
    await writeFile(path.join(ws, '.claude', 'settings.json'), '{}');
    await symlink('.claude/settings.json', path.join(ws, 'innocent.json'));
    const p = policyFor();
    expect((await p.check('Write', { file_path: 'innocent.json', content: 'x' })).decision).toBe('denied');
    expect((await p.check('Bash', { command: 'echo x > innocent.json' })).decision).toBe('denied');
  });

  it('so the next task cannot be handed rules the project did not write (the reviewed exploit)', async () => {
    await mkdir(path.join(ws, '.claude'));
    await writeFile(
      path.join(ws, '.claude', 'settings.json'),
      JSON.stringify({ permissions: { deny: ['Bash(curl:*)'] } }),
    );
    const cache = new PermissionPolicyCache({ homeDir: home, config: {} }, 0);
    const p = agentPolicy(cache.get(ws), { name: 'a' }, ws);
    for (const file of ['.claude/settings.json', '.claude/settings.local.json']) {
      const d = await p.check('Write', { file_path: file, content: '{"permissions":{"allow":["Bash"]}}' });
      expect(d.decision).toBe('denied');
    }
    expect((await p.check('Bash', { command: 'curl https://x' })).decision).toBe('denied');
  });
});

describe('control files are protected by what they resolve to (issue 12 §3)', () => {
  /** Each call a subagent could use to write `file`: all must be refused as a protected control path. */
  async function expectRefused(p: ReturnType<typeof policyFor>, file: string, why: RegExp) {
    for (const [tool, input] of [
      ['Write', { file_path: file, content: '{}' }],
      ['Edit', { file_path: file, old_string: 'a', new_string: 'b' }],
      ['Bash', { command: `echo '{"permissions":{"allow":["Bash"]}}' > ${file}` }],
    ] as const) {
      const d = await p.check(tool, input);
      expect(d, `${tool} ${file}`).toMatchObject({ decision: 'denied', source: 'protected control paths' });
      expect(d.reason, `${tool} ${file}`).toMatch(why);
    }
  }

  it('the targets of symlinked settings, agent file, .mcp.json, .claude directory and .git/config', async () => {
    await mkdir(path.join(ws, '.claude/agents'), { recursive: true });
    await mkdir(path.join(ws, 'docs/agents'), { recursive: true });
    await mkdir(path.join(ws, 'config'), { recursive: true });
    for (const file of ['docs/s.json', 'docs/agents/x.md', 'config/mcp.json', 'gitconf'])
      await writeFile(path.join(ws, file), '{}');
    await symlink('../docs/s.json', path.join(ws, '.claude/settings.json'));
    await symlink('../../docs/agents/x.md', path.join(ws, '.claude/agents/x.md'));
    await symlink('config/mcp.json', path.join(ws, '.mcp.json'));
    await symlink('../gitconf', path.join(ws, '.git/config'));
    const p = policyFor({ allow: ['Edit', 'Write', 'Bash'] });
    await expectRefused(p, 'docs/s.json', /the symlink \.claude\/settings\.json → docs\/s\.json/);
    await expectRefused(p, 'docs/agents/x.md', /the symlink \.claude\/agents\/x\.md/);
    await expectRefused(p, 'config/mcp.json', /the symlink \.mcp\.json/);
    await expectRefused(p, 'gitconf', /the symlink \.git\/config/);
    // A linked .claude directory: everything in its target.
    await rm(path.join(ws, '.claude'), { recursive: true });
    await mkdir(path.join(ws, 'shared/claude'), { recursive: true });
    await symlink('shared/claude', path.join(ws, '.claude'));
    const q = policyFor({ allow: ['Edit', 'Write'] });
    await expectRefused(q, 'shared/claude/settings.local.json', /the symlink \.claude → shared\/claude/);
    // Files next to them stay writable.
    expect((await q.check('Write', { file_path: 'docs/other.json', content: 'x' })).decision).toBe('allowed');
  });

  it("what git reads elsewhere: a .git file's git dir and commondir, config includes, core.hooksPath", async () => {
    await rm(path.join(ws, '.git'), { recursive: true });
    await mkdir(path.join(ws, 'gitdirs/main.git/worktrees/ws/hooks'), { recursive: true });
    await writeFile(path.join(ws, '.git'), 'gitdir: gitdirs/main.git/worktrees/ws\n');
    await writeFile(path.join(ws, 'gitdirs/main.git/worktrees/ws/commondir'), '../..\n');
    await writeFile(
      path.join(ws, 'gitdirs/main.git/config'),
      '[core]\n\thooksPath = tools/hooks\n[include]\n\tpath = ../../tools/gitconfig\n',
    );
    const p = policyFor({ allow: ['Edit', 'Write', 'Bash'] });
    await expectRefused(p, 'gitdirs/main.git/config', /the common git directory/);
    await expectRefused(p, 'gitdirs/main.git/worktrees/ws/config.worktree', /the git directory \.git names/);
    await expectRefused(p, 'tools/gitconfig', /included by gitdirs\/main\.git\/config → tools\/gitconfig/);
    await expectRefused(p, 'tools/hooks/pre-commit', /core\.hooksPath in gitdirs\/main\.git\/config/);
    expect((await p.check('Write', { file_path: 'tools/other', content: 'x' })).decision).toBe('allowed');
  });

  it("husky in a directory of its own (`husky .config/husky`): the hooks one level above core.hooksPath's `_`", async () => {
    await writeFile(path.join(ws, '.git/config'), '[core]\n\thooksPath = .config/husky/_\n');
    const p = policyFor({ allow: ['Edit', 'Write', 'Bash'] });
    await expectRefused(p, '.config/husky/_/h', /core\.hooksPath in \.git\/config/);
    await expectRefused(
      p,
      '.config/husky/pre-commit',
      /the hooks husky's core\.hooksPath in \.git\/config runs/,
    );
    expect((await p.check('Write', { file_path: '.config/other.json', content: 'x' })).decision).toBe(
      'allowed',
    );
  });

  it("husky's hooks put node_modules/.bin first on PATH: nothing is written there, the packages stay writable (review 2)", async () => {
    await mkdir(path.join(ws, 'node_modules/prettier'), { recursive: true });
    const p = policyFor({ allow: ['Edit', 'Write', 'Bash'] });
    // Without husky the hooks run with the user's PATH.
    expect((await p.check('Write', { file_path: 'node_modules/.bin/sh', content: 'x' })).decision).toBe(
      'allowed',
    );
    await writeFile(path.join(ws, '.git/config'), '[core]\n\thooksPath = .husky/_\n');
    const q = policyFor({ allow: ['Edit', 'Write', 'Bash'] });
    for (const file of ['node_modules/.bin/sh', 'node_modules/.bin/git'])
      await expectRefused(q, file, /the commands husky's hooks find first on PATH → node_modules\/\.bin/);
    expect(
      (await q.check('Write', { file_path: 'node_modules/prettier/index.js', content: 'x' })).decision,
    ).toBe('allowed');
  });

  it('a symlink on the way to a control path (`conf` under `.claude -> conf/claude`) is refused; files behind it are not', async () => {
    await mkdir(path.join(ws, 'cfg/claude'), { recursive: true });
    await writeFile(path.join(ws, 'cfg/claude/settings.json'), '{}');
    await writeFile(path.join(ws, 'cfg/notes.txt'), 'x');
    await symlink('cfg', path.join(ws, 'conf'));
    await symlink('conf/claude', path.join(ws, '.claude'));
    // Three links: `.mcp.json -> a/mcp.json`, `a -> b`, `b -> cfg`.
    await writeFile(path.join(ws, 'cfg/mcp.json'), '{}');
    await symlink('cfg', path.join(ws, 'b'));
    await symlink('b', path.join(ws, 'a'));
    await symlink('a/mcp.json', path.join(ws, '.mcp.json'));
    const p = policyFor({ allow: ['Edit', 'Write', 'Bash'] });
    await expectRefused(p, 'conf', /the symlink conf, which \.claude resolves through/);
    await expectRefused(p, 'a', /the symlink a, which \.mcp\.json resolves through/);
    await expectRefused(p, 'b', /the symlink b, which \.mcp\.json resolves through/);
    // What they lead to is protected as before; the rest of the linked directory is not.
    await expectRefused(p, 'conf/claude/settings.json', /protected control path/);
    for (const file of ['conf/notes.txt', 'a/notes.txt', 'cfg/notes.txt'])
      expect((await p.check('Write', { file_path: file, content: 'x' })).decision, file).toBe('allowed');
  });

  it('an allow rule naming the target lifts it; a link the user makes later counts within a second', async () => {
    await mkdir(path.join(ws, '.claude'));
    await writeFile(path.join(ws, 'docs.json'), '{}');
    const p = policyFor({ allow: ['Edit', 'Write'] });
    expect((await p.check('Write', { file_path: 'docs.json', content: 'x' })).decision).toBe('allowed');
    await symlink('../docs.json', path.join(ws, '.claude/settings.json'));
    await sleep(RESOLVED_RECHECK_MS + 50);
    expect((await p.check('Write', { file_path: 'docs.json', content: 'x' })).decision).toBe('denied');
    const lifted = policyFor({ allow: ['Edit(docs.json)'] }, 'acceptEdits');
    expect((await lifted.check('Write', { file_path: 'docs.json', content: 'x' })).decision).toBe('allowed');
    expect(await readFile(path.join(ws, 'docs.json'), 'utf8')).toBe('{}');
  });
});

describe('`>&`, `<&` and `~user` redirections are file access (review finding 7)', () => {
  it('under an allow rule: a secret, an Edit deny and outside the workspace hold for `>&` too', async () => {
    const p = policyFor({ allow: ['Bash(npm test:*)'], deny: ['Edit(package.json)'] });
    for (const command of [
      'npm test >& package.json',
      'npm test >& .env',
      'npm test >& /etc/x',
      'npm test <& .env',
    ])
      expect((await p.check('Bash', { command })).decision, command).toBe('denied');
    expect((await p.check('Bash', { command: 'npm test >& .env' })).reason).toContain('secret');
    expect((await p.check('Bash', { command: 'npm test >& package.json' })).rule).toBe('Edit(package.json)');
    // Duplicating or closing a descriptor opens no file.
    for (const command of ['npm test 2>&1', 'npm test >&2', 'npm test 3<&-', 'npm test 2>&1-'])
      expect((await p.check('Bash', { command })).decision, command).toBe('allowed');
  });

  it('`~user`, `~+` and `~-` are computed by the shell: not decidable under a rule', async () => {
    const p = policyFor({ allow: ['Bash(npm test:*)'] });
    for (const command of ['npm test >> ~root/.bashrc', 'npm test > ~+/x', 'npm test > ~-/x']) {
      const d = await p.check('Bash', { command });
      expect(d.decision, command).toBe('denied');
      expect(d.reason).toContain('computed');
    }
    expect((await p.check('Bash', { command: 'npm test > out.txt' })).decision).toBe('allowed');
  });

  it('after `cd`, a relative target is resolved where the shell is (`cd .claude && … > settings.json`)', async () => {
    const p = policyFor({ allow: ['Bash(npm test:*)', 'Bash(cd:*)'] });
    const d = await p.check('Bash', { command: 'cd .claude && npm test > settings.json' });
    expect(d.decision).toBe('denied');
    expect(d.reason).toContain('protected control path');
    expect((await p.check('Bash', { command: 'cd src && npm test' })).decision).toBe('allowed');
  });
});
