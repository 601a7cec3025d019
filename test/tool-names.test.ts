import { describe, expect, it } from 'vitest';
import { DEFAULT_KNOWN_TOOLS, effectiveTools, grantedAs } from '../src/agents/index.ts';
import { TaskEngine } from '../src/engine/index.ts';
import { builtinToolNames } from '../src/tools/index.ts';

// The agent validator keeps its own list of tool names (it sits below the tools layer); this test
// keeps that list and the real tools from drifting apart.
describe('tool names known to agent validation', () => {
  it('are exactly the built-in tools plus Task and its alias Agent', () => {
    expect([...DEFAULT_KNOWN_TOOLS.available].sort()).toEqual([...builtinToolNames, 'Task', 'Agent'].sort());
  });

  it('never list a Claude-Code-only tool that we actually provide', () => {
    const grantable = new TaskEngine({ providers: [] }).grantableTools;
    expect(DEFAULT_KNOWN_TOOLS.claudeCodeOnly.filter((name) => grantable.includes(name))).toEqual([]);
  });

  // Claude Code's newer tool set: its task-list tools replace TodoWrite; SendMessage continues a
  // background subagent, which codex-task does not run yet.
  it("grant Claude Code's task-list tools as a tool the engine really has", () => {
    const grantable = new TaskEngine({ providers: [] }).grantableTools;
    for (const name of ['TaskCreate', 'TaskGet', 'TaskUpdate', 'TaskList']) {
      expect(grantable).toContain(grantedAs(name));
      expect(effectiveTools({ tools: [name], disallowedTools: [] }, grantable)).toEqual(['TodoWrite']);
    }
  });

  it('know SendMessage as a Claude Code tool, not an unknown one', () => {
    expect(DEFAULT_KNOWN_TOOLS.claudeCodeOnly).toContain('SendMessage');
  });
});
