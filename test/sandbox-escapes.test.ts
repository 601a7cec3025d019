import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, readlink, realpath, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentRegistry } from '../src/agents/index.ts';
import { McpClientPool } from '../src/mcp/index.ts';
import { sandboxSkipReason } from '../src/sandbox/testing.ts';
import { bashTool } from '../src/tools/bash.ts';
import { grepTool } from '../src/tools/grep.ts';
import { makeWorkspace, snapshotTree, type TestWorkspace } from '../src/tools/testing.ts';
import type { ToolContext } from '../src/tools/types.ts';

// Escapes of the Bash sandbox through what the HOST runs afterwards: the workspace's control files
// (MCP servers, git hooks, settings) and binaries planted where the host looks for them (PATH).
// Each hostile step tries to write a marker into `canary`, outside the workspace and outside /tmp:
// read-only inside the sandbox, so a marker there means something ran on the host.
const skip = sandboxSkipReason();

let ws: TestWorkspace;
let canary: string;
let ctx: ToolContext;

beforeEach(async () => {
  ws = await makeWorkspace();
  const home = join(ws.outside, 'home');
  await mkdir(home);
  canary = await realpath(await mkdtemp('/var/tmp/codex-task-canary-'));
  ctx = { ...ws.ctx, sandbox: { mode: 'require', homeDir: home } };
});
afterEach(async () => {
  await ws.cleanup();
  await rm(canary, { recursive: true, force: true });
});

const run = (command: string) => bashTool.execute({ command }, ctx);
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

describe.skipIf(skip)(
  `Bash cannot reach the host through the workspace${skip ? ` (SKIPPED: ${skip})` : ''}`,
  () => {
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
      const env = {
        ...process.env,
        GIT_AUTHOR_NAME: 'n',
        GIT_AUTHOR_EMAIL: 'a@b.c',
        GIT_COMMITTER_NAME: 'n',
        GIT_COMMITTER_EMAIL: 'a@b.c',
      };
      execFileSync('git', ['-C', ws.root, 'commit', '-q', '--allow-empty', '-m', 'x'], { env });
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
      await new Promise((resolve) => setTimeout(resolve, 250));
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
  },
);

describe.skipIf(skip)(`bwrap and rg never come from the project${skip ? ` (SKIPPED: ${skip})` : ''}`, () => {
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
});

describe.skipIf(skip)(`the sandbox's environment${skip ? ` (SKIPPED: ${skip})` : ''}`, () => {
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
});
