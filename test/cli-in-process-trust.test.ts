import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTrustRecords, trustFilePath } from '../src/trust/index.ts';
import { useInProcessCli } from './cli-in-process-support.ts';

// `codex-task trust`, in process (workspace-trust.test.ts drives the binary through whole runs).
const t = useInProcessCli();

/** An .mcp.json whose one server runs a file of the workspace with this Node. */
const MCP_JSON = JSON.stringify({
  mcpServers: { helper: { command: process.execPath, args: ['server.js'] } },
});

describe('codex-task trust, in process', () => {
  it('says a workspace with nothing to trust needs none, and records nothing', async () => {
    const ws = await t.workspace();
    const listed = await t.cli(['trust', '--list'], { cwd: ws });
    expect(listed).toMatchObject({ code: 0, stdout: `${ws}: nothing here needs trust\n` });
    const json = await t.cli(['trust', '--list', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ dir: ws, trustFile: trustFilePath(t.home), items: [] });
    const trusted = await t.cli(['trust']);
    expect(trusted.code).toBe(0);
    expect(trusted.stdout).toContain('nothing here needs trust (no .mcp.json');
  });

  it('lists, trusts, notices a change, and revokes an .mcp.json', async () => {
    const ws = await t.workspace({ '.mcp.json': MCP_JSON, 'server.js': '// a server\n' });

    const before = await t.cli(['trust', '--list'], { cwd: ws });
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/^untrusted MCP servers from \.mcp\.json: helper: /m);
    const beforeJson = JSON.parse((await t.cli(['trust', '--list', '--json'])).stdout);
    expect(beforeJson.items).toHaveLength(1);
    expect(beforeJson.items[0]).toMatchObject({
      item: { kind: 'mcp-json', file: join(ws, '.mcp.json') },
      verdict: { trusted: false },
    });

    const trusted = await t.cli(['trust']);
    expect(trusted.code).toBe(0);
    expect(trusted.stdout).toContain(`Trusted ${ws} as it is now:`);
    expect(trusted.stdout).toMatch(/^ {2}MCP servers from \.mcp\.json: helper: /m);
    expect(trusted.stdout).toContain('and the workspace files they run, as they are now: server.js');
    expect(trusted.stderr).toContain('Undo with: codex-task trust --revoke .');
    const records = readTrustRecords(t.home);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ kind: 'mcp-json', file: join(ws, '.mcp.json') });

    expect((await t.cli(['trust', '--list'])).stdout).toMatch(/^trusted {3}MCP servers from \.mcp\.json/m);

    // The file the server runs changed: trust asks again, naming it.
    await writeFile(join(ws, 'server.js'), '// something else\n');
    const changed = await t.cli(['trust', '--list']);
    expect(changed.stdout).toMatch(/^changed {3}MCP servers from \.mcp\.json/m);
    expect(changed.stdout).toContain('changed since trusted: server.js');

    const revoked = await t.cli(['trust', '--revoke', '--json']);
    expect(revoked.code).toBe(0);
    expect(JSON.parse(revoked.stdout)).toEqual({ dir: ws, revoked: 1 });
    expect(readTrustRecords(t.home)).toEqual([]);
    const again = await t.cli(['trust', '--revoke', ws]);
    expect(again.stdout).toBe(`${ws}: trust revoked (0 items)\n`);
  });

  it('trusts a directory given by path, as JSON, including project settings and allow rules', async () => {
    const ws = await t.workspace({
      '.codex-task/config.json': JSON.stringify({
        providers: { openai: { kind: 'openai', baseURL: 'http://127.0.0.1:9/v1' } },
      }),
      '.claude/settings.json': JSON.stringify({ permissions: { allow: ['Bash(rm:*)'] } }),
    });
    const elsewhere = await t.workspace();
    const run = await t.cli(['trust', ws, '--json'], { cwd: elsewhere });
    expect(run.code).toBe(0);
    const { dir, trusted } = JSON.parse(run.stdout) as { dir: string; trusted: { file: string }[] };
    expect(dir).toBe(ws);
    const files = trusted.map((i) => i.file);
    expect(files).toContain(join(ws, '.codex-task', 'config.json'));
    expect(files).toContain(join(ws, '.claude', 'settings.json'));
    expect(
      readTrustRecords(t.home)
        .map((r) => r.file)
        .sort(),
    ).toEqual([...files].sort());
    const revoked = await t.cli(['trust', '--revoke', ws]);
    expect(revoked.stdout).toBe(`${ws}: trust revoked (${files.length} items)\n`);
  });

  it('refuses a directory that does not exist (exit 2), writing nothing', async () => {
    const ws = await t.workspace();
    const run = await t.cli(['trust', join(ws, 'missing')], { cwd: ws });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${join(ws, 'missing')} does not exist`);
    expect(existsSync(trustFilePath(t.home))).toBe(false);
  });
});
