import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  realpath,
  rename,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { AgentRegistry } from '../src/agents/index.ts';
import { DEFAULT_SECRET_PATHS } from '../src/config/index.ts';
import { ToolDeniedError } from '../src/errors/index.ts';
import { McpClientPool } from '../src/mcp-client/index.ts';
import { describeWithSandbox, GIT_TEST_ENV, testGit } from '../src/sandbox/testing.ts';
import { bashTool } from '../src/tools/bash.ts';
import { grepTool } from '../src/tools/grep.ts';
import { agentPolicy, loadPermissionPolicy } from '../src/tools/policy/index.ts';
import { makeWorkspace, snapshotTree, type TestWorkspace } from '../src/tools/testing.ts';
import type { ToolContext } from '../src/tools/types.ts';

// Escapes of the Bash sandbox through what the HOST runs afterwards: the workspace's control files
// (MCP servers, git hooks, settings) and binaries planted where the host looks for them (PATH).
// Each hostile step tries to write a marker into `canary`, outside the workspace and outside /tmp:
// read-only inside the sandbox, so a marker there means something ran on the host.
let ws: TestWorkspace;
let home: string;
let canary: string;
let ctx: ToolContext;

beforeEach(async () => {
  ws = await makeWorkspace();
  home = join(ws.outside, 'home');
  await mkdir(home);
  canary = await realpath(await mkdtemp('/var/tmp/codex-task-canary-'));
  ctx = { ...ws.ctx, sandbox: { mode: 'require', homeDir: home } };
});
afterEach(async () => {
  await ws.cleanup();
  await rm(canary, { recursive: true, force: true });
});

const run = (command: string, context: ToolContext = ctx) => bashTool.execute({ command }, context);
const markers = () => readdir(canary);
const exists = (rel: string) => existsSync(join(ws.root, rel));
const evilMcpJson = () =>
  JSON.stringify({ mcpServers: { x: { command: 'sh', args: ['-c', `id > ${canary}/mcp-ran`] } } });

/** Starts the project's MCP servers the way the engine does for a subagent. */
async function mcpTools(): Promise<string[]> {
  const pool = new McpClientPool({ env: {}, timeouts: { startMs: 3000 }, onWarning: () => {} });
  try {
    const agent = new AgentRegistry({ cwd: ws.root, homeDir: ws.root, rescanIntervalMs: 0 }).get(
      'general-purpose',
    );
    return Object.keys((await pool.toolsFor(agent, ws.root)).tools);
  } finally {
    await pool.close();
  }
}

