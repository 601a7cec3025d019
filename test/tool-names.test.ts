import { describe, expect, it } from 'vitest';
import { DEFAULT_KNOWN_TOOLS } from '../src/agents/index.ts';
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
});
