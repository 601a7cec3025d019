import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeTrustRecords } from '../../trust/index.ts';
import {
  agentPolicy,
  loadPermissionPolicy,
  PermissionConfigError,
  PermissionPolicyCache,
  projectAllowTrustItems,
} from './index.ts';

let home: string;
let ws: string;

beforeEach(async () => {
  const base = await realpath(await mkdtemp(path.join(tmpdir(), 'codex-task-policy-')));
  home = path.join(base, 'home');
  ws = path.join(base, 'ws');
  await mkdir(path.join(ws, '.git'), { recursive: true });
  await mkdir(home, { recursive: true });
});
afterEach(() => rm(path.dirname(home), { recursive: true, force: true }));

async function settings(dir: string, permissions: object, name = 'settings.json'): Promise<string> {
  const file = path.join(dir, '.claude', name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify({ permissions, model: 'whatever' }));
  return file;
}

function policyFor(config = {}, agent: { permissionMode?: string } = {}) {
  return agentPolicy(loadPermissionPolicy({ cwd: ws, homeDir: home, config }), { name: 'a', ...agent }, ws);
}

describe('permission rules from settings files and config', () => {
  it('deny wins over allow, with the rule and its file named', async () => {
    const file = await settings(ws, { allow: ['Bash'], deny: ['Bash(curl:*)'] });
    const p = policyFor();
    const d = await p.check('Bash', { command: 'curl https://x' });
    expect(d).toMatchObject({ decision: 'denied', rule: 'Bash(curl:*)', source: file });
    expect((await p.check('Bash', { command: 'ls' })).decision).toBe('allowed');
  });

  it('a call no rule mentions is allowed: the agent was given the tool', async () => {
    const d = await policyFor().check('Bash', { command: 'npm test; curl evil' });
    expect(d).toMatchObject({ decision: 'allowed', mode: 'default' });
  });

  it('reads user settings, project settings and settings.local, and our config', async () => {
    await settings(home, { deny: ['WebFetch'] });
    await settings(ws, { deny: ['Read(./a.txt)'] }, 'settings.local.json');
    const p = loadPermissionPolicy({ cwd: ws, homeDir: home, config: { deny: ['Grep'] } });
    expect(p.sources.map((s) => path.basename(s.file))).toEqual([
      'settings.json',
      'settings.local.json',
      'config',
    ]);
    const a = agentPolicy(p, { name: 'a' }, ws);
    expect((await a.check('WebFetch', { url: 'https://example.com' })).decision).toBe('denied');
    expect((await a.check('Read', { file_path: 'a.txt' })).decision).toBe('denied');
    expect((await a.check('Grep', { pattern: 'x' })).decision).toBe('denied');
  });

  it('an invalid rule in our config is an error naming the file, rule and fix', () => {
    expect(() =>
      loadPermissionPolicy({
        cwd: ws,
        homeDir: home,
        config: { deny: ['Bash(npm test'] },
        ruleSources: { 'deny Bash(npm test': 'file /p/.codex-task/config.json' },
      }),
    ).toThrow(PermissionConfigError);
    try {
      loadPermissionPolicy({ cwd: ws, homeDir: home, config: { allow: ['WebFetch(example.com)'] } });
    } catch (error) {
      expect((error as PermissionConfigError).message).toContain('WebFetch(example.com)');
      expect((error as PermissionConfigError).hint).toContain('domain:');
    }
  });

  it('in a Claude settings file, a bad deny rule denies its whole tool and a bad allow rule is ignored, loudly', async () => {
    await settings(ws, { deny: ['Bash(rm -rf:*x)'], allow: ['Read('] });
    const loaded = loadPermissionPolicy({ cwd: ws, homeDir: home });
    expect(loaded.warnings).toHaveLength(2);
    expect(loaded.warnings[0]).toContain('applied to the whole Bash tool');
    const p = agentPolicy(loaded, { name: 'a' }, ws);
    expect((await p.check('Bash', { command: 'ls' })).decision).toBe('denied');
  });

  it('a rule added to a settings file holds from the next check on (long sessions)', async () => {
    const cache = new PermissionPolicyCache({ homeDir: home }, 0);
    const first = cache.get(ws);
    expect(cache.get(ws)).toBe(first);
    await settings(ws, { deny: ['Bash'] });
    const second = cache.get(ws);
    expect(second).not.toBe(first);
    expect((await agentPolicy(second, { name: 'a' }, ws).check('Bash', { command: 'ls' })).decision).toBe(
      'denied',
    );
  });

  it('a settings file that is not JSON is an error, not skipped (its deny rules would be lost)', async () => {
    await mkdir(path.join(ws, '.claude'), { recursive: true });
    await writeFile(path.join(ws, '.claude', 'settings.json'), '{ "permissions": { "deny": [ }');
    expect(() => loadPermissionPolicy({ cwd: ws, homeDir: home })).toThrow(/not valid JSON/);
  });
});

