import { describe, expect, it } from 'vitest';
import { expandSlashCommand, splitArguments } from './expand-command.ts';
import type { SlashCommand } from './types.ts';

const command = (name: string, body: string): SlashCommand => ({
  name,
  body,
  path: `/repo/.claude/commands/${name.replaceAll(':', '/')}.md`,
  source: 'project',
});

const COMMANDS = [
  command('review', 'Review $ARGUMENTS carefully.'),
  command('fix-issue', 'Fix issue #$1 with priority $2 (owner: $3).'),
  command('plain', 'Summarise the repository.'),
  command('twice', 'First: $ARGUMENTS. Again: $ARGUMENTS.'),
  command('frontend:component', 'Make a component named $1.'),
  command('many', '$1 $2 $3 $4 $5 $6 $7 $8 $9 | $10 $11'),
  command('money', 'It costs $0.50, and the file is $1.'),
];

const expand = (text: string) => expandSlashCommand(text, COMMANDS);

describe('expandSlashCommand', () => {
  it('substitutes $ARGUMENTS by the whole argument string', () => {
    const out = expand('/review src/auth.ts  and "the tests"');
    expect(out?.text).toBe('Review src/auth.ts  and "the tests" carefully.');
    expect(out?.command.name).toBe('review');
  });

  it('substitutes $1…$N by shell-style words, missing ones by nothing', () => {
    expect(expand('/fix-issue 123 high')?.text).toBe('Fix issue #123 with priority high (owner: ).');
    expect(expand(`/fix-issue 7 "very high" 'Ann Lee'`)?.text).toBe(
      'Fix issue #7 with priority very high (owner: Ann Lee).',
    );
  });

  it('reads $10 as the tenth argument, not $1 followed by 0, and leaves $0 alone', () => {
    expect(expand('/many a b c d e f g h i j')?.text).toBe('a b c d e f g h i | j ');
    expect(expand('/money x.ts')?.text).toBe('It costs $0.50, and the file is x.ts.');
  });

  it('substitutes every occurrence of $ARGUMENTS', () => {
    expect(expand('/twice go')?.text).toBe('First: go. Again: go.');
  });

  it('appends the arguments when the body has no placeholder, and nothing when there are none', () => {
    expect(expand('/plain focus on src/')?.text).toBe(
      'Summarise the repository.\n\nARGUMENTS: focus on src/',
    );
    expect(expand('/plain')?.text).toBe('Summarise the repository.');
    expect(expand('/plain   \n ')?.text).toBe('Summarise the repository.');
  });

  it('empties placeholders when called without arguments', () => {
    expect(expand('/review')?.text).toBe('Review  carefully.');
    expect(expand('/fix-issue')?.text).toBe('Fix issue # with priority  (owner: ).');
  });

  it('substitutes in one pass: arguments that look like placeholders stay as typed', () => {
    expect(expand('/review $1 and $ARGUMENTS')?.text).toBe('Review $1 and $ARGUMENTS carefully.');
    expect(expand('/fix-issue $2 two')?.text).toBe('Fix issue #$2 with priority two (owner: ).');
  });

  it('keeps multi-line arguments whole in $ARGUMENTS', () => {
    expect(expand('/review line one\nline two')?.text).toBe('Review line one\nline two carefully.');
  });

  it('matches namespaced names', () => {
    expect(expand('/frontend:component Button')?.text).toBe('Make a component named Button.');
    expect(expand('/component Button')).toBeUndefined();
  });

  it('returns undefined for unknown commands, other casing, paths and text that is not a command', () => {
    expect(expand('/unknown x')).toBeUndefined();
    expect(expand('/Review x')).toBeUndefined();
    expect(expand('/review/x')).toBeUndefined();
    expect(expand('/usr/bin/env node fails')).toBeUndefined();
    expect(expand('please /review x')).toBeUndefined();
    expect(expand('review x')).toBeUndefined();
    expect(expand('/')).toBeUndefined();
    expect(expand('')).toBeUndefined();
  });

  it('allows white space before the slash', () => {
    expect(expand('  /plain')?.text).toBe('Summarise the repository.');
  });
});

describe('splitArguments', () => {
  it.each([
    ['', []],
    ['a  b\tc\nd', ['a', 'b', 'c', 'd']],
    [`"a b" 'c d' e`, ['a b', 'c d', 'e']],
    [`x"y z"w`, ['xy zw']],
    [`"" ''`, ['', '']],
    [`"say \\"hi\\"" 'it\\s'`, ['say "hi"', 'it\\s']],
    ['a\\ b c', ['a b', 'c']],
    [`"unclosed quote`, ['"unclosed', 'quote']],
    [`it's fine`, ["it's", 'fine']],
    [`it's "a b"`, ["it's", 'a b']],
    [`"a \\\\" b`, ['a \\', 'b']],
    [`"a \\" b`, ['"a', '"', 'b']],
  ])('%j → %j', (input, words) => {
    expect(splitArguments(input)).toEqual(words);
  });
});
