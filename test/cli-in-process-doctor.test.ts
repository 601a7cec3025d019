import { realpathSync, statSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { jsonServer, useInProcessCli, useLoopbackServers } from './cli-in-process-support.ts';
import { agentFile, useHarness } from './support.ts';

// `doctor` and `install`, in process (cli-commands and mcp-install drive the binary).
const h = useHarness();
const t = useInProcessCli();

/** One check as `doctor --json` prints it (the fields read here; the rest is matched as data). */
type Check = { check: string; status: string; sandbox?: Record<string, unknown> };

const listen = useLoopbackServers();

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

async function doctor(ws: string): Promise<{ code: number; checks: Map<string, Check> }> {
  const run = await t.cli(['doctor', '--json'], { cwd: ws });
  const checks = JSON.parse(run.stdout) as Check[];
  return { code: run.code, checks: new Map(checks.map((c) => [c.check, c])) };
}

describe('codex-task doctor, in process', () => {
  it('checks each provider, the key file, agents, trust, tools and the proxy port, with a fix for each failure', async () => {
    const ws = await h.setup({
      '.claude/agents/ok.md': agentFile({ name: 'ok', description: 'fine' }),
      '.claude/agents/bad.md': agentFile({ name: 'Bad Name', description: 'x' }),
      '.mcp.json': JSON.stringify({ mcpServers: { s: { command: 'true' } } }),
    });
    process.env.OPENAI_API_KEY = 'sk-test-abcdefghijklmnop';
    process.env.OPENAI_BASE_URL = h.model.baseUrls.openai;
    process.env.ANTHROPIC_API_KEY = 'sk-ant-rejected-0123456789';
    process.env.ANTHROPIC_BASE_URL = `http://127.0.0.1:${await listen(jsonServer(401, { error: 'no' }))}/v1`;
    process.env.GEMINI_API_KEY = 'gemini-key-0123456789';
    process.env.GOOGLE_GENERATIVE_AI_BASE_URL = `http://127.0.0.1:${await closedPort()}/v1beta`;
    const held = await listen();
    process.env.CODEX_TASK_PROXY_PORT = String(held);
    await mkdir(join(t.home, '.codex-task'), { recursive: true });
    await writeFile(join(t.home, '.codex-task', 'credentials.json'), '{}\n');
    await chmod(join(t.home, '.codex-task', 'credentials.json'), 0o644);

    const { code, checks } = await doctor(ws);
    expect(code).toBe(1);
    expect(checks.get('node')).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining(process.versions.node),
    });
    expect(checks.get('config')).toMatchObject({ status: 'ok', detail: 'defaults and environment only' });
    expect(checks.get('credentials')).toMatchObject({
      status: 'warn',
      fix: expect.stringMatching(/^chmod 600 /),
    });
    expect(checks.get('provider openai')).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('key sk-tes…'),
    });
    expect(checks.get('provider anthropic')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('rejected the key (401)'),
      fix: 'Check ANTHROPIC_API_KEY (or run `codex-task login anthropic`).',
    });
    expect(checks.get('provider google')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('cannot reach'),
    });
    expect(checks.get('agents')).toMatchObject({ status: 'fail', detail: expect.stringContaining('bad.md') });
    expect(checks.get('permissions')!.status).toBe('ok');
    expect(checks.get('workspace trust')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining(`skipped until trusted: MCP servers from ${join(ws, '.mcp.json')}`),
      fix: expect.stringContaining(`codex-task trust ${ws}`),
    });
    expect(['ok', 'warn']).toContain(checks.get('ripgrep')!.status);
    expect(checks.get('sandbox')!.sandbox).toMatchObject({ mode: 'auto' });
    expect(checks.get('proxy port')).toMatchObject({
      status: 'warn',
      detail: `127.0.0.1:${held} is in use by something else`,
    });
  });

  it('prints one line per check with its fix; no provider is a failure; a trusted workspace is ok', async () => {
    const ws = await h.setup({ '.mcp.json': JSON.stringify({ mcpServers: { s: { command: 'true' } } }) });
    expect((await t.cli(['trust'], { cwd: ws })).code).toBe(0);
    const proxy = await listen(jsonServer(200, { status: 'ok' }));
    process.env.CODEX_TASK_PROXY_PORT = String(proxy);
    process.env.CODEX_TASK_SANDBOX = 'off';
    const run = await t.cli(['doctor']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^FAIL providers +no model provider is configured\n {5}fix: Set ANTHROPIC_API_KEY/m,
    );
    expect(run.stdout).toMatch(/^ok {3}workspace trust +trusted: MCP servers from /m);
    expect(run.stdout).toMatch(/^warn sandbox +mode off: Bash runs without the OS sandbox/m);
    expect(run.stdout).toContain(`a codex-task proxy already answers on 127.0.0.1:${proxy}`);
  });

  it('a broken config fails the config check, and the others still run', async () => {
    const ws = await h.setup({
      '.codex-task/config.json': '{ "concurrency": "lots" }',
      '.claude/settings.json': JSON.stringify({ permissions: { deny: ['Bash(unclosed'] } }),
    });
    const { code, checks } = await doctor(ws);
    expect(code).toBe(1);
    expect(checks.get('config')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('concurrency'),
    });
    expect(checks.get('permissions')!.status).not.toBe('ok');
    expect(checks.get('agents')!.status).toBe('ok');
  });
});