describe('path rules', () => {
  it('Read(…) covers Read, Grep, Glob and LS; Edit(…) covers Write, Edit and MultiEdit', async () => {
    await settings(ws, { deny: ['Read(./private/**)', 'Edit(/locked/**)'] });
    const p = policyFor();
    for (const [tool, input] of [
      ['Read', { file_path: 'private/x.md' }],
      ['Grep', { pattern: 'x', path: 'private' }],
      ['Glob', { pattern: '*', path: 'private/sub' }],
      ['LS', { path: path.join(ws, 'private') }],
      ['Write', { file_path: 'locked/a.ts', content: '' }],
      ['Edit', { file_path: 'locked/a.ts', old_string: 'a', new_string: 'b' }],
      ['MultiEdit', { file_path: 'locked/b.ts', edits: [] }],
    ] as const) {
      expect((await p.check(tool, input)).decision, tool).toBe('denied');
    }
    expect((await p.check('Read', { file_path: 'public/x.md' })).decision).toBe('allowed');
    expect((await p.check('Read', { file_path: 'locked/a.ts' })).decision).toBe('allowed');
  });

  it('`//abs`, `~/x` and patterns without a slash at any depth', async () => {
    await settings(ws, { deny: [`Read(/${ws}/abs.txt)`, 'Read(~/notes/**)', 'Edit(*.lock)'] });
    const p = policyFor();
    expect((await p.check('Read', { file_path: 'abs.txt' })).decision).toBe('denied');
    expect((await p.check('Read', { file_path: path.join(home, 'notes', 'n.md') })).decision).toBe('denied');
    expect((await p.check('Write', { file_path: 'deep/dir/yarn.lock', content: '' })).decision).toBe(
      'denied',
    );
  });

  it('an allow list for a tool makes its other calls asks, denied in default mode and allowed by acceptEdits', async () => {
    await settings(ws, { allow: ['Edit(src/**)'] });
    expect((await policyFor().check('Write', { file_path: 'src/a.ts', content: '' })).decision).toBe(
      'allowed',
    );
    const other = await policyFor().check('Write', { file_path: 'README.md', content: '' });
    expect(other.decision).toBe('denied');
    expect(other.reason).toContain('nobody can approve');
    expect(other.hint).toContain('allow rule');
    const accepted = await policyFor({}, { permissionMode: 'acceptEdits' }).check('Write', {
      file_path: 'README.md',
      content: '',
    });
    expect(accepted.decision).toBe('allowed');
  });
});

describe('secret deny list', () => {
  it('denies .env files, keys and home credentials, but not .env.example', async () => {
    const p = policyFor();
    for (const file of ['.env', 'app/.env.local', 'certs/server.pem', 'id_rsa', 'deploy.key']) {
      const d = await p.check('Read', { file_path: file });
      expect(d, file).toMatchObject({ decision: 'denied', source: 'default secret list' });
    }
    for (const file of [
      path.join(home, '.ssh', 'id_ed25519'),
      path.join(home, '.aws', 'credentials'),
      path.join(home, '.codex', 'auth.json'),
      path.join(home, '.claude', '.credentials.json'),
      path.join(home, '.codex-task', 'runs.db'),
    ]) {
      expect((await p.check('Read', { file_path: file })).decision, file).toBe('denied');
    }
    expect((await p.check('Read', { file_path: '.env.example' })).decision).toBe('allowed');
    expect((await p.check('Edit', { file_path: '.env', old_string: 'a', new_string: 'b' })).decision).toBe(
      'denied',
    );
  });

  it('holds in bypassPermissions mode and against an allow rule', async () => {
    await settings(ws, { allow: ['Read(.env)'] });
    const p = policyFor({ allowBypassPermissions: true }, { permissionMode: 'bypassPermissions' });
    expect(p.mode).toBe('bypassPermissions');
    expect((await p.check('Read', { file_path: '.env' })).decision).toBe('denied');
  });

  it('is replaceable in config, and tells the sandbox which existing paths to hide', async () => {
    await mkdir(path.join(home, '.ssh'));
    await writeFile(path.join(ws, '.env'), 'X=1');
    await writeFile(path.join(ws, '.env.example'), 'X=');
    const p = policyFor();
    expect(p.permissions.hiddenPaths).toEqual([path.join(ws, '.env'), path.join(home, '.ssh')].sort());
    expect(p.permissions.hidesPath?.(path.join(ws, '.env'))).toBe(true);
    const replaced = policyFor({ secretPaths: ['*.secret'] });
    expect((await replaced.check('Read', { file_path: '.env' })).decision).toBe('allowed');
    expect((await replaced.check('Read', { file_path: 'a.secret' })).decision).toBe('denied');
  });
});

