import { describe, expect, it } from 'vitest';
import { effectiveTools, subagentTypeRules } from './index.ts';

const AVAILABLE = [
  'Read',
  'Write',
  'Edit',
  'Glob',
  'Grep',
  'Bash',
  'Task',
  'mcp__gh__issue',
  'mcp__gh__pr',
  'mcp__fs__read',
];
const tools = (list: string[] | undefined, disallowedTools: string[] = [], available = AVAILABLE) =>
  effectiveTools(list === undefined ? { disallowedTools } : { tools: list, disallowedTools }, available);

describe('effectiveTools', () => {
  it('gives every available tool when `tools` is omitted', () => {
    expect(tools(undefined)).toEqual(AVAILABLE);
  });

  it('keeps frontmatter order, and drops unknown and wrong-case names', () => {
    expect(tools(['Grep', 'read', 'Read', 'Nope', 'WebFetch', 'Grep'])).toEqual(['Grep', 'Read']);
  });

  it('applies disallowedTools, with or without `tools`', () => {
    expect(tools(undefined, ['Bash', 'Write'])).toEqual(
      AVAILABLE.filter((t) => t !== 'Bash' && t !== 'Write'),
    );
    expect(tools(['Read', 'Bash', 'Grep'], ['Bash'])).toEqual(['Read', 'Grep']);
    expect(tools(undefined, ['*'])).toEqual([]);
  });

  it('treats Task and Agent as one tool', () => {
    expect(tools(['Agent'])).toEqual(['Task']);
    expect(tools(['Read', 'Task'], ['Agent'])).toEqual(['Read']);
    expect(tools(undefined, [], ['Read', 'Agent', 'Task'])).toEqual(['Read', 'Agent']);
    expect(tools(['Task', 'Agent'], [], ['Task', 'Agent'])).toEqual(['Task']);
  });

  it("grants TodoWrite for Claude Code's task-list tools, once, and denies it for any of them", () => {
    const withTodo = [...AVAILABLE, 'TodoWrite'];
    expect(tools(['Read', 'TaskCreate', 'TaskGet', 'TaskUpdate', 'TaskList'], [], withTodo)).toEqual([
      'Read',
      'TodoWrite',
    ]);
    expect(tools(['TaskList', 'TodoWrite'], [], withTodo)).toEqual(['TodoWrite']);
    expect(tools(['Read', 'TodoWrite'], ['TaskUpdate'], withTodo)).toEqual(['Read']);
    expect(tools(undefined, ['TaskCreate'], withTodo)).not.toContain('TodoWrite');
    expect(tools(['TaskCreate'], [], AVAILABLE)).toEqual([]);
  });

  it('matches MCP server patterns by prefix, in `tools` and in `disallowedTools`', () => {
    expect(tools(['mcp__gh__*'])).toEqual(['mcp__gh__issue', 'mcp__gh__pr']);
    expect(tools(['Read', 'mcp__gh'])).toEqual(['Read', 'mcp__gh__issue', 'mcp__gh__pr']);
    expect(tools(['mcp__fs__read', 'mcp__gh__nope'])).toEqual(['mcp__fs__read']);
    expect(tools(undefined, ['mcp__gh__*'])).toEqual(AVAILABLE.filter((t) => !t.startsWith('mcp__gh__')));
    expect(tools(['mcp__gh__*'], ['mcp__gh__pr'])).toEqual(['mcp__gh__issue']);
  });

  it('grants Task for Task(a, b), and fails closed on argument rules it cannot enforce', () => {
    expect(tools(['Read', 'Task(a, b)'])).toEqual(['Read', 'Task']);
    expect(tools(['Read', 'Bash(git:*)'])).toEqual(['Read']);
    expect(tools(['Read', 'Bash'], ['Bash(rm:*)'])).toEqual(['Read']);
    expect(tools(['Read', 'Task'], ['Task(dangerous)'])).toEqual(['Read', 'Task']);
  });
});

describe('subagentTypeRules', () => {
  it('reads which agent types Task may spawn', () => {
    expect(subagentTypeRules({ disallowedTools: [] })).toEqual({ denied: [] });
    expect(
      subagentTypeRules({ tools: ['Read', 'Task(a, b)', 'Agent(c)'], disallowedTools: ['Task(d)'] }),
    ).toEqual({
      allowed: ['a', 'b', 'c'],
      denied: ['d'],
    });
    expect(subagentTypeRules({ tools: ['Task(a)', 'Task'], disallowedTools: [] })).toEqual({ denied: [] });
    expect(subagentTypeRules({ tools: ['Read'], disallowedTools: [] })).toEqual({ allowed: [], denied: [] });
  });
});