describe('codex-task install codex, in process', () => {
  const entryOf = (text: string) =>
    (parse(text) as { mcp_servers: Record<string, Record<string, unknown>> }).mcp_servers['codex-task']!;

  it('--print shows the entry: this Node, this entry script, the key variables by name only', async () => {
    const ws = await t.workspace();
    process.env.OPENAI_API_KEY = 'sk-test-abcdefghijklmnop';
    process.env.CODEX_TASK_MAX_TURNS = '5';
    const run = await t.cli(['install', 'codex', '--print'], { cwd: ws });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^\[mcp_servers\.codex-task\]\n/);
    const entry = entryOf(run.stdout);
    expect(entry).toMatchObject({
      command: process.execPath,
      args: [realpathSync(process.argv[1]!), 'mcp'],
      default_tools_approval_mode: 'approve',
      supports_parallel_tool_calls: true,
      tool_timeout_sec: 1200,
      env_vars: ['CODEX_TASK_MAX_TURNS', 'OPENAI_API_KEY'],
    });
    expect(run.stdout).not.toContain('sk-test');
    const embedded = entryOf((await t.cli(['install', 'codex', '--print', '--embed-env'])).stdout);
    expect(embedded.env).toEqual({ CODEX_TASK_MAX_TURNS: '5', OPENAI_API_KEY: 'sk-test-abcdefghijklmnop' });
  });

  it('writes $CODEX_HOME/config.toml (0600) once, then says it is up to date', async () => {
    const ws = await t.workspace();
    const codexHome = join(ws, 'codex-home');
    process.env.CODEX_HOME = codexHome;
    const file = join(codexHome, 'config.toml');
    const first = await t.cli(['install', 'codex', '--no-warm'], { cwd: ws });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(`${file}: mcp_servers.codex-task added`);
    expect(first.stderr).toContain('No provider key is set here');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(entryOf(await readFile(file, 'utf8')).command).toBe(process.execPath);
    const second = await t.cli(['install', 'codex', '--no-warm']);
    expect(second.stderr).toContain(`${file}: mcp_servers.codex-task is already up to date`);
  });

  it('--scope project writes .codex/config.toml and says how Codex trusts it', async () => {
    const ws = await t.workspace();
    process.env.OPENAI_API_KEY = 'sk-test-abcdefghijklmnop';
    const run = await t.cli(['install', 'codex', '--scope', 'project', '--no-warm'], { cwd: ws });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Codex passes these variables on to it: OPENAI_API_KEY');
    expect(run.stderr).toContain('codex exec --trust');
    expect(entryOf(await readFile(join(ws, '.codex', 'config.toml'), 'utf8')).env_vars).toEqual([
      'OPENAI_API_KEY',
    ]);
  });

  it('--embed-env writes keys only into a file on the secret list', async () => {
    const ws = await t.workspace();
    process.env.OPENAI_API_KEY = 'sk-test-abcdefghijklmnop';
    const home = await t.cli(['install', 'codex', '--embed-env', '--no-warm'], { cwd: ws });
    expect(home.code, home.stderr).toBe(0);
    expect(home.stderr).toContain('(values written into the file)');
    const written = entryOf(await readFile(join(t.home, '.codex', 'config.toml'), 'utf8'));
    expect(written.env).toEqual({ OPENAI_API_KEY: 'sk-test-abcdefghijklmnop' });

    process.env.CODEX_HOME = join(ws, 'elsewhere');
    const refused = await t.cli(['install', 'codex', '--embed-env', '--no-warm']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('which is not on the secret list');
  });

  it.each([
    [['install', 'claude'], "Unknown client 'claude'"],
    [['install', 'codex', '--scope', 'global'], "--scope must be user or project (got 'global')"],
    [
      ['install', 'codex', '--scope', 'project', '--embed-env'],
      'would write provider keys into .codex/config.toml',
    ],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const run = await t.cli(argv, { cwd: await t.workspace() });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('leaves a broken config.toml alone and fails (exit 1)', async () => {
    const ws = await t.workspace();
    await mkdir(join(t.home, '.codex'), { recursive: true });
    await writeFile(join(t.home, '.codex', 'config.toml'), 'not = [valid\n');
    const run = await t.cli(['install', 'codex', '--no-warm'], { cwd: ws });
    expect(run.code).toBe(1);
    expect(await readFile(join(t.home, '.codex', 'config.toml'), 'utf8')).toBe('not = [valid\n');
  });
});