describeWithSandbox('Bash cannot reach the host through the workspace', () => {
  it('the control files stay as they were: .mcp.json, git hooks and config, .claude, .codex, .codex-task, .gitmodules', async () => {
    execFileSync('git', ['init', '-q', ws.root]);
    await ws.file('.claude/settings.json', '{"permissions":{"deny":["WebFetch"]}}\n');
    const git = await snapshotTree(join(ws.root, '.git'));
    const claude = await snapshotTree(join(ws.root, '.claude'));
    const out = await run(
      [
        `echo '${evilMcpJson()}' > .mcp.json`,
        `printf '#!/bin/sh\\nid > ${canary}/hook-ran\\n' > .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit`,
        `printf '[core]\\n\\tfsmonitor = "id > ${canary}/fsmonitor-ran"\\n' >> .git/config`,
        `echo '{"permissions":{"allow":["WebFetch"]}}' > .claude/settings.json`,
        'mkdir -p .claude/agents && echo evil > .claude/agents/evil.md',
        'rm -rf .claude',
        'mkdir -p .codex && echo "[mcp_servers.x]" > .codex/config.toml',
        'mkdir -p .codex-task && echo "{}" > .codex-task/config.json',
        'echo "[submodule \\"x\\"]" > .gitmodules',
        // Around the mounts: move the repository aside and build one with its own hooks.
        'mv .git .git-old && mkdir -p .git/hooks && echo evil > .git/hooks/pre-commit',
        'echo done',
      ].join('; '),
    );
    expect(out).toMatch(/\.git\/hooks\/pre-commit: Read-only file system/);
    expect(out).toMatch(/\.claude\/settings\.json: Read-only file system/);
    expect(out).toMatch(/mv: cannot move '\.git' to '\.git-old': Device or resource busy/);
    expect(out).toMatch(/\.mcp\.json was created by the command and has been removed/);
    expect(out).toMatch(/\.gitmodules was created by the command and has been removed/);
    for (const rel of ['.mcp.json', '.gitmodules', '.codex', '.codex-task', '.git-old'])
      expect(exists(rel)).toBe(false);
    expect(await snapshotTree(join(ws.root, '.git'))).toEqual(git);
    expect(await snapshotTree(join(ws.root, '.claude'))).toEqual(claude);

    // What the host does next runs nothing of the command's.
    expect(await mcpTools()).toEqual([]);
    execFileSync('git', [
      '-C',
      ws.root,
      '-c',
      'user.email=a@b.c',
      '-c',
      'user.name=n',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'x',
    ]);
    execFileSync('git', ['-C', ws.root, 'status', '--short']);
    expect(await markers()).toEqual([]);
  });

  it('the hooks directory core.hooksPath names (husky) is read-only too', async () => {
    execFileSync('git', ['init', '-q', ws.root]);
    execFileSync('git', ['-C', ws.root, 'config', 'core.hooksPath', '.husky/_']);
    await ws.file('.husky/_/pre-commit', '#!/bin/sh\nexit 0\n');
    const out = await run(
      `printf '#!/bin/sh\nid > ${canary}/hook-ran\n' > .husky/_/pre-commit; rm -rf .husky/_; echo done`,
    );
    expect(out).toMatch(/\.husky\/_\/pre-commit: Read-only file system/);
    expect(await readFile(join(ws.root, '.husky/_/pre-commit'), 'utf8')).toBe('#!/bin/sh\nexit 0\n');
    await chmod(join(ws.root, '.husky/_/pre-commit'), 0o755);
    const env = GIT_TEST_ENV;
    execFileSync('git', ['-C', ws.root, 'commit', '-q', '--allow-empty', '-m', 'x'], { env });
    expect(await markers()).toEqual([]);
  });

  it("husky v9's hooks run with node_modules/.bin first on PATH: no command plants a `sh` there (review 2)", async () => {
    execFileSync('git', ['init', '-q', ws.root]);
    execFileSync('git', ['-C', ws.root, 'config', 'core.hooksPath', '.husky/_']);
    // husky 9.1.7's wrapper, as it installs it (the lines that matter).
    await ws.file(
      '.husky/_/h',
      '#!/usr/bin/env sh\nn=$(basename "$0")\ns=$(dirname "$(dirname "$0")")/$n\n[ ! -f "$s" ] && exit 0\nexport PATH="node_modules/.bin:$PATH"\nsh -e "$s" "$@"\n',
    );
    await ws.file('.husky/_/pre-commit', '#!/usr/bin/env sh\n. "$(dirname "$0")/h"\n');
    await ws.file('.husky/pre-commit', 'echo checked\n');
    for (const hook of ['h', 'pre-commit']) await chmod(join(ws.root, '.husky/_', hook), 0o755);
    const plant = `mkdir -p node_modules/.bin; printf '#!/bin/sh\\nid > ${canary}/sh-ran\\n' > node_modules/.bin/sh; chmod +x node_modules/.bin/sh; echo done`;
    // No node_modules yet: whatever the command makes there is removed after it.
    const first = await run(plant);
    expect(first).toMatch(/node_modules\/\.bin was created by the command and has been removed/);
    expect(exists('node_modules/.bin')).toBe(false);
    // Installed (on the host): read-only, links and all.
    await ws.file('node_modules/prettier/bin/prettier.cjs', '');
    await mkdir(join(ws.root, 'node_modules/.bin'));
    await symlink('../prettier/bin/prettier.cjs', join(ws.root, 'node_modules/.bin/prettier'));
    const second = await run(`${plant}; rm node_modules/.bin/prettier`);
    expect(second).toMatch(/node_modules\/\.bin\/sh: Read-only file system/);
    expect(await readdir(join(ws.root, 'node_modules/.bin'))).toEqual(['prettier']);
    const env = GIT_TEST_ENV;
    // git gives a hook's output on stderr.
    const commit = execFileSync('sh', ['-c', 'git -C "$0" commit -q --allow-empty -m x 2>&1', ws.root], {
      env,
      encoding: 'utf8',
    });
    expect(commit).toContain('checked');
    expect(await markers()).toEqual([]);
  });

  it('a control directory that is a symlink is put back when the command replaces the link', async () => {
    await ws.file('config/claude/settings.json', '{}\n');
    await symlink('config/claude', join(ws.root, '.claude'));
    const out = await run(
      'echo x > .claude/settings.json; rm .claude && mkdir .claude && echo evil > .claude/settings.json; echo done',
    );
    expect(out).toMatch(/\.claude\/settings\.json: Read-only file system/);
    expect(out).toMatch(/\.claude was replaced by the command and has been restored/);
    expect(await readlink(join(ws.root, '.claude'))).toBe('config/claude');
    expect(await readFile(join(ws.root, 'config/claude/settings.json'), 'utf8')).toBe('{}\n');
  });

  it('a control file one command made is removed even when a command running alongside re-makes it', async () => {
    // The first command's clean-up removes its .mcp.json, which detaches the read-only mount the
    // second command had put over it: the second may then write one, and must clean it up too.
    const first = run(`echo '{}' > .mcp.json; sleep 0.5`);
    // The second starts once the first's sandbox is up: its stand-in .mcp.json is on the host.
    await vi.waitFor(() => expect(exists('.mcp.json')).toBe(true), { timeout: 10_000, interval: 10 });
    const second = run(`sleep 1.2; echo '${evilMcpJson()}' > .mcp.json && echo wrote`);
    await Promise.all([first, second]);
    expect(exists('.mcp.json')).toBe(false);
    expect(await mcpTools()).toEqual([]);
    expect(await markers()).toEqual([]);
  });

  it('missing control directories cannot be created while the command runs', async () => {
    const out = await run('mkdir -p .codex/x; echo x > .claude/settings.json; echo done');
    expect(out).toMatch(/\.codex\/x.*Read-only file system/);
    expect(out).toMatch(/\.claude\/settings\.json: Read-only file system/);
    expect(out).toMatch(/done$/);
    // The empty stand-ins are gone afterwards, and no note is made of them.
    expect(out).not.toMatch(/removed/);
    for (const rel of ['.codex', '.claude', '.codex-task']) expect(exists(rel)).toBe(false);
  });
});

describeWithSandbox('bwrap and rg never come from the project', () => {
  it('a fake bwrap and rg in node_modules/.bin (first on PATH under npx) are never run', async () => {
    await ws.file('a.txt', 'hello\n');
    const saved = process.env.PATH;
    process.env.PATH = `${ws.root}/node_modules/.bin:${ws.root}/bin:${saved}`;
    try {
      const fake = (name: string) =>
        `printf '#!/bin/sh\\n[ "$1" = --version ] && { echo bubblewrap 0.8.0; exit 0; }\\nid > ${canary}/${name}-ran\\nwhile [ $# -gt 0 ] && [ "$1" != bash ] && [ "$1" != true ]; do shift; done\\nexec "$@"\\n' > ${name}`;
      await run(
        `mkdir -p node_modules/.bin bin && cd node_modules/.bin && ${fake('bwrap')} && ${fake('rg')} && chmod +x * && cp * ../../bin/`,
      );
      expect(await grepTool.execute({ pattern: 'hello' }, ctx)).toContain('a.txt');
      expect(await run("tr '\\0' ' ' < /proc/1/cmdline | cut -d' ' -f1")).toMatch(/^\/\S*bwrap$/);
      expect(await markers()).toEqual([]);
    } finally {
      process.env.PATH = saved;
    }
  });

  it('nor a fake bash: not inside the sandbox, not on the host with the sandbox off (where it would run every command outside the rules)', async () => {
    const saved = process.env.PATH;
    process.env.PATH = `${ws.root}/node_modules/.bin:${ws.root}/bin:${saved}`;
    try {
      for (const dir of ['node_modules/.bin', 'bin']) {
        await ws.file(`${dir}/bash`, `#!/bin/sh\nid > ${canary}/bash-ran-$$\nexec /bin/sh "$@"\n`);
        await chmod(join(ws.root, dir, 'bash'), 0o755);
      }
      expect(await run('echo sandboxed')).toBe('sandboxed');
      expect(await run('echo host', { ...ctx, sandbox: { mode: 'off' } })).toBe('host');
      expect(await markers()).toEqual([]);
    } finally {
      process.env.PATH = saved;
    }
  });
});

