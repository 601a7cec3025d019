import { describe, expect, it } from 'vitest';
import { type AgentDefinition, BUILTIN_AGENTS, formatAgentList, toolsDescription } from './index.ts';

function def(fields: Partial<AgentDefinition> & { name: string }): AgentDefinition {
  return {
    description: `${fields.name} does things`,
    systemPrompt: '',
    disallowedTools: [],
    accepted: {},
    unknown: {},
    scope: 'project',
    hash: 'h',
    ...fields,
  };
}

describe('toolsDescription', () => {
  it('says All tools when `tools` is absent', () => {
    expect(toolsDescription(def({ name: 'a' }))).toBe('All tools');
  });

  it('shows `tools` as written', () => {
    expect(toolsDescription(def({ name: 'a', tools: ['Read', 'Grep'], toolsText: 'Read,Grep' }))).toBe(
      'Read,Grep',
    );
  });

  it('says All tools except … with only disallowedTools', () => {
    expect(toolsDescription(def({ name: 'a', disallowedTools: ['Bash', 'Write'] }))).toBe(
      'All tools except Bash, Write',
    );
  });

  it('shows the listed tools minus the disallowed ones when both are given', () => {
    const both = def({
      name: 'a',
      tools: ['Read', 'Bash', 'Agent'],
      toolsText: 'Read, Bash, Agent',
      disallowedTools: ['Bash', 'Task'],
    });
    expect(toolsDescription(both)).toBe('Read');
    expect(toolsDescription(def({ name: 'a', tools: ['Bash'], disallowedTools: ['Bash'] }))).toBe('None');
  });
});

describe('formatAgentList', () => {
  it('writes one line per agent, sorted by name case-insensitively', () => {
    const list = formatAgentList([
      def({ name: 'zeta', description: 'Last' }),
      def({ name: 'Plan', description: 'Plans', tools: ['Read', 'Glob'], toolsText: 'Read, Glob' }),
      def({ name: 'alpha', description: 'First', disallowedTools: ['Bash'] }),
      def({ name: 'general-purpose', description: 'Anything' }),
    ]);
    expect(list).toBe(
      [
        '- alpha: First (Tools: All tools except Bash)',
        '- general-purpose: Anything (Tools: All tools)',
        '- Plan: Plans (Tools: Read, Glob)',
        '- zeta: Last (Tools: All tools)',
      ].join('\n'),
    );
  });

  it('describes the built-ins', () => {
    const lines = formatAgentList(BUILTIN_AGENTS).split('\n');
    expect(lines.map((l) => l.slice(0, l.indexOf(':')))).toEqual([
      '- Explore',
      '- general-purpose',
      '- Plan',
    ]);
    expect(lines[0]).toMatch(/\(Tools: Read, Glob, Grep, LS, WebFetch, WebSearch\)$/);
    expect(lines[1]).toMatch(/\(Tools: All tools\)$/);
  });
});