describe('Bash redirections are file access', () => {
  it('never into or out of a secret, whatever the rules', async () => {
    const p = policyFor();
    expect((await p.check('Bash', { command: 'echo x > .env' })).decision).toBe('denied');
    expect((await p.check('Bash', { command: 'cat < config/.env.local' })).decision).toBe('denied');
    expect((await p.check('Bash', { command: 'echo x > .env.example' })).decision).toBe('allowed');
  });

  it('an Edit(…) deny rule holds for `>`; an allow-listed command may not write outside the workspace', async () => {
    await settings(ws, { allow: ['Bash(npm test:*)'], deny: ['Edit(./locked/**)'] });
    const p = policyFor();
    expect((await p.check('Bash', { command: 'npm test > locked/out.txt' })).rule).toBe('Edit(./locked/**)');
    expect((await p.check('Bash', { command: 'npm test > /tmp/elsewhere' })).decision).toBe('denied');
    expect((await p.check('Bash', { command: 'npm test > out.txt 2>&1' })).decision).toBe('allowed');
    expect((await p.check('Bash', { command: 'npm test >/dev/null 2>&1' })).decision).toBe('allowed');
  });
});

describe('a redirection after `cd` opens the file where the shell is (issue 12, section 2)', () => {
  const config = { allow: ['Bash'] };
  it.each([
    'cd .git; echo x >> config',
    'cd .git && echo x >> config',
    'cd .git/hooks && cat > pre-commit',
    '(cd .claude && echo {} > settings.json)',
    'cd src/../.git && echo x >> config',
    'cd src; cd ../.git; echo x >> config',
    'cd .git; cd hooks; echo x > pre-commit',
    'cd; cd ../ws/.git; echo x >> config',
    'cd ~/../ws/.claude; echo {} > settings.json',
    'pushd .git >/dev/null; echo x >> config',
    'builtin cd .git; echo x >> config',
    'command cd .git; echo x >> config',
    'env -C .git sh -c "echo x >> config"',
    "bash -c 'cd .git && echo x >> config'",
    "eval 'cd .git'; echo x >> config",
    'echo x >> config; cd .git',
    'for i in 1 2; do echo x >> config; cd .git; done',
    // Every cd counts for every redirection, in any order or subshell: simpler, and it errs on refusing.
    '(cd .git && git status); echo x >> config',
  ])('%s is refused in every mode, with or without rules', async (command) => {
    for (const p of [policyFor(), policyFor(config), policyFor({ deny: ['Bash(curl:*)'] })]) {
      const d = await p.check('Bash', { command });
      expect(d.decision, command).toBe('denied');
      expect(d.reason).toContain('protected control path');
    }
  });

  it.each([
    'D=.git; cd "$D" && echo x >> config',
    'cd - && echo x >> config',
    'cd ~+ && echo x >> config',
    'cd .gi? && echo x >> config',
    'CDPATH=.git; cd hooks && echo x > pre-commit',
    'popd; DIRSTACK[0]=.git; echo x >> config',
    'echo x >> .gi?/conf*',
    'echo x > "$F"',
    'x=$((1)); echo x >> .git/config',
  ])(
    '%s: where it writes is computed, so it may be a control file: refused with no rule too',
    async (command) => {
      const d = await policyFor().check('Bash', { command });
      expect(d.decision, command).toBe('denied');
      expect(d.reason).toMatch(/protected control path/);
    },
  );

  it('with CDPATH in the environment, `cd dir` may go anywhere', async () => {
    const before = process.env.CDPATH;
    process.env.CDPATH = '.git';
    try {
      const d = await policyFor().check('Bash', { command: 'cd hooks && echo x > pre-commit' });
      expect(d.decision).toBe('denied');
      expect((await policyFor().check('Bash', { command: 'cd ./src && echo x > out.txt' })).decision).toBe(
        'allowed',
      );
    } finally {
      if (before === undefined) delete process.env.CDPATH;
      else process.env.CDPATH = before;
    }
  });

  it('what a `cd` cannot reach, and reads, stay allowed', async () => {
    const p = policyFor();
    for (const command of [
      'cd src && echo x > out.txt',
      '(cd src && ls); echo x > notes.txt',
      'cd "$D" && cat < README.md',
      'cd .git && cat config',
      'echo x > /tmp/out.txt',
    ]) {
      expect((await p.check('Bash', { command })).decision, command).toBe('allowed');
    }
  });
});