describeWithSandbox("the sandbox's environment", () => {
  it('has no credentials: by name pattern, the fixed list and the configured ones; the rest passes', async () => {
    const secrets: Record<string, string> = {
      OPENAI_COMPATIBLE_API_KEY: 'sk-compat-CANARY',
      CODEX_TASK_PROXY_TOKEN: 'proxy-CANARY',
      CODEX_TASK_API_TOKEN: 'api-CANARY',
      AWS_SECRET_ACCESS_KEY: 'aws-CANARY',
      AWS_SESSION_TOKEN: 'aws-session-CANARY',
      GITHUB_TOKEN: 'ghp-CANARY',
      GH_TOKEN: 'gh-CANARY',
      NPM_TOKEN: 'npm-CANARY',
      STRIPE_SECRET: 'stripe-CANARY',
      DB_PASSWORD: 'db-CANARY',
      GOOGLE_APPLICATION_CREDENTIALS: '/creds-CANARY.json',
      PGPASSWORD: 'pg-CANARY',
      LLM_GATEWAY: 'gateway-CANARY',
    };
    const kept = { LANG: 'C.UTF-8', TERM: 'xterm-256color', CODEX_TASK_KEEP_ME: 'kept-value' };
    const saved = { ...process.env };
    Object.assign(process.env, secrets, kept);
    try {
      const out = await bashTool.execute(
        { command: 'env; echo "PATH=$PATH"' },
        { ...ctx, sandbox: { ...ctx.sandbox!, hiddenEnv: ['LLM_GATEWAY'] } },
      );
      expect(out).not.toContain('CANARY');
      for (const [name, value] of Object.entries(kept)) expect(out).toContain(`${name}=${value}\n`);
      expect(out).toMatch(/^HOME=/m);
      expect(out).toMatch(/^PATH=\//m);
    } finally {
      for (const name of [...Object.keys(secrets), ...Object.keys(kept)]) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  });

  it('has none of the credential families the review found, by name or by value (review F); ordinary variables pass', async () => {
    const secrets: Record<string, string> = {
      // Connection strings and DSNs.
      DATABASE_URL: 'postgres://app:db-CANARY@db.internal/app',
      TEST_DATABASE_URL_UNPOOLED: 'postgres://x@h/CANARY',
      AZURE_STORAGE_CONNECTION_STRING: 'AccountKey=CANARY',
      SENTRY_DSN: 'https://CANARY@o1.ingest.sentry.io/1',
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/CANARY',
      // Password managers' sessions, personal access tokens, passwords and keys by other names.
      BW_SESSION: 'bitwarden-CANARY',
      OP_SESSION_my: 'onepassword-CANARY',
      GH_PAT: 'ghp_pat-CANARY',
      AZURE_DEVOPS_EXT_PAT: 'ado-CANARY',
      SMTP_PASS: 'smtp-CANARY',
      SMTP_PASSWD: 'smtp2-CANARY',
      SSH_KEY_PASSPHRASE: 'pass-CANARY',
      TS_AUTHKEY: 'tskey-CANARY',
      AWS_ACCESS_KEY_ID: 'AKIA-CANARY',
      TF_TOKEN_app_terraform_io: 'tf-CANARY',
      BASIC_AUTH: 'user:CANARY',
      REGISTRY_AUTH_CONFIG: 'auth-CANARY',
      PROXY_AUTHORIZATION: 'Basic CANARY',
      DOCKER_CREDS: 'creds-CANARY',
      // Credentials by value, whatever the name.
      UPSTREAM: 'mongodb://u:mongo-CANARY@h:27017/db',
      CACHE: 'redis://:redis-CANARY@cache:6379/0',
      // The task queue's Redis (write access there is control of every worker), in either form.
      CODEX_TASK_REDIS_URL: 'redis://127.0.0.1:6379/0?password=queue-CANARY',
      HTTPS_PROXY: 'http://user:proxy-CANARY@proxy:3128',
      MIRROR: 'https://ghp_0123456789abcdefCANARY@github.com/o/r.git',
      JDBC: 'jdbc:mysql://root:jdbc-CANARY@db/app',
      CERT_BUNDLE: '-----BEGIN OPENSSH PRIVATE KEY-----\nCANARY\n-----END OPENSSH PRIVATE KEY-----',
      // Review 2: suffixed and numbered keys, kubeconfigs, keystores, vendor formats, PGP keys.
      OPENAI_API_KEY_2: 'sk-proj-second-CANARY',
      ANTHROPIC_API_KEY_WORK: 'sk-ant-work-CANARY',
      KUBE_CONFIG_DATA: Buffer.from('token: CANARY').toString('base64'),
      ANDROID_KEYSTORE_BASE64: Buffer.from('keystore').toString('base64'),
      STRIPE_SK: 'sk_live_51StripeCANARY',
      UPLOADER: 'glpat-0123456789abcdefCANARY',
      GPG_ARMORED: '-----BEGIN PGP PRIVATE KEY BLOCK-----\nCANARY\n-----END PGP PRIVATE KEY BLOCK-----',
    };
    const kept: Record<string, string> = {
      LANG: 'C.UTF-8',
      NODE_ENV: 'test',
      HOME_URL: 'https://example.com',
      DOCS_URL: 'https://example.com/@scope/pkg?user=a:b',
      API_BASE: 'https://api.example.com:8443/v1',
      REPO_URL: 'ssh://git@github.com/o/r.git',
      GIT_AUTHOR_NAME: 'A U Thor',
      GIT_AUTHOR_EMAIL: 'author@example.com',
      TOKENIZERS_PARALLELISM: 'false',
      KEYBOARD_LAYOUT: 'us',
      MONKEY_PATCH: '1',
    };
    const saved = { ...process.env };
    Object.assign(process.env, secrets, kept);
    try {
      const out = await run('env; echo "PATH=$PATH"');
      expect(out).not.toContain('CANARY');
      for (const name of Object.keys(secrets)) expect(out).not.toMatch(new RegExp(`^${name}=`, 'm'));
      for (const [name, value] of Object.entries(kept)) expect(out).toContain(`${name}=${value}\n`);
      expect(out).toMatch(/^PATH=\//m);
    } finally {
      for (const name of [...Object.keys(secrets), ...Object.keys(kept)]) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  });
});

/** git with an identity, and file:// submodules allowed (they come from the test's own directory). */
const git = testGit;
/** A git config that runs a command (writing `mark` into the canary) on the next `git status`. */
const fsmonitor = (mark: string) => `[core]\\n\\tbare = false\\n\\tfsmonitor = "id > ${canary}/${mark}"\\n`;
/** What the user does next, on the host: any fsmonitor or hook planted would run here. */
function hostGit(): void {
  git(ws.root, 'status', '--short');
  git(ws.root, 'diff', '--stat');
}
/** A repository outside the workspace to add as a submodule. */
async function upstream(): Promise<string> {
  const up = join(ws.outside, 'up');
  await mkdir(up);
  git(up, 'init', '-q');
  git(up, 'commit', '-q', '--allow-empty', '-m', 'up');
  return up;
}
/** The tools' permissions as a subagent gets them: the secret list resolved for the workspace. */
const withPolicy = (config: object = {}): ToolContext => ({
  ...ctx,
  permissions: agentPolicy(
    loadPermissionPolicy({ cwd: ws.root, homeDir: home, config }),
    { name: 'a' },
    ws.root,
  ).permissions,
});

describeWithSandbox('git cannot be turned against the host: all of .git is read-only (issue 12 §2)', () => {
  it('commondir, info/attributes, alternates, config.worktree, worktrees, modules, packed-refs: refused; git reads still work', async () => {
    const up = await upstream();
    git(ws.root, 'init', '-q');
    await ws.file('a.txt', 'one\n');
    git(ws.root, 'add', 'a.txt');
    git(ws.root, 'submodule', '-q', 'add', up, 'sub');
    git(ws.root, 'commit', '-q', '-m', 'first');
    git(ws.root, 'worktree', 'add', '-q', join(ws.outside, 'wt'));
    await ws.file('a.txt', 'two\n');
    // What git itself needs inside the sandbox, read-only: status (its index refresh is skipped), diff, log.
    expect(await run('git status --short; git diff --stat; git log --format=%s')).toBe(
      ' M a.txt\n a.txt | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)\nfirst',
    );
    const before = await snapshotTree(join(ws.root, '.git'));
    const out = await run(
      [
        // The reviewed exploit: point git at a workspace folder with its own config.
        `mkdir -p evil && printf '${fsmonitor('commondir')}' > evil/config && echo ../evil > .git/commondir`,
        "echo '* diff=evil' > .git/info/attributes",
        `echo ${ws.root}/evil > .git/objects/info/alternates`,
        `printf '${fsmonitor('config-worktree')}' > .git/config.worktree`,
        `printf '${fsmonitor('wt')}' > .git/worktrees/wt/config.worktree`,
        `printf '${fsmonitor('module')}' >> .git/modules/sub/config`,
        'echo x > .git/packed-refs',
        'rm -rf .git/hooks',
        "printf 'gitdir: ../evil\\n' > sub/.git",
        'git add a.txt',
        'echo done',
      ].join('; '),
    );
    for (const file of [
      'commondir',
      'info/attributes',
      'objects/info/alternates',
      'config.worktree',
      'worktrees/wt/config.worktree',
      'modules/sub/config',
      'packed-refs',
    ])
      expect(out).toMatch(new RegExp(`\\.git/${file.replaceAll('.', '\\.')}: Read-only file system`));
    expect(out).toMatch(/sub\/\.git: Read-only file system/);
    expect(out).toMatch(/index\.lock': Read-only file system/);
    expect(out).toMatch(/done$/);
    expect(await snapshotTree(join(ws.root, '.git'))).toEqual(before);
    expect(await readFile(join(ws.root, 'sub/.git'), 'utf8')).toBe('gitdir: ../.git/modules/sub\n');
    hostGit();
    git(join(ws.outside, 'wt'), 'status', '--short');
    expect(await markers()).toEqual([]);
  });

  it('.git cannot be replaced by a file or a symlink, nor made where there was none', async () => {
    // No repository: an empty read-only .git stands in while the command runs, gone after.
    const none = await run("git init -q . ; mkdir -p .git/hooks; printf 'gitdir: evil\\n' > .git; echo done");
    expect(none).toMatch(/Read-only file system/);
    expect(none).toMatch(/done$/);
    expect(exists('.git')).toBe(false);
    git(ws.root, 'init', '-q');
    const before = await snapshotTree(join(ws.root, '.git'));
    const out = await run(
      "rm -rf .git; mv .git g2; printf 'gitdir: evil\\n' > .git; ln -sfn evil .git; ln -sfn evil/.git sub; echo done",
    );
    expect(out).toMatch(/mv: cannot move '\.git' to 'g2': Device or resource busy/);
    expect(await snapshotTree(join(ws.root, '.git'))).toEqual(before);
    expect(exists('g2')).toBe(false);
  });

  it("a .git file's git directory in the workspace is read-only, and so is the .git file", async () => {
    git(ws.outside, 'init', '-q', `--separate-git-dir=${join(ws.root, 'repo.git')}`, ws.root);
    const before = await snapshotTree(join(ws.root, 'repo.git'));
    const out = await run(
      [
        `printf '${fsmonitor('gitdir')}' >> repo.git/config`,
        `mkdir -p evil && printf '${fsmonitor('evil')}' > evil/config && printf 'gitdir: evil\\n' > .git`,
        'git status --short; echo done',
      ].join('; '),
    );
    expect(out).toMatch(/repo\.git\/config: Read-only file system/);
    expect(out).toMatch(/\.git: Read-only file system/);
    expect(await snapshotTree(join(ws.root, 'repo.git'))).toEqual(before);
    hostGit();
    expect(await markers()).toEqual([]);
  });

  it("submodules: their .git, and one made where a submodule is not checked out, never reach the host's git status", async () => {
    const up = await upstream();
    git(ws.root, 'init', '-q');
    git(ws.root, 'submodule', '-q', 'add', up, 'sub');
    git(ws.root, 'submodule', '-q', 'add', up, 'off');
    git(ws.root, 'commit', '-q', '-m', 'subs');
    git(ws.root, 'submodule', '-q', 'deinit', '-f', 'off');
    const out = await run(
      [
        `git init -q --bare evil && printf '${fsmonitor('evil')}' >> evil/config`,
        "printf 'gitdir: ../evil\\n' > sub/.git",
        `git init -q off; mkdir -p off/.git && printf '${fsmonitor('off')}' > off/.git/config`,
        'mv off off2',
        'echo done',
      ].join('; '),
    );
    expect(out).toMatch(/sub\/\.git: Read-only file system/);
    expect(out).toMatch(/off\/\.git\/config: Read-only file system/);
    expect(out).toMatch(/mv: cannot move 'off' to 'off2': Device or resource busy/);
    expect(exists('off/.git')).toBe(false);
    hostGit();
    expect(await markers()).toEqual([]);
  });

  it('config includes are read-only: a shared config in the repository cannot gain a fsmonitor', async () => {
    git(ws.root, 'init', '-q');
    await ws.file('tools/gitconfig', '[alias]\n\tst = status\n');
    git(ws.root, 'config', 'include.path', '../tools/gitconfig');
    const out = await run(
      `printf '${fsmonitor('include')}' >> tools/gitconfig; rm -f tools/gitconfig; echo done`,
    );
    expect(out).toMatch(/tools\/gitconfig: Read-only file system/);
    expect(await readFile(join(ws.root, 'tools/gitconfig'), 'utf8')).toBe('[alias]\n\tst = status\n');
    hostGit();
    expect(await markers()).toEqual([]);
  });

  it("a nested repository a command makes is its own: the host's git status in the workspace runs nothing of it", async () => {
    // Decision: `git clone`/`git init` in a subfolder stay possible in Bash; such a repository
    // runs only for someone who runs git inside it, like any script a command writes.
    git(ws.root, 'init', '-q');
    expect(
      await run(`git init -q nested && printf '${fsmonitor('nested')}' >> nested/.git/config && echo made`),
    ).toBe('made');
    hostGit();
    expect(await markers()).toEqual([]);
  });
});

describeWithSandbox('control files are protected by what they resolve to (issue 12 §3)', () => {
  it('the targets of symlinked settings, .mcp.json, agent file, .codex and .git/config are read-only', async () => {
    git(ws.root, 'init', '-q');
    await ws.file('docs/s.json', '{"permissions":{"deny":["WebFetch"]}}\n');
    await ws.file('config/mcp.json', '{"mcpServers":{}}\n');
    await ws.file('agents/x.md', '---\nname: x\ndescription: x\n---\nx\n');
    await ws.file('cfg/codex/config.toml', 'model = "x"\n');
    await mkdir(join(ws.root, '.claude/agents'), { recursive: true });
    await symlink('../docs/s.json', join(ws.root, '.claude/settings.json'));
    await symlink('../../agents/x.md', join(ws.root, '.claude/agents/x.md'));
    await symlink('config/mcp.json', join(ws.root, '.mcp.json'));
    await symlink('cfg/codex', join(ws.root, '.codex'));
    await rename(join(ws.root, '.git/config'), join(ws.root, 'gitconf'));
    await symlink('../gitconf', join(ws.root, '.git/config'));
    const before = await snapshotTree(ws.root);
    const out = await run(
      [
        `echo '{"permissions":{"allow":["WebFetch"]}}' > docs/s.json`,
        `echo '${evilMcpJson()}' > config/mcp.json`,
        'echo evil >> agents/x.md',
        'echo "[mcp_servers.x]" >> cfg/codex/config.toml',
        `printf '${fsmonitor('gitconf')}' >> gitconf`,
        'rm -f docs/s.json config/mcp.json agents/x.md gitconf',
        'echo done',
      ].join('; '),
    );
    for (const file of ['docs/s.json', 'config/mcp.json', 'agents/x.md', 'cfg/codex/config.toml', 'gitconf'])
      expect(out).toMatch(new RegExp(`${file.replaceAll('.', '\\.')}: Read-only file system`));
    expect(out).toMatch(/done$/);
    expect(await snapshotTree(ws.root)).toEqual(before);
    expect(await mcpTools()).toEqual([]);
    hostGit();
    expect(await markers()).toEqual([]);
  });

  it("a dangling control link's target cannot be made: it is removed after the command", async () => {
    await symlink('config/mcp.json', join(ws.root, '.mcp.json'));
    const out = await run(`mkdir -p config && echo '${evilMcpJson()}' > config/mcp.json && echo wrote`);
    expect(out).toMatch(/config\/mcp\.json was created by the command and has been removed/);
    expect(exists('config/mcp.json')).toBe(false);
    expect(await mcpTools()).toEqual([]);
    expect(await markers()).toEqual([]);
  });
});

describeWithSandbox('secrets stay hidden whatever commands do to them (issue 12 §2)', () => {
  it('renamed, moved where no scan looks, linked, copied: readable neither by that command nor the next', async () => {
    await ws.file('backend/.env', 'ENV-CANARY\n');
    await ws.file('config/creds.json', 'CREDS-CANARY\n');
    const policy = withPolicy({ secretPaths: [...DEFAULT_SECRET_PATHS, 'config/creds.json'] });
    const first = await run(
      [
        'mv backend b2',
        'mkdir -p node_modules && mv backend node_modules/',
        'mv config c2',
        'mv backend/.env moved',
        'ln backend/.env hard',
        'cp backend/.env copy',
        'ln -s backend/.env soft && cat soft',
        'echo done',
      ].join('; '),
      policy,
    );
    const second = await run(
      'cat b2/.env node_modules/backend/.env c2/creds.json moved hard copy backend/.env config/creds.json; echo done',
      policy,
    );
    for (const out of [first, second]) {
      expect(out).not.toContain('CANARY');
      expect(out).toMatch(/done$/);
    }
    expect(first).toMatch(/mv: cannot move 'backend' to 'b2': Device or resource busy/);
    expect(first).toMatch(/mv: cannot move 'config' to 'c2': Device or resource busy/);
    expect(first).toMatch(/Invalid cross-device link/);
    expect(second).toMatch(/backend\/\.env: Permission denied/);
    expect(second).toMatch(/config\/creds\.json: Permission denied/);
    expect(await readFile(join(ws.root, 'backend/.env'), 'utf8')).toBe('ENV-CANARY\n');
    for (const rel of ['b2', 'c2', 'node_modules/backend', 'moved', 'hard', 'copy'])
      expect(exists(rel), rel).toBe(false);
  });

  it('a secret that appears between two commands of a task is hidden from the second: the list is made per command', async () => {
    const policy = withPolicy();
    expect(await run('cat api/.env; echo done', policy)).toMatch(/No such file or directory\ndone$/);
    await ws.file('api/.env', 'LATE-CANARY\n');
    const out = await run('cat api/.env; echo done', policy);
    expect(out).toMatch(/api\/\.env: Permission denied\ndone$/);
    expect(out).not.toContain('LATE-CANARY');
  });

  it('2,001 decoy *.pem files cannot push a real .env out of sight: Bash refuses, naming the count and the fix', async () => {
    // Found after the decoys, this .env was past the old scan's cut of 2,000 results, and readable.
    await ws.file('zz/backend/.env', 'ENV-CANARY\n');
    await mkdir(join(ws.root, 'decoys'));
    for (let i = 0; i < 2001; i++) await writeFile(join(ws.root, 'decoys', `d${i}.pem`), 'x');
    const error = await run('cat zz/backend/.env; touch ran', withPolicy()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolDeniedError);
    expect((error as Error).message).toMatch(
      /2,0\d\d secret files and directories .*\(2,001 of them in decoys\).*over the limit of 500/,
    );
    expect((error as ToolDeniedError).hint).toMatch(/permissions\.secretExceptions .*"decoys\/\*\*"/);
    expect(String(error)).not.toContain('ENV-CANARY');
    expect(exists('ran')).toBe(false);
    // Declared as fixtures, they are not secrets: the command runs, and .env is still hidden.
    const out = await run(
      'cat zz/backend/.env; touch ran; echo done',
      withPolicy({ secretExceptions: ['decoys/**'] }),
    );
    expect(out).toMatch(/\.env: Permission denied\ndone$/);
  });

  it("the home's credential files are hidden, with or without a policy: npm, PyPI, gcloud, Azure, cargo, Codex's config…", async () => {
    const files = [
      '.npmrc',
      '.pypirc',
      '.config/gcloud/application_default_credentials.json',
      '.azure/msal_token_cache.json',
      '.cargo/credentials.toml',
      '.gem/credentials',
      '.terraform.d/credentials.tfrc.json',
      '.pgpass',
      '.my.cnf',
      '.s3cfg',
      '.boto',
      '.vault-token',
      '.config/rclone/rclone.conf',
      '.config/hub',
      '.m2/settings.xml',
      '.gradle/gradle.properties',
      '.docker/config.json',
      '.codex/config.toml',
    ];
    for (const rel of files) {
      await mkdir(join(home, rel, '..'), { recursive: true });
      await writeFile(join(home, rel), `${rel}-CANARY\n`);
    }
    const command = `${files.map((rel) => `cat ~/${rel}`).join('; ')}; echo done`;
    for (const context of [ctx, withPolicy()]) {
      const out = await run(command, context);
      expect(out).not.toContain('CANARY');
      expect(out.match(/Permission denied/g)).toHaveLength(files.length);
    }
  });

  it("the review's families (F): other agents' logins, browser profiles, keyrings and password stores, shell histories — hidden from Bash and refused to the file tools", async () => {
    const files = [
      // Other coding agents.
      '.gemini/oauth_creds.json',
      '.gemini/.env',
      '.config/github-copilot/apps.json',
      '.claude.json',
      // Browsers and mail.
      '.mozilla/firefox/p.default/cookies.sqlite',
      '.config/google-chrome/Default/Cookies',
      '.config/google-chrome-beta/Default/Login Data',
      '.config/chromium/Default/Cookies',
      '.config/BraveSoftware/Brave-Browser/Default/Cookies',
      '.config/microsoft-edge/Default/Login Data',
      '.thunderbird/p.default/logins.json',
      '.var/app/org.mozilla.firefox/.mozilla/firefox/p/cookies.sqlite',
      '.var/app/com.google.Chrome/config/google-chrome/Default/Cookies',
      'snap/firefox/common/.mozilla/firefox/p/cookies.sqlite',
      // Keyrings and password managers.
      '.local/share/keyrings/login.keyring',
      '.password-store/.gpg-id',
      '.config/op/config',
      '.config/Bitwarden CLI/data.json',
      // Shell and REPL histories.
      '.bash_history',
      '.zsh_history',
      '.local/share/fish/fish_history',
      '.python_history',
      '.node_repl_history',
      '.psql_history',
      '.mysql_history',
      '.sqlite_history',
      '.lesshst',
      // More CLIs' tokens.
      '.config/gcloud/credentials.db',
      '.config/configstore/firebase-tools.json',
      '.config/containers/auth.json',
      '.config/sops/age/keys.txt',
    ];
    for (const rel of files) {
      await mkdir(join(home, rel, '..'), { recursive: true });
      await writeFile(join(home, rel), `${rel}-CANARY\n`);
    }
    const command = `${files.map((rel) => `cat "$HOME/${rel}"`).join('; ')}; ls ~/.config; echo done`;
    for (const context of [ctx, withPolicy()]) {
      const out = await run(command, context);
      expect(out).not.toContain('CANARY');
      expect(out.match(/Permission denied/g)).toHaveLength(files.length);
      expect(out).toMatch(/done$/);
    }
    const policy = agentPolicy(
      loadPermissionPolicy({ cwd: ws.root, homeDir: home, config: {} }),
      { name: 'a' },
      ws.root,
    );
    for (const rel of files) {
      const decision = await policy.check('Read', { file_path: join(home, rel) });
      expect(decision, rel).toMatchObject({
        decision: 'denied',
        reason: expect.stringMatching(/is a secret/),
      });
    }
  });
});

describeWithSandbox("git hook managers' files: what the host's next commit runs (review C)", () => {
  /** What husky v9 installs (`npx husky init`): core.hooksPath=<dir>/_, whose hooks run <dir>/<hook>. */
  async function husky(dir: string): Promise<void> {
    await ws.file(
      `${dir}/_/h`,
      '#!/usr/bin/env sh\nn=$(basename "$0")\ns=$(dirname "$(dirname "$0")")/$n\n[ ! -f "$s" ] && exit 0\nsh -e "$s"\n',
    );
    await ws.file(`${dir}/_/pre-commit`, '#!/usr/bin/env sh\n. "$(dirname "$0")/h"\n');
    await ws.file(`${dir}/pre-commit`, 'true\n');
    for (const hook of ['h', 'pre-commit']) await chmod(join(ws.root, dir, '_', hook), 0o755);
    git(ws.root, 'config', 'core.hooksPath', `${dir}/_`);
  }

  it.each(['.husky', '.config/husky'])(
    "husky v9 in %s: the hooks above core.hooksPath's `_` are read-only, and the host's commit runs none of the command's",
    async (dir) => {
      git(ws.root, 'init', '-q');
      await husky(dir);
      const out = await run(
        [
          `printf 'id > ${canary}/pre-commit-ran\\n' > ${dir}/pre-commit`,
          `printf 'id > ${canary}/commit-msg-ran\\n' > ${dir}/commit-msg`,
          `cp ${dir}/_/h ${dir}/post-commit`,
          `mv ${dir} husky-old`,
          'echo done',
        ].join('; '),
      );
      expect(out).toMatch(new RegExp(`${dir.replace('.', '\\.')}/pre-commit: Read-only file system`));
      expect(out).toMatch(new RegExp(`${dir.replace('.', '\\.')}/commit-msg: Read-only file system`));
      // Renamed within its directory: busy (a mount point); across mounts: copied, never removed.
      expect(out).toMatch(/mv: cannot (move|remove)/);
      expect(out).toMatch(/done$/);
      expect(await readFile(join(ws.root, dir, 'pre-commit'), 'utf8')).toBe('true\n');
      git(ws.root, 'commit', '-q', '--allow-empty', '-m', 'x');
      expect(await markers()).toEqual([]);
    },
  );

  it('pre-commit, lefthook, overcommit: their configs and script directories are read-only, and new ones are removed after', async () => {
    git(ws.root, 'init', '-q');
    await ws.file('.pre-commit-config.yaml', 'repos: []\n');
    await ws.file('lefthook.yml', 'pre-commit:\n  jobs: []\n');
    await ws.file('.lefthook/pre-commit/lint.sh', '#!/bin/sh\n');
    const existing = ['.pre-commit-config.yaml', 'lefthook.yml', '.lefthook/pre-commit/lint.sh'];
    const made = [
      '.pre-commit-hooks.yaml',
      '.lefthook.yml',
      'lefthook-local.yml',
      '.config/lefthook.yml',
      '.lefthook-local',
      '.overcommit.yml',
      '.git-hooks',
    ];
    const out = await run(
      [
        `printf 'repos:\\n- repo: local\\n  hooks:\\n  - {id: x, name: x, entry: "id > ${canary}/ran", language: system}\\n' > .pre-commit-config.yaml`,
        `echo '  jobs: [{run: id > ${canary}/ran}]' >> lefthook.yml`,
        'echo evil > .lefthook/pre-commit/lint.sh',
        'echo x > .pre-commit-hooks.yaml',
        'echo x > .lefthook.yml',
        'echo x > lefthook-local.yml',
        'mkdir -p .config && echo x > .config/lefthook.yml',
        'mkdir -p .lefthook-local/pre-commit && echo x > .lefthook-local/pre-commit/x.sh',
        'echo x > .overcommit.yml',
        'mkdir -p .git-hooks/pre_commit && echo x > .git-hooks/pre_commit/x.rb',
        'echo done',
      ].join('; '),
    );
    for (const rel of existing)
      expect(out).toMatch(new RegExp(`${rel.replaceAll('.', '\\.')}: Read-only file system`));
    for (const rel of made) {
      expect(out).toMatch(
        new RegExp(`${rel.replaceAll('.', '\\.')} was created by the command and has been removed`),
      );
      expect(exists(rel), rel).toBe(false);
    }
    expect(await readFile(join(ws.root, 'lefthook.yml'), 'utf8')).toBe('pre-commit:\n  jobs: []\n');
  });
});

describeWithSandbox('a symlink on the way to a control path cannot be re-pointed (review G)', () => {
  /** The reviewed attack: a new target for `conf`, with the command's own control files in it. */
  const repoint = (link: string) =>
    `touch ran; mkdir -p evil/claude && echo '${evilMcpJson()}' > evil/mcp.json && echo '{}' > evil/claude/settings.json && rm ${link} && ln -s evil ${link}`;

  it('.mcp.json and .claude through a linked directory: Bash refuses, naming the link and the fix; nothing runs', async () => {
    await ws.file('cfg/mcp.json', '{"mcpServers":{}}\n');
    await ws.file('cfg/claude/settings.json', '{"permissions":{"deny":["WebFetch"]}}\n');
    await symlink('cfg', join(ws.root, 'conf'));
    await symlink('conf/mcp.json', join(ws.root, '.mcp.json'));
    await symlink('conf/claude', join(ws.root, '.claude'));
    const error = await run(repoint('conf')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolDeniedError);
    expect((error as Error).message).toMatch(
      /^Bash cannot run in the sandbox: \.claude and \.mcp\.json resolve through the symlink conf \(→ cfg\), and a command could replace that symlink.*Nothing was run\.$/,
    );
    expect((error as ToolDeniedError).hint).toMatch(
      /direct link to where it leads \(ln -sfn cfg\/claude \.claude; ln -sfn cfg\/mcp\.json \.mcp\.json\)/,
    );
    expect(exists('ran')).toBe(false);
    expect(await readlink(join(ws.root, 'conf'))).toBe('cfg');

    // Made direct links, as the hint says: Bash runs, and re-pointing `conf` changes nothing.
    for (const [link, to] of [
      ['.claude', 'cfg/claude'],
      ['.mcp.json', 'cfg/mcp.json'],
    ] as const) {
      await rm(join(ws.root, link));
      await symlink(to, join(ws.root, link));
    }
    const before = await snapshotTree(join(ws.root, 'cfg'));
    const out = await run(
      `${repoint('conf')} && rm .claude && ln -s evil/claude .claude; echo x > cfg/claude/settings.json; echo done`,
    );
    expect(out).toMatch(/cfg\/claude\/settings\.json: Read-only file system/);
    expect(out).toMatch(/\.claude was replaced by the command and has been restored/);
    expect(await readlink(join(ws.root, '.claude'))).toBe('cfg/claude');
    expect(await snapshotTree(join(ws.root, 'cfg'))).toEqual(before);
    expect(await mcpTools()).toEqual([]);
    expect(await markers()).toEqual([]);
  });

  it('.git through a linked directory (G2), and a .git file naming its git directory through one: refused, and git status on the host runs nothing', async () => {
    git(ws.root, 'init', '-q');
    await mkdir(join(ws.root, 'store'));
    await rename(join(ws.root, '.git'), join(ws.root, 'store/git'));
    await symlink('store', join(ws.root, 'conf'));
    await symlink('conf/git', join(ws.root, '.git'));
    const attack = `touch ran; cp -r conf/git evil-git && printf '${fsmonitor('g2')}' > evil-git/config && rm conf && mkdir conf2 && mv evil-git conf2/git && ln -s conf2 conf`;
    await expect(run(attack)).rejects.toThrow(/\.git resolves through the symlink conf \(→ store\)/);
    await rm(join(ws.root, '.git'));
    await writeFile(join(ws.root, '.git'), 'gitdir: conf/git\n');
    await expect(run(attack)).rejects.toThrow(
      /the git directory \.git names resolves through the symlink conf \(→ store\)/,
    );
    expect(exists('ran')).toBe(false);
    hostGit();
    expect(await markers()).toEqual([]);
  });

  it('a chain of three links, and a link inside .claude leading through one: every replaceable link is named', async () => {
    await ws.file('cfg/claude/settings.json', '{}\n');
    await symlink('cfg', join(ws.root, 'b'));
    await symlink('b', join(ws.root, 'a'));
    await symlink('a/claude', join(ws.root, '.claude'));
    const error = await run(repoint('a')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolDeniedError);
    expect((error as Error).message).toMatch(
      /\.claude resolves through the symlink a \(→ b\); \.claude resolves through the symlink b \(→ cfg\)/,
    );
    expect((error as ToolDeniedError).hint).toMatch(/ln -sfn cfg\/claude \.claude/);
    // A real .claude whose agents folder is linked through a workspace link.
    await rm(join(ws.root, '.claude'));
    await ws.file('lib/shared/agents/x.md', '---\nname: x\ndescription: x\n---\nx\n');
    await symlink('lib', join(ws.root, 'shared'));
    await mkdir(join(ws.root, '.claude'));
    await symlink('../shared/shared/agents', join(ws.root, '.claude/agents'));
    await expect(run(repoint('shared'))).rejects.toThrow(
      /the symlink \.claude\/agents resolves through the symlink shared \(→ lib\)/,
    );
    expect(exists('ran')).toBe(false);
  });

  it('a link on the way that lies in a read-only control directory cannot be replaced: Bash runs, and leaves it be', async () => {
    await ws.file('cfg/s.json', '{}\n');
    await mkdir(join(ws.root, '.claude'));
    await symlink('../cfg', join(ws.root, '.claude/c'));
    await symlink('c/s.json', join(ws.root, '.claude/settings.json'));
    const out = await run('rm .claude/c; ln -sfn ../evil .claude/c; echo x > cfg/s.json; echo done');
    expect(out).toMatch(/\.claude\/c'?: Read-only file system/);
    expect(out).toMatch(/cfg\/s\.json: Read-only file system/);
    expect(out).toMatch(/done$/);
    expect(await readlink(join(ws.root, '.claude/c'))).toBe('../cfg');
    // Nor is such a link taken, after the command, for one the command made: core.hooksPath through
    // a link inside .git.
    git(ws.root, 'init', '-q');
    await ws.file('tools/hooks/pre-commit', '#!/bin/sh\n');
    await symlink('../tools', join(ws.root, '.git/t'));
    git(ws.root, 'config', 'core.hooksPath', '.git/t/hooks');
    expect(await run('echo x > tools/hooks/pre-commit; echo done')).toMatch(
      /tools\/hooks\/pre-commit: Read-only file system\ndone$/,
    );
    expect(await readlink(join(ws.root, '.git/t'))).toBe('../tools');
  });

  it("a symlink made where a dangling control link's path was missing is removed after the command", async () => {
    await symlink('config/mcp.json', join(ws.root, '.mcp.json'));
    const out = await run(
      `mkdir evil && echo '${evilMcpJson()}' > evil/mcp.json && ln -s evil config && echo linked`,
    );
    expect(out).toMatch(
      /config was made by the command as a symlink on the way to \.mcp\.json and has been removed/,
    );
    expect(exists('config')).toBe(false);
    expect(await readlink(join(ws.root, '.mcp.json'))).toBe('config/mcp.json');
    expect(await mcpTools()).toEqual([]);
    expect(await markers()).toEqual([]);
  });
});
