import { describe, expect, it } from 'vitest';
import { parseWithYaml } from './frontmatter-yaml.ts';
import { parseSimpleYaml } from './simple-yaml.ts';

/** Values as they appear after `key: `, covering what the fast reader takes and what it must refuse. */
const VALUES = [
  'code-reviewer',
  'Reviews code for quality, security and maintainability.',
  'Use after edits (always)',
  'http://example.com/x',
  'a#b',
  'a # comment',
  'Use when: x',
  'ends with colon:',
  '"double quoted"',
  '"with \\"escape\\""',
  '"with \\n newline"',
  '"Use when…\\n\\n<example>Context: x</example>"',
  '"tab\\there \\\\ slash\\/ quote\\" bell\\a nel\\N nbsp\\_ ls\\L ps\\P esc\\e nul\\0 sp\\ "',
  '"hex \\x41 \\u00e9 \\U0001F600 \\ud83d"',
  '"bad \\q escape"',
  '"bad \\x4 hex"',
  '"bad \\UFFFFFFFF point"',
  '"trailing backslash\\"',
  '"early" end"',
  '"escaped end\\\\"',
  "'single ''quoted'''",
  "'bad ' quote'",
  '"unterminated',
  '12',
  '007',
  '-5',
  '+3',
  '1.5',
  '.5',
  '1.',
  '1e3',
  '0x1F',
  '0o17',
  '.inf',
  '-.inf',
  '.NaN',
  '90s',
  '5m',
  '1_000',
  'true',
  'False',
  'TRUE',
  'yes',
  'null',
  'Null',
  '~',
  '[Read, Grep]',
  '[Read, Task(a, b)]',
  '[]',
  '[ ]',
  '[a, , b]',
  '[a, b,]',
  '[a, [b]]',
  '["Read", Grep]',
  '[1, true, null, x]',
  '[a: b]',
  '{a: 1}',
  '&anchor x',
  '*alias',
  '!tag x',
  '| ',
  '>-',
  '@at',
  '`tick`',
  '%percent',
  '- item',
  '-dash',
  '?q',
  ':colon',
  'mcp__fs__*',
  'Read, Grep, Glob',
  '   spaced   ',
];

/** Whole documents: layouts (block lists, comments, blank lines, nesting) rather than values. */
const DOCUMENTS = [
  '',
  '# only a comment\n',
  'name: a\n\n# comment\ndescription: b\n',
  'tools:\n  - Read\n  - Grep\n',
  'tools:\n- Read\n- Grep\n',
  'tools:\n  - Read\n\n  # c\n  - Grep\nmodel: x\n',
  'tools:\n  - Read\n    - Grep\n',
  'tools:\n  - Read\n - Grep\n',
  'tools:\n  - "Read"\n  - \'Grep\'\n  - 3\n',
  'tools:\n  - a: b\n',
  'tools:\n  -\n',
  'tools:\nmodel: x\n',
  'tools:\n',
  'hooks:\n  a: 1\n',
  'description: one\n  two\n',
  'name: a\nname: b\n',
  'key:value\n',
  '"quoted key": 1\n',
  'a b: 1\n',
  '1: x\n',
  'tools: # all\n',
  '  indented: 1\n',
  'name: a\n...\n',
  'name:\ta\n',
  'name: a   \ndescription: b\t\n',
  'x.y: 1\nmax_tokens: 2\nallowed-tools: Read\n',
  '__proto__: x\n',
  // Multi-line plain scalars.
  'description: one\n  two\n   three\nname: x\n',
  'description: one\n  two\n\n  three\n\n\n  four\nname: x\n',
  'description: one\n  two\n\nname: x\n',
  'description: one\n  - two\n',
  'description: one\n  two: three\n',
  'description: one\n  # two\n',
  'description: one\n  two #c\n',
  'description: one\n  [two]\n',
  'description: true\n  two\n',
  'description: 12\n  two\n',
  'description: "one\n  two"\n',
  'description: one\n  two   \n',
  // Block scalars.
  'description: |\n  line one\n  line two\nname: x\n',
  'description: |-\n  line one\n\n  line three\n\n\nname: x\n',
  'description: >\n  folded one\n  folded two\n\n  new paragraph\nname: x\n',
  'description: >-\n  folded one\n  folded two\n',
  'description: >-\n  folded\n\n\n  two breaks\n',
  'description: |\n  keep  inner  spaces\n    and more indent\n  back\n',
  'description: >\n  a\n    more indented\n  b\n',
  'description: |\n\n  leading blank\n',
  'description: |\n  trailing space \n',
  'description: |\n  a\n   \n  b\n',
  'description: |\n  a\n # less indented\n',
  'description: |\n  a\n# comment\nname: x\n',
  'description: |\n  # not a comment\n  a: b\n',
  'description: |\nname: x\n',
  'description: |+\n  keep\n\n',
  'description: >2\n  indicator\n',
  'description: | # c\n  x\n',
  'description: |\n  last line without newline',
  'constructor: x\ntoString: y\nhasOwnProperty: z\n',
];

const documents = [...DOCUMENTS, ...VALUES.map((v) => `name: x\nvalue: ${v}\n`)];

describe('parseSimpleYaml', () => {
  it.each(documents)('agrees with the yaml package, or declines: %j', (src) => {
    const fast = parseSimpleYaml(src, 2);
    if (fast === undefined) return;
    const full = parseWithYaml(src, 2);
    expect(full.ok, 'the fast reader accepted YAML the real parser rejects').toBe(true);
    if (!full.ok) return;
    expect({ ...fast.data }).toEqual({ ...full.fields.data });
    expect({ ...fast.lines }).toEqual({ ...full.fields.lines });
    expect({ ...fast.itemLines }).toEqual({ ...full.fields.itemLines });
  });

  it('handles the shapes agent files are written in (otherwise it saves nothing)', () => {
    const typical = [
      'name: code-reviewer\ndescription: Expert reviewer. Use proactively after edits.\ntools: Read, Grep, Glob, Bash\nmodel: sonnet\ncolor: blue\n',
      'name: a\ndescription: "Quoted, with commas"\ntools: [Read, Grep]\nmaxTurns: 20\ntemperature: 0.2\ntimeout: 5m\n',
      'name: a\ndescription: b\ntools:\n  - Read\n  - mcp__github__*\n# trailing comment\n',
      'name: a\ndescription: >-\n  Reviews code.\n\n  Use after edits.\ntools: Read\n',
      'name: a\ndescription: |\n  Line one.\n  Line two.\nmodel: opus\n',
      'name: a\ndescription: Reviews code written\n  over two lines.\n',
      'name: a\ndescription: "Use when…\\n\\n<example>user: \\"review\\"</example>"\n',
    ];
    for (const src of typical) expect(parseSimpleYaml(src, 2), src).toBeDefined();
    // And a sample of what it must hand over.
    for (const src of [
      'description: |+\n  x\n',
      'description: Use when: x\n',
      'a: "two\n  lines"\n',
      'hooks:\n  a: 1\n',
    ]) {
      expect(parseSimpleYaml(src, 2), src).toBeUndefined();
    }
  });

  it('reports file lines, offset by where the YAML starts', () => {
    const r = parseSimpleYaml('name: a\n\ntools:\n  - Read\n  - Grep\nmodel: x\n', 10);
    expect({ ...r?.lines }).toEqual({ name: 10, tools: 12, model: 15 });
    expect({ ...r?.itemLines }).toEqual({ tools: [13, 14] });
  });
});
