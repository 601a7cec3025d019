import { describe, expect, it } from 'vitest';
import { parseCommandSource } from './parse-command-file.ts';

const parse = (source: string) => parseCommandSource('/repo/.claude/commands/x.md', source);

describe('parseCommandSource', () => {
  it('takes a file without frontmatter as all body', () => {
    expect(parse('\nReview the diff.\n\n')).toEqual({ content: { body: 'Review the diff.' }, problems: [] });
  });

  it('reads description, argument-hint, allowed-tools and model', () => {
    const result = parse(
      [
        '---',
        'description: Create a git commit',
        'argument-hint: [message]',
        'allowed-tools: Bash(git add:*), Bash(git status:*), Read',
        'model: claude-haiku-4-5',
        '---',
        'Commit with message: $ARGUMENTS',
      ].join('\n'),
    );
    expect(result.problems).toEqual([]);
    expect(result.content).toEqual({
      description: 'Create a git commit',
      argumentHint: '[message]',
      allowedTools: ['Bash(git add:*)', 'Bash(git status:*)', 'Read'],
      model: 'claude-haiku-4-5',
      body: 'Commit with message: $ARGUMENTS',
    });
  });

  it("accepts Claude Code's argument hints that are not valid YAML, and YAML lists of tools", () => {
    const result = parse(
      '---\nargument-hint: [pr-number] [priority] [assignee]\ndescription: "Fix: an issue"\n---\nFix $1\n',
    );
    expect(result.problems).toEqual([]);
    expect(result.content?.argumentHint).toBe('[pr-number] [priority] [assignee]');
    expect(result.content?.description).toBe('Fix: an issue');
    const listed = parse('---\nallowed-tools:\n  - Read\n  - Grep\n---\nbody');
    expect(listed.content?.allowedTools).toEqual(['Read', 'Grep']);
  });

  it('handles CRLF line ends and a BOM', () => {
    const result = parse('\uFEFF---\r\ndescription: d\r\n---\r\nline 1\r\nline 2\r\n');
    expect(result.content).toEqual({ description: 'd', body: 'line 1\nline 2' });
  });

  it('skips a file whose frontmatter is never closed, naming the file', () => {
    const result = parse('---\ndescription: d\nbody without end');
    expect(result.content).toBeUndefined();
    expect(result.problems).toEqual([
      expect.objectContaining({
        file: '/repo/.claude/commands/x.md',
        line: 1,
        message: expect.stringMatching(/never closed; command skipped/),
      }),
    ]);
  });

  it('skips a file whose frontmatter is neither YAML nor key: value lines', () => {
    const result = parse('---\ndescription: d\n  - nested: [\n---\nbody');
    expect(result.content).toBeUndefined();
    expect(result.problems[0]).toMatchObject({
      file: '/repo/.claude/commands/x.md',
      message: expect.stringMatching(/invalid YAML.*command skipped/),
    });
  });

  it('keeps the command but reports fields of the wrong shape and unknown fields', () => {
    const result = parse('---\ndescription:\n  nested: map\nargument_hint: x\n---\nbody');
    expect(result.content).toEqual({ body: 'body' });
    expect(result.problems).toEqual([
      expect.objectContaining({
        field: 'description',
        line: 2,
        message: '`description` must be text; ignored',
      }),
      expect.objectContaining({
        field: 'argument_hint',
        line: 4,
        message: 'unknown field `argument_hint`; ignored',
        hint: 'did you mean `argument-hint`?',
      }),
    ]);
  });

  it('accepts an empty frontmatter and Claude Code fields it does not use', () => {
    expect(parse('---\n---\nbody')).toEqual({ content: { body: 'body' }, problems: [] });
    expect(parse('---\ndisable-model-invocation: true\n---\nbody').problems).toEqual([]);
  });
});
