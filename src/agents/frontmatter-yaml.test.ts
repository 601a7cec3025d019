import { describe, expect, it } from 'vitest';
import { parseFrontmatterYaml, quoteProblematicValues } from './frontmatter-yaml.ts';

const parse = (src: string) => parseFrontmatterYaml(src, 2);
const dataOf = (src: string) => {
  const result = parse(src);
  if (!result.ok) throw new Error(JSON.stringify(result.failures));
  return result.fields.data;
};

// Claude Code 2.1.197: strict YAML first; only when that fails, each unquoted top-level
// `key: value` line whose value has `: ` or one of {}[]*&#!|>%@` is wrapped in double quotes and
// the text parsed again. Only if that fails too is the file skipped.
describe('the quoting retry', () => {
  it('is not used when strict YAML parses (a ` #` comment stays a comment, as in Claude Code)', () => {
    const result = parse('name: triage\ndescription: Handles issue #42 style triage');
    expect(result.ok && result.retried).toBe(undefined);
    expect(dataOf('name: triage\ndescription: Handles issue #42 style triage').description).toBe(
      'Handles issue',
    );
  });

  it('reads an unquoted value with `: ` as the rest of the line, byte for byte', () => {
    const src = 'name: growth\ndescription: Growth ideas. Triggers on: \'growth loop\', "flywheel" \\o/  ';
    const result = parse(src);
    expect(result).toMatchObject({ ok: true, retried: ['description'] });
    expect(dataOf(src)).toEqual({
      name: 'growth',
      description: 'Growth ideas. Triggers on: \'growth loop\', "flywheel" \\o/  ',
    });
  });

  it('wraps every such line once strict parsing failed, including ones that were valid', () => {
    const src = 'name: obs\ndescription: Adds spans: metrics & alerts\ntools: [Read, Grep]\nmodel: sonnet';
    expect(dataOf(src)).toEqual({
      name: 'obs',
      description: 'Adds spans: metrics & alerts',
      tools: '[Read, Grep]',
      model: 'sonnet',
    });
    expect(parse(src)).toMatchObject({ retried: ['description', 'tools'] });
  });

  it('leaves quoted values, indented lines, comments and plain values alone', () => {
    const src = [
      'name: x',
      'description: Use when: needed',
      'color: "blue: ish"',
      "effort: 'high: very'",
      'hooks:',
      '  PreToolUse: [a]',
      '# note: a comment',
      'model: sonnet',
    ].join('\n');
    expect(quoteProblematicValues(src)).toEqual({
      text: src.replace('description: Use when: needed', 'description: "Use when: needed"'),
      keys: ['description'],
    });
    expect(dataOf(src)).toMatchObject({
      color: 'blue: ish',
      effort: 'high: very',
      hooks: { PreToolUse: ['a'] },
    });
  });

  it.each(['{', '}', '[', ']', '*', '&', '#', '!', '|', '>', '%', '@', '`', ': '])(
    'wraps a value containing %j',
    (symbol) => {
      const line = `description: a${symbol}b`;
      expect(quoteProblematicValues(line).keys).toEqual(['description']);
    },
  );

  it('does not wrap a value without `: ` or those symbols', () => {
    expect(quoteProblematicValues('description: a:b, c - d ~ e ? f').keys).toEqual([]);
  });

  it('keeps file line numbers', () => {
    const result = parse('name: x\ndescription: Use when: needed\ntools:\n  - Read');
    expect(result).toMatchObject({ ok: true, fields: { lines: { description: 3, tools: 4 } } });
  });

  it('fails with strict YAML’s own errors when the retry fails too', () => {
    // `description: >` is wrapped by the retry (it contains `>`), so the block under it no longer parses.
    const result = parse('name: x\ndescription: >\n  Folded text\ncolor: a: b');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.failures[0]).toMatchObject({ line: 5 });
  });
});
