import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configuredMcpServers, mcpToolProblems, parseAgentSource } from './index.ts';

const root = mkdtempSync(join(tmpdir(), 'codex-task-mcp-tools-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const def = (extra: string) =>
  parseAgentSource('/p/.claude/agents/a.md', `---\nname: a\ndescription: d\n${extra}\n---\nBody.\n`)
    .definition!;

describe('MCP tools of servers that are not configured', () => {
  it('are warned about once per server, saying when the agent is left with no tools', () => {
    const problems = mcpToolProblems(def('tools: mcp__github__get_issue, mcp__github__add_labels'), []);
    expect(problems).toEqual([
      expect.objectContaining({
        severity: 'warning',
        field: 'tools',
        message:
          "`mcp__github__get_issue`, `mcp__github__add_labels`: MCP server `github`, which is not configured here (.mcp.json or this agent's `mcpServers`), so they are not granted and this agent runs with no tools",
      }),
    ]);
    const withRead = mcpToolProblems(def('tools: Read, mcp__github__get_issue'), []);
    expect(withRead[0]!.message).not.toContain('no tools');
  });

  it('are fine when .mcp.json or the agent itself configures the server (names normalised)', () => {
    expect(mcpToolProblems(def('tools: mcp__my_server__x'), ['my.server'])).toEqual([]);
    expect(mcpToolProblems(def('tools: mcp__github\nmcpServers:\n  - github'), [])).toEqual([]);
    expect(mcpToolProblems(def('tools: mcp__files__read\nmcpServers:\n  - files: {command: x}'), [])).toEqual(
      [],
    );
  });

  it('reads server names from the nearest .mcp.json up to the repository root', () => {
    mkdirSync(join(root, 'repo/.git'), { recursive: true });
    mkdirSync(join(root, 'repo/pkg'), { recursive: true });
    writeFileSync(join(root, 'repo/.mcp.json'), JSON.stringify({ mcpServers: { github: {}, notes: {} } }));
    expect(configuredMcpServers(join(root, 'repo/pkg'))).toEqual(['github', 'notes']);
    writeFileSync(join(root, 'repo/pkg/.mcp.json'), '{ not json');
    expect(configuredMcpServers(join(root, 'repo/pkg'))).toEqual([]);
  });
});