describe('permission modes', () => {
  it('bypassPermissions from an agent file alone is downgraded to default, with a warning', async () => {
    await settings(ws, { ask: ['Bash(git push:*)'] });
    const p = policyFor({}, { permissionMode: 'bypassPermissions' });
    expect(p.mode).toBe('default');
    expect(p.warnings[0]).toMatch(/bypassPermissions.*allowBypassPermissions/);
    expect((await p.check('Bash', { command: 'git push' })).decision).toBe('denied');
    const allowed = policyFor({ allowBypassPermissions: true }, { permissionMode: 'bypassPermissions' });
    expect((await allowed.check('Bash', { command: 'git push' })).decision).toBe('allowed');
  });

  it('plan mode makes no changes: edits, Bash and MCP tools denied unless explicitly allowed', async () => {
    const p = policyFor({}, { permissionMode: 'plan' });
    expect((await p.check('Write', { file_path: 'a', content: '' })).decision).toBe('denied');
    expect((await p.check('Bash', { command: 'ls' })).decision).toBe('denied');
    expect((await p.check('mcp__gh__create_issue', {})).decision).toBe('denied');
    expect((await p.check('Read', { file_path: 'a' })).decision).toBe('allowed');
    const allowed = policyFor({ allow: ['Bash(ls:*)'] }, { permissionMode: 'plan' });
    expect((await allowed.check('Bash', { command: 'ls -la' })).decision).toBe('allowed');
  });

  it('the config default mode applies to agents without permissionMode', async () => {
    expect(policyFor({ defaultMode: 'plan' }).mode).toBe('plan');
    expect(policyFor({ defaultMode: 'plan' }, { permissionMode: 'acceptEdits' }).mode).toBe('acceptEdits');
  });
});

describe('other rule kinds', () => {
  it('WebFetch(domain:…) and allowsPrivateHost only for explicitly named hosts', async () => {
    await settings(ws, {
      allow: ['WebFetch(domain:localhost)', 'WebFetch(domain:*.docs.example)'],
      deny: ['WebFetch(domain:evil.test)'],
    });
    // A project's allow rule opens a private host only once the user trusted it (trust-and-modes.test.ts).
    expect(policyFor().permissions.allowsPrivateHost('localhost')).toBe(false);
    writeTrustRecords(home, () =>
      projectAllowTrustItems(ws, home).map((i) => ({ ...i, trustedAt: new Date().toISOString() })),
    );
    const p = policyFor();
    expect(p.permissions.allowsPrivateHost('localhost')).toBe(true);
    expect(p.permissions.allowsPrivateHost('127.0.0.1')).toBe(false);
    expect((await p.check('WebFetch', { url: 'http://evil.test/x' })).decision).toBe('denied');
    expect((await p.check('WebFetch', { url: 'https://a.docs.example/' })).decision).toBe('allowed');
    expect((await p.check('WebFetch', { url: 'https://other.example/' })).decision).toBe('denied');
  });

  it('mcp__server, mcp__server__tool and mcp__server__*', async () => {
    await settings(ws, { deny: ['mcp__github__delete_repo', 'mcp__db'] });
    const p = policyFor();
    expect((await p.check('mcp__github__delete_repo', {})).decision).toBe('denied');
    expect((await p.check('mcp__github__list_issues', {})).decision).toBe('allowed');
    expect((await p.check('mcp__db__query', {})).decision).toBe('denied');
  });

  it('Task(agent) and Agent(agent) name the subagent type', async () => {
    await settings(ws, { deny: ['Agent(deployer)'] });
    const p = policyFor();
    expect(
      (await p.check('Task', { subagent_type: 'deployer', prompt: 'x', description: 'x' })).decision,
    ).toBe('denied');
    expect(
      (await p.check('Task', { subagent_type: 'reviewer', prompt: 'x', description: 'x' })).decision,
    ).toBe('allowed');
  });

  it('bashNetwork comes from the config only', () => {
    expect(policyFor().permissions.bashNetwork).toBe(false);
    expect(policyFor({ bashNetwork: true }).permissions.bashNetwork).toBe(true);
  });
});
