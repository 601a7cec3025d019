import { describe, expect, it } from 'vitest';
import {
  agentInputsFromRecord,
  BUILTIN_AGENTS,
  DEFAULT_AGENT_TYPE,
  DEFAULT_KNOWN_TOOLS,
  effectiveTools,
  parseAgentInput,
} from './index.ts';

describe('parseAgentInput', () => {
  it('takes the system prompt from `prompt` (Claude Code --agents JSON) or `systemPrompt`', () => {
    const a = parseAgentInput({
      name: 'rev',
      description: 'Reviews',
      prompt: '  Review.  ',
      tools: ['Read'],
    });
    expect(a.problems).toEqual([]);
    expect(a.definition).toMatchObject({
      name: 'rev',
      systemPrompt: 'Review.',
      tools: ['Read'],
      toolsText: 'Read',
      scope: 'code',
    });
    expect(a.definition?.file).toBeUndefined();
    expect(a.definition?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(
      parseAgentInput({ name: 'rev', description: 'd', systemPrompt: 'S' }).definition?.systemPrompt,
    ).toBe('S');
  });

  it('rejects both prompts at once, non-objects, and names with spaces', () => {
    const both = parseAgentInput({ name: 'rev', description: 'd', prompt: 'a', systemPrompt: 'b' });
    expect(both.definition).toBeUndefined();
    expect(both.problems[0]).toMatchObject({ severity: 'error', file: '<code:rev>', field: 'systemPrompt' });
    expect(parseAgentInput('rev').problems[0]).toMatchObject({ severity: 'error', file: '<code:?>' });
    const spaced = parseAgentInput({ name: 'my agent', description: 'd', prompt: 'p' });
    expect(spaced.problems[0]).toMatchObject({ field: 'name', hint: 'Use `name: my-agent`.' });
  });

  it('allows built-in style names, and reports problems like a file (without lines)', () => {
    const r = parseAgentInput({ name: 'Reviewer', description: 'd', prompt: '', allowedTools: ['Read'] });
    expect(r.definition?.name).toBe('Reviewer');
    expect(r.problems.map((p) => [p.field, p.line])).toEqual([
      ['allowedTools', undefined],
      [undefined, undefined],
    ]);
    expect(r.problems[1]!.hint).toBe('Give the agent a `prompt`.');
  });

  it('converts the record form of --agents', () => {
    expect(agentInputsFromRecord({ rev: { description: 'd', prompt: 'p' } })).toEqual([
      { name: 'rev', description: 'd', prompt: 'p' },
    ]);
  });
});

describe('built-in agents', () => {
  it('are valid agents by the same rules as code agents', () => {
    for (const builtin of BUILTIN_AGENTS) {
      const { tools, name, description, systemPrompt } = builtin;
      const r = parseAgentInput({ name, description, systemPrompt, ...(tools ? { tools } : {}) });
      expect(r.problems, name).toEqual([]);
      expect(builtin.scope).toBe('builtin');
      expect(Object.isFrozen(builtin)).toBe(true);
    }
  });

  it('general-purpose is the default and has every tool; Explore and Plan are read-only', () => {
    const byName = new Map(BUILTIN_AGENTS.map((a) => [a.name, a]));
    expect(byName.get(DEFAULT_AGENT_TYPE)?.tools).toBeUndefined();
    const everything = DEFAULT_KNOWN_TOOLS.available;
    for (const name of ['Explore', 'Plan']) {
      expect(effectiveTools(byName.get(name)!, everything), name).toEqual([
        'Read',
        'Glob',
        'Grep',
        'LS',
        'WebFetch',
        'WebSearch',
      ]);
      expect(byName.get(name)!.systemPrompt).toContain('read-only');
    }
  });
});
