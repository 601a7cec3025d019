import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { applyCodexEntry, CodexConfigError, codexEntry, serverVariables } from './codex-entry.ts';

const entry = codexEntry({
  command: '/usr/bin/node',
  args: ['/opt/codex-task/bin/codex-task.js', 'mcp'],
  taskTimeoutMs: 600_000,
  envVars: ['OPENAI_API_KEY'],
});
const server = (text: string) =>
  (parse(text).mcp_servers as Record<string, Record<string, unknown>>)['codex-task'];

describe('applyCodexEntry', () => {
  it('keeps CRLF line endings and a file without a final newline', () => {
    const text = 'model = "o3"\r\n\r\n[profiles.a]\r\nmodel = "x"';
    const { text: out } = applyCodexEntry(text, entry);
    expect(out.startsWith(text)).toBe(true);
    expect(out).not.toMatch(/[^\r]\n/);
    expect(server(out)).toMatchObject({ command: '/usr/bin/node', tool_timeout_sec: 1200 });
  });

  it('replaces a multi-line value whole, and is not fooled by array lines that start with [', () => {
    const text = `[mcp_servers.codex-task]
args = [
  ["nested"],
  "old",
]
command = "x"

[other]
k = 1
`;
    const { text: out, action } = applyCodexEntry(text, entry);
    expect(action).toBe('updated');
    expect(out).toContain('args = ["/opt/codex-task/bin/codex-task.js", "mcp"]\ncommand = "/usr/bin/node"');
    expect(out).toContain('\n[other]\nk = 1\n');
    expect(applyCodexEntry(out, entry).action).toBe('unchanged');
  });

  it('finds a quoted table name and an env sub-table', () => {
    const text = `[mcp_servers."codex-task"]
command = "x"

[mcp_servers."codex-task".env]
KEEP = "me"
`;
    const withEnv = codexEntry({ command: 'n', args: [], taskTimeoutMs: 1000, envVars: [], env: { A: '1' } });
    const { text: out } = applyCodexEntry(text, withEnv);
    expect(server(out)).toMatchObject({ command: 'n', env: { KEEP: 'me', A: '1' } });
    expect(out.match(/^\[mcp_servers\."codex-task"\]$/gm)).toHaveLength(1);
  });

  it('refuses an entry written inline, and a file that is not TOML', () => {
    expect(() => applyCodexEntry('mcp_servers = { codex-task = { command = "x" } }\n', entry)).toThrow(
      CodexConfigError,
    );
    expect(() => applyCodexEntry('a = \n', entry)).toThrow(/not valid TOML/);
  });
});

describe('serverVariables', () => {
  it('lists the provider and codex-task variables that are set, sorted', () => {
    expect(
      serverVariables(
        { OPENAI_API_KEY: 'k', ANTHROPIC_API_KEY: '', CODEX_TASK_RUNS_DB: '/x', HOME: '/h', MY_KEY: 'v' },
        ['MY_KEY'],
      ),
    ).toEqual(['CODEX_TASK_RUNS_DB', 'MY_KEY', 'OPENAI_API_KEY']);
  });
});
