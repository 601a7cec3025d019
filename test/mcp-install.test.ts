import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSecretPaths } from '../src/sandbox/index.ts';
import { agentPolicy, loadPermissionPolicy } from '../src/tools/policy/index.ts';
import { runCli } from './cli-support.ts';
import { BIN } from './mcp-support.ts';
import { makeWorkspace } from './support.ts';

// `codex-task install codex` through the real command line, on a user's config.toml.
const USER_CONFIG = `# My Codex settings — keep this comment
model = "gpt-5.5"   # favourite model
approval_policy = "on-request"

[mcp_servers.github]   # the GitHub server
command = "npx"
args = [
  "-y",                # no prompt
  "@modelcontextprotocol/server-github",
]
env = { GITHUB_TOKEN = "ghp_x" }

# profiles below
[profiles.fast]
model = "gpt-5.5-mini"
`;

let home: string;
let codexHome: string;
beforeEach(async () => {
  home = await makeWorkspace();
  codexHome = join(home, '.codex');
  await mkdir(codexHome);
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const install = (args: string[] = [], env: Record<string, string> = {}) =>
  runCli(['install', 'codex', '--no-warm', ...args], {
    cwd: home,
    env: { CODEX_HOME: codexHome, OPENAI_API_KEY: 'sk-test', CODEX_TASK_TIMEOUT: '5m', ...env },
  });
const config = () => readFile(join(codexHome, 'config.toml'), 'utf8');

describe('codex-task install codex', () => {
  it('adds the entry Codex needs, keeping every byte of the rest of the file', async () => {
    await writeFile(join(codexHome, 'config.toml'), USER_CONFIG);
    const first = await install();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('mcp_servers.codex-task added');
    const text = await config();
    expect(text.startsWith(USER_CONFIG)).toBe(true);
    expect(parse(text).mcp_servers).toEqual({
      github: {
        command: 'npx',
        args: ['-y', '@modelcontextprotocol/server-github'],
        env: { GITHUB_TOKEN: 'ghp_x' },
      },
      'codex-task': {
        command: process.execPath,
        args: [BIN, 'mcp'],
        default_tools_approval_mode: 'approve',
        supports_parallel_tool_calls: true,
        tool_timeout_sec: 600,
        env_vars: ['CODEX_TASK_TIMEOUT', 'OPENAI_API_KEY'],
      },
    });
    // Names only: the key's value never lands in the file.
    expect(text).not.toContain('sk-test');
  });

  it('is idempotent: a second run changes nothing', async () => {
    await writeFile(join(codexHome, 'config.toml'), USER_CONFIG);
    await install();
    const once = await config();
    const again = await install();
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('already up to date');
    expect(await config()).toBe(once);
  });

  it('updates its own keys in place and keeps what the user added to the entry', async () => {
    await writeFile(
      join(codexHome, 'config.toml'),
      `${USER_CONFIG}
[mcp_servers.codex-task]
# pinned by me
command = "/old/node"   # old path
enabled_tools = ["Task"]
env_vars = ["MY_VAR"]
tool_timeout_sec = 60
`,
    );
    expect((await install()).stderr).toContain('mcp_servers.codex-task updated');
    const text = await config();
    expect(text.startsWith(USER_CONFIG)).toBe(true);
    expect(text).toContain('# pinned by me');
    expect(text).toContain(`command = ${JSON.stringify(process.execPath)} # old path`);
    const entry = (parse(text).mcp_servers as Record<string, Record<string, unknown>>)['codex-task'];
    expect(entry).toMatchObject({
      enabled_tools: ['Task'],
      env_vars: ['MY_VAR', 'CODEX_TASK_TIMEOUT', 'OPENAI_API_KEY'],
      tool_timeout_sec: 600,
    });
    expect((await install()).stderr).toContain('already up to date');
  });

  it('creates the file when there is none, with owner-only permissions', async () => {
    expect((await install()).code).toBe(0);
    expect(parse(await config()).mcp_servers).toHaveProperty('codex-task');
    expect((await stat(join(codexHome, 'config.toml'))).mode & 0o777).toBe(0o600);
  });

  it('writes values only when asked (--embed-env), and prints instead with --print', async () => {
    const printed = await install(['--print', '--embed-env']);
    expect(printed.stdout).toContain('[mcp_servers.codex-task]');
    expect(printed.stdout).toContain('env = { CODEX_TASK_TIMEOUT = "5m", OPENAI_API_KEY = "sk-test" }');
    await expect(config()).rejects.toThrow();
  });

  it('writes the project config with --scope project and says how Codex trusts it', async () => {
    const result = await install(['--scope', 'project']);
    expect(result.stderr).toContain('codex exec --trust');
    const text = await readFile(join(home, '.codex', 'config.toml'), 'utf8');
    expect(parse(text).mcp_servers).toHaveProperty('codex-task');
  });

  it('--embed-env writes the keys only into a file on the secret list: subagents can neither read it nor see it in the sandbox', async () => {
    // HOME is the test's home, so ~/.codex/config.toml (on DEFAULT_SECRET_PATHS) is this file.
    const result = await install(['--embed-env']);
    expect(result.code, result.stderr).toBe(0);
    expect(await config()).toContain('OPENAI_API_KEY = "sk-test"');
    const file = join(codexHome, 'config.toml');
    const policy = agentPolicy(
      loadPermissionPolicy({ cwd: home, homeDir: home, config: {} }),
      { name: 'a' },
      home,
    );
    expect(await policy.check('Read', { file_path: file })).toMatchObject({
      decision: 'denied',
      source: 'default secret list',
    });
    expect(policy.permissions.hiddenPaths).toContain(file);
    expect(defaultSecretPaths(home)).toContain(file);
  });

  it('--embed-env refuses a config.toml that is not on the secret list (CODEX_HOME elsewhere): nothing written', async () => {
    const elsewhere = join(home, 'codex-home');
    await mkdir(elsewhere);
    const result = await install(['--embed-env'], { CODEX_HOME: elsewhere });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /--embed-env would write provider keys into .*codex-home\/config\.toml, which is not on the secret list/,
    );
    expect(result.stderr).toMatch(/permissions\.secretPaths/);
    await expect(readFile(join(elsewhere, 'config.toml'))).rejects.toThrow(/ENOENT/);
    // Without --embed-env only the names go there: fine anywhere.
    expect((await install([], { CODEX_HOME: elsewhere })).code).toBe(0);
    expect(await readFile(join(elsewhere, 'config.toml'), 'utf8')).not.toContain('sk-test');
  });

  it('--embed-env with --scope project refuses: a key in a repository file would be committed', async () => {
    const result = await install(['--embed-env', '--scope', 'project']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /--embed-env with --scope project would write provider keys into \.codex\/config\.toml, a file of the repository/,
    );
    expect(result.stderr).toMatch(/Leave out --embed-env/);
    await expect(readFile(join(home, '.codex', 'config.toml'))).rejects.toThrow(/ENOENT/);
    expect(result.stdout + result.stderr).not.toContain('sk-test');
  });

  it('leaves a broken file alone and says where it is broken', async () => {
    const broken = '[mcp_servers.github\ncommand = "npx"\n';
    await writeFile(join(codexHome, 'config.toml'), broken);
    const result = await install();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not valid TOML \(line 1/);
    expect(await config()).toBe(broken);
  });
});
