import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type AgentProblem, parseAgentFile, parseAgentSource } from './index.ts';

const root = mkdtempSync(join(tmpdir(), 'codex-task-parse-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
/** Writes a real file (bytes exactly as given) and parses it from disk. */
function parseFile(contents: string | Buffer, name = `agent-${++counter}.md`) {
  const file = join(root, name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, contents);
  return { file, ...parseAgentFile(file) };
}

const agent = (frontmatter: string, body = 'You review code.') => `---\n${frontmatter}\n---\n${body}\n`;
const base = 'name: reviewer\ndescription: Reviews code';

function only(problems: AgentProblem[], field: string): AgentProblem {
  const found = problems.filter((p) => p.field === field);
  expect(found, JSON.stringify(problems, null, 2)).toHaveLength(1);
  return found[0]!;
}

describe('frontmatter forms', () => {
  it('reads a comma string, keeping the text as written', () => {
    const { definition, problems } = parseFile(agent(`${base}\ntools: Read,  Grep ,Glob`));
    expect(problems).toEqual([]);
    expect(definition?.tools).toEqual(['Read', 'Grep', 'Glob']);
    expect(definition?.toolsText).toBe('Read,  Grep ,Glob');
  });

  it('reads a YAML flow list', () => {
    const { definition } = parseFile(agent(`${base}\ntools: [Read, Grep]`));
    expect(definition?.tools).toEqual(['Read', 'Grep']);
    expect(definition?.toolsText).toBe('Read, Grep');
  });

  it('reads a YAML block list, and points at the item line of a bad entry', () => {
    const { definition, problems } = parseFile(agent(`${base}\ntools:\n  - Read\n  - Grpe\n  - Glob`));
    expect(definition?.tools).toEqual(['Read', 'Grpe', 'Glob']);
    const p = only(problems, 'tools');
    expect(p).toMatchObject({
      severity: 'warning',
      line: 6,
      message: 'unknown tool `Grpe`; dropped',
      hint: 'did you mean `Grep`?',
    });
  });

  it('accepts MCP tool names and server patterns as they are', () => {
    const { definition, problems } = parseFile(
      agent(`${base}\ntools: Read, mcp__github__create_issue, mcp__fs__*`),
    );
    expect(problems).toEqual([]);
    expect(definition?.tools).toEqual(['Read', 'mcp__github__create_issue', 'mcp__fs__*']);
  });

  it('keeps Task(agent-a, agent-b) whole, in a comma string and in a flow list', () => {
    const a = parseFile(agent(`${base}\ntools: Read, Task(agent-a, agent-b), Grep`));
    expect(a.definition?.tools).toEqual(['Read', 'Task(agent-a, agent-b)', 'Grep']);
    const b = parseFile(agent(`${base}\ntools: [Read, Task(agent-a, agent-b)]`));
    expect(b.definition?.tools).toEqual(['Read', 'Task(agent-a, agent-b)']);
    expect(a.problems).toEqual([]);
  });

  it('treats `tools: "*"` and an omitted `tools` as all tools', () => {
    expect(parseFile(agent(`${base}\ntools: "*"`)).definition?.tools).toBeUndefined();
    const omitted = parseFile(agent(base)).definition;
    expect(omitted?.tools).toBeUndefined();
    expect(omitted?.toolsText).toBeUndefined();
    expect(omitted?.disallowedTools).toEqual([]);
  });

  it('reads disallowedTools in the same forms', () => {
    expect(parseFile(agent(`${base}\ndisallowedTools: Bash, Write`)).definition?.disallowedTools).toEqual([
      'Bash',
      'Write',
    ]);
    expect(parseFile(agent(`${base}\ndisallowedTools:\n- Bash`)).definition?.disallowedTools).toEqual([
      'Bash',
    ]);
  });

  it('tolerates a UTF-8 BOM and CRLF line ends, hashing the bytes as they are', () => {
    const lf = agent(`${base}\ntools: Read\nmaxTurns: 0`, 'Line one.\nLine two.');
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lf.replaceAll('\n', '\r\n'))]);
    const crlf = parseFile(bytes);
    const plain = parseFile(lf);
    expect(crlf.problems.map(({ file: _, ...p }) => p)).toEqual(plain.problems.map(({ file: _, ...p }) => p));
    expect(only(crlf.problems, 'maxTurns').line).toBe(5);

    const okBytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(agent(base, 'A\nB').replaceAll('\n', '\r\n')),
    ]);
    const ok = parseFile(okBytes);
    expect(ok.definition?.name).toBe('reviewer');
    expect(ok.definition?.systemPrompt).toBe('A\nB');
    expect(ok.definition?.hash).toBe(createHash('sha256').update(okBytes).digest('hex'));
  });

  it('takes the trimmed body as the system prompt and hashes the file bytes', () => {
    const text = agent(base, '\n\n  You are careful.\n\nCheck tests.  \n\n');
    const { file, definition } = parseFile(text);
    expect(definition?.systemPrompt).toBe('You are careful.\n\nCheck tests.');
    expect(definition?.hash).toBe(createHash('sha256').update(text).digest('hex'));
    expect(definition?.file).toBe(file);
    expect(definition?.scope).toBe('project');
  });

  it('hashes the bytes even when they are not valid UTF-8', () => {
    const bytes = Buffer.concat([Buffer.from(agent(base, 'Bad byte: ')), Buffer.from([0xff, 0x0a])]);
    const { definition } = parseFile(bytes);
    expect(definition?.hash).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(definition?.systemPrompt).toBe('Bad byte: \n\uFFFD');
  });

  it('reads every field, ours included', () => {
    const { definition, problems } = parseFile(
      agent(
        `${base}\nmodel: opus\npermissionMode: acceptEdits\nmaxTurns: 12\ntemperature: 0.3\nmax_tokens: 4000\ntimeout: 90s\ncolor: blue\nskills: [a, b]\nx-team: core`,
      ),
    );
    expect(definition).toMatchObject({
      model: 'opus',
      permissionMode: 'acceptEdits',
      maxTurns: 12,
      temperature: 0.3,
      maxTokens: 4000,
      timeoutMs: 90_000,
      accepted: { color: 'blue', skills: ['a', 'b'] },
      unknown: { 'x-team': 'core' },
    });
    expect(problems.map((p) => p.field)).toEqual(['color', 'skills', 'x-team']);
  });

  it('keeps odd keys as plain fields', () => {
    const { definition } = parseFile(agent(`${base}\n__proto__: {polluted: 1}\nconstructor: x`));
    expect(Object.getPrototypeOf(definition?.unknown)).toBe(Object.prototype);
    expect(Object.keys(definition?.unknown ?? {})).toEqual(['__proto__', 'constructor']);
    expect(JSON.parse(JSON.stringify(definition?.unknown))).toEqual({
      ['__proto__']: { polluted: 1 },
      constructor: 'x',
    });
  });

  it('reads timeouts as milliseconds or durations', () => {
    const timeout = (v: string) => parseFile(agent(`${base}\ntimeout: ${v}`)).definition?.timeoutMs;
    expect(timeout('1500')).toBe(1500);
    expect(timeout('"5m"')).toBe(300_000);
    expect(timeout('2h')).toBe(7_200_000);
    expect(timeout('250ms')).toBe(250);
  });

  it('falls back to the full YAML parser for block scalars and nested maps', () => {
    const { definition, problems } = parseFile(
      agent(
        'name: reviewer\ndescription: >-\n  Reviews code\n  carefully.\nhooks:\n  PreToolUse: []\nmodel: "claude-sonnet-5"',
      ),
    );
    expect(definition?.description).toBe('Reviews code carefully.');
    expect(definition?.accepted).toEqual({ hooks: { PreToolUse: [] } });
    expect(definition?.model).toBe('claude-sonnet-5');
    expect(only(problems, 'hooks').line).toBe(6);
  });
});

describe('errors (the file yields no definition)', () => {
  it('no frontmatter, with a hint pointing at a misplaced block', () => {
    const r = parseFile('# Reviewer\n---\nname: x\n---\n');
    expect(r.definition).toBeUndefined();
    expect(r.problems).toEqual([
      {
        severity: 'error',
        file: r.file,
        line: 1,
        message: 'no frontmatter: an agent file starts with a `---` line',
        hint: 'Move the `---` block on line 2 to the very top of the file.',
      },
    ]);
  });

  it('an unclosed frontmatter', () => {
    const r = parseFile('---\nname: x\ndescription: y\n');
    expect(r.problems[0]).toMatchObject({
      severity: 'error',
      line: 1,
      message: 'the frontmatter is never closed',
    });
  });

  it('bad YAML the quoting retry cannot fix either, with the line, column, field and how to quote', () => {
    const r = parseFile(
      agent('name: reviewer\ndescription: Use it when: the code changed\n  and the tests fail'),
    );
    expect(r.definition).toBeUndefined();
    const p = r.problems[0]!;
    expect(p).toMatchObject({ severity: 'error', field: 'description', line: 3 });
    expect(p.message).toMatch(/^invalid YAML: .*\(column \d+\)$/);
    expect(p.hint).toContain('Quote the value of `description`');
    const dup = parseFile(agent('name: reviewer\nname: other\ndescription: d'));
    expect(dup.definition).toBeUndefined();
    expect(dup.problems[0]!.hint).toBe('Remove one of the two lines that set this key.');
  });

  it('frontmatter that is not a mapping', () => {
    const r = parseFile(agent('- name\n- description'));
    expect(r.problems[0]).toMatchObject({ severity: 'error', line: 2 });
  });

  it('a missing name, suggesting one from the file name', () => {
    const r = parseFile(agent('description: Reviews code'), 'Code_Reviewer.md');
    const p = only(r.problems, 'name');
    expect(p).toMatchObject({ severity: 'error', line: 1, message: '`name` is missing' });
    expect(p.hint).toContain('`name: code-reviewer`');
  });

  it('a name that is not one line of text', () => {
    const r = parseFile(agent('name: "code\\nreviewer"\ndescription: d'));
    expect(r.definition).toBeUndefined();
    expect(only(r.problems, 'name')).toMatchObject({
      severity: 'error',
      line: 2,
      message: '`name` "code\\nreviewer" must be one line without control characters',
      hint: 'Use `name: code-reviewer`.',
    });
  });

  it('a missing or empty description, pointing at a misspelt key when there is one', () => {
    const empty = parseFile(agent('name: reviewer\ndescription: ""'));
    expect(only(empty.problems, 'description')).toMatchObject({
      severity: 'error',
      message: '`description` is missing',
    });
    const misspelt = parseFile(agent('name: reviewer\ndescripton: Reviews code'));
    expect(only(misspelt.problems, 'description').hint).toBe('Rename `descripton:` to `description:`.');
    expect(only(misspelt.problems, 'descripton')).toMatchObject({
      severity: 'warning',
      line: 3,
      hint: 'did you mean `description`?',
    });
  });

  it('wrong types, every one reported at once and in line order', () => {
    const r = parseFile(
      agent(
        'name: 123\ndescription: [a]\ntools: {Read: true}\nmodel: 7\npermissionMode: bypass\nmaxTurns: ten\ntemperature: 3\nmax_tokens: 1.5\ntimeout: -5',
      ),
    );
    expect(r.definition).toBeUndefined();
    expect(r.problems.map((p) => [p.field, p.line, p.severity])).toEqual([
      ['name', 2, 'error'],
      ['description', 3, 'error'],
      ['tools', 4, 'error'],
      ['model', 5, 'error'],
      ['permissionMode', 6, 'error'],
      ['maxTurns', 7, 'error'],
      ['temperature', 8, 'error'],
      ['max_tokens', 9, 'error'],
      ['timeout', 10, 'error'],
    ]);
    expect(only(r.problems, 'permissionMode').hint).toBe('did you mean `bypassPermissions`?');
    expect(only(r.problems, 'maxTurns')).toMatchObject({
      message: '`maxTurns` must be a positive whole number, got "ten"',
      hint: 'e.g. `maxTurns: 20`.',
    });
    expect(only(r.problems, 'name').hint).toBe('Quote it: `name: "…"`.');
  });

  it('MCP tools count as tools when checking for an empty set', () => {
    expect(parseFile(agent(`${base}\ntools: mcp__github__*`)).definition?.tools).toEqual(['mcp__github__*']);
  });
});

// Claude Code loads these; where codex-task is stricter on purpose, it says so and loads them too.
describe('what Claude Code loads, loads (with a warning where we are stricter)', () => {
  it('names with dots, called by that exact name, without a warning', () => {
    const r = parseFile(agent('name: dotnet-framework-4.8-expert\ndescription: .NET 4.8'));
    expect(r.definition?.name).toBe('dotnet-framework-4.8-expert');
    expect(r.problems).toEqual([]);
  });

  it('a name outside lowercase letters, digits, dots and hyphens: loads, fails validation, with the fixed name', () => {
    const r = parseFile(agent('name: Code Reviewer\ndescription: d'));
    expect(r.definition?.name).toBe('Code Reviewer');
    expect(only(r.problems, 'name')).toMatchObject({
      severity: 'warning',
      failsValidation: true,
      line: 2,
      message:
        '`name` "Code Reviewer" is not lowercase letters, digits, dots and hyphens (Claude Code\'s documented form); loaded under this name',
      hint: 'Use `name: code-reviewer`.',
    });
  });

  it('an unquoted value with `: `, through the quoting retry, with a warning saying how to quote it', () => {
    const r = parseFile(
      agent('name: reviewer\ndescription: Use it when: the code changed\ntools: [Read, Grep]'),
    );
    expect(r.definition?.description).toBe('Use it when: the code changed');
    // The retry wraps `tools: [Read, Grep]` too; the list inside the brackets is still what it grants.
    expect(r.definition?.tools).toEqual(['Read', 'Grep']);
    expect(r.problems).toEqual([
      expect.objectContaining({
        severity: 'warning',
        field: 'description',
        line: 3,
        message:
          'the frontmatter is not valid YAML (line 3); read as Claude Code reads it, with `description`, `tools` taken as text to the end of the line',
        hint: expect.stringContaining('Quote the value of `description`'),
      }),
    ]);
  });

  it('`tools: []`: no tools, deliberately, so no warning', () => {
    const r = parseFile(agent(`${base}\ntools: []`));
    expect(r.definition?.tools).toEqual([]);
    expect(r.definition?.toolsText).toBe('');
    expect(r.problems).toEqual([]);
  });

  it('a tool set that resolves to nothing: no tools, with a warning and the fix', () => {
    const unknown = parseFile(agent(`${base}\ntools: Serach, NotebookEdit`));
    expect(unknown.definition?.tools).toEqual(['Serach', 'NotebookEdit']);
    expect(unknown.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const none = unknown.problems.find((p) => p.message.startsWith('no tools are left'));
    expect(none).toMatchObject({
      severity: 'warning',
      field: 'tools',
      line: 4,
      message:
        'no tools are left: every entry in `tools` is unknown, not available, or disallowed, so this agent runs with no tools',
    });
    expect(none!.hint).toContain('or remove `tools:` to allow all tools');

    const denied = parseFile(agent(`${base}\ntools: Read, Grep\ndisallowedTools: Read, Grep`));
    expect(denied.definition?.tools).toEqual(['Read', 'Grep']);
    expect(only(denied.problems, 'tools').severity).toBe('warning');
    const denyAll = parseFile(agent(`${base}\ndisallowedTools: "*"`));
    expect(denyAll.definition?.disallowedTools).toEqual(['*']);
    expect(only(denyAll.problems, 'disallowedTools')).toMatchObject({ severity: 'warning', line: 4 });
  });

  it("Claude Code's task-list tools are granted as TodoWrite, without a warning", () => {
    const r = parseFile(agent(`${base}\ntools: Read, TaskCreate, TaskGet, TaskUpdate, TaskList`));
    expect(r.definition?.tools).toEqual(['Read', 'TaskCreate', 'TaskGet', 'TaskUpdate', 'TaskList']);
    expect(r.problems).toEqual([]);
  });

  it('SendMessage is known, not available yet: a warning, never an unknown-tool one', () => {
    const r = parseFile(agent(`${base}\ntools: Read, SendMessage`));
    expect(only(r.problems, 'tools')).toMatchObject({
      severity: 'warning',
      message: '`SendMessage` is known to Claude Code, not available in codex-task yet; dropped',
      hint: expect.stringContaining('background subagents'),
    });
  });

  it('a folded description keeps its text, trimmed', () => {
    const r = parseFile(agent('name: writer\ndescription: >\n  Writes docs:\n  READMEs and guides.\n'));
    expect(r.definition?.description).toBe('Writes docs: READMEs and guides.');
  });
});

describe('warnings (the definition still loads)', () => {
  it.each(['allowed-tools', 'allowedTools', 'allowed_tools', 'tool'])(
    '%s: did you mean `tools`? — and the agent gets only the tools listed there, never all',
    (key) => {
      const r = parseFile(agent(`${base}\n${key}: Read, Grep`));
      expect(r.definition?.tools).toEqual(['Read', 'Grep']);
      expect(r.definition?.unknown).toEqual({ [key]: 'Read, Grep' });
      expect(only(r.problems, key)).toEqual({
        severity: 'warning',
        failsValidation: true,
        file: r.file,
        line: 4,
        field: key,
        message: `unknown key \`${key}\`: Claude Code ignores it and gives this agent every tool; codex-task gives it only the tools listed there`,
        hint: `did you mean \`tools\`? Rename \`${key}:\` to \`tools:\`.`,
      });
    },
  );

  it('an empty `allowed-tools:` grants no tool, never all of them', () => {
    const r = parseFile(agent(`${base}\nallowed-tools:`));
    expect(r.definition?.tools).toEqual([]);
    expect(only(r.problems, 'allowed-tools').failsValidation).toBe(true);
  });

  it('with `tools:` set, `allowed-tools:` is ignored and `tools` decides', () => {
    const r = parseFile(agent(`${base}\ntools: Read\nallowed-tools: Bash`));
    expect(r.definition?.tools).toEqual(['Read']);
  });

  it('suggests the nearest known key for other unknown keys', () => {
    const r = parseFile(agent(`${base}\nmodle: sonnet\nmax-tokens: 10\npermission_mode: plan\nzzz: 1`));
    expect(only(r.problems, 'modle').hint).toBe('did you mean `model`?');
    expect(only(r.problems, 'max-tokens').hint).toBe('did you mean `max_tokens`?');
    expect(only(r.problems, 'permission_mode').hint).toBe('did you mean `permissionMode`?');
    expect(only(r.problems, 'zzz').hint).toMatch(/^Known keys: name, description, tools/);
  });

  it('drops wrong-case tool names, as Claude Code does, but says so', () => {
    const r = parseFile(agent(`${base}\ntools: read, Grep`));
    expect(r.definition?.tools).toEqual(['read', 'Grep']);
    expect(only(r.problems, 'tools')).toMatchObject({
      severity: 'warning',
      line: 4,
      message: 'unknown tool `read` (tool names are case-sensitive); dropped',
      hint: 'did you mean `Read`?',
    });
  });

  it('says Claude-Code-only tools are not available yet', () => {
    const r = parseFile(agent(`${base}\ntools: Read, NotebookEdit`));
    expect(only(r.problems, 'tools').message).toBe(
      '`NotebookEdit` is known to Claude Code, not available in codex-task yet; dropped',
    );
  });

  it('flags argument rules it cannot enforce, failing closed', () => {
    const r = parseFile(agent(`${base}\ntools: Read, Bash(git:*)\ndisallowedTools: Edit(src/**)`));
    expect(only(r.problems, 'tools').message).toContain('dropped rather than granting all of Bash');
    expect(only(r.problems, 'disallowedTools').message).toContain('all of Edit is disallowed');
  });

  it('warns about an unknown-looking model, and not about aliases or full ids', () => {
    const r = parseFile(agent(`${base}\nmodel: sonet`));
    expect(r.definition?.model).toBe('sonet');
    expect(only(r.problems, 'model')).toMatchObject({
      severity: 'warning',
      line: 4,
      message:
        'model `sonet` is not an alias (sonnet, opus, haiku, fable, inherit, auto); passed to the default provider as a full id',
      hint: 'did you mean `sonnet`?',
    });
    for (const model of [
      'inherit',
      'haiku',
      'auto',
      'claude-opus-4-8',
      'gpt-5.5',
      'openai/gpt-5.5',
      'ollama:llama3',
    ]) {
      expect(parseFile(agent(`${base}\nmodel: ${model}`)).problems, model).toEqual([]);
    }
  });

  it('says accepted Claude Code fields are not enforced yet', () => {
    const r = parseFile(agent(`${base}\nmemory: project\nisolation: worktree`));
    expect(r.definition?.accepted).toEqual({ memory: 'project', isolation: 'worktree' });
    expect(only(r.problems, 'memory')).toMatchObject({
      severity: 'warning',
      line: 4,
      message: '`memory` is accepted, not yet enforced',
    });
  });

  it('acts on `isolation: worktree` without a warning, and says other values are not supported', () => {
    expect(parseFile(agent(`${base}\nisolation: worktree`)).problems).toEqual([]);
    const r = parseFile(agent(`${base}\nisolation: remote`));
    expect(r.definition?.accepted).toEqual({ isolation: 'remote' });
    expect(only(r.problems, 'isolation')).toMatchObject({
      severity: 'warning',
      message: '`isolation: remote` is not supported: this agent runs without isolation',
    });
  });

  it('warns about an empty body and an empty `tools:`', () => {
    const r = parseFile(agent(`${base}\ntools:`, ''));
    expect(r.definition?.tools).toBeUndefined();
    expect(only(r.problems, 'tools').message).toContain('counts as omitted: this agent gets all tools');
    expect(r.problems.find((p) => p.field === undefined)).toMatchObject({
      line: 6,
      message: 'the body is empty, so the subagent gets no system prompt',
    });
  });
});

describe('other sources', () => {
  it('ignores documentation kept beside agents, but not other files without frontmatter', () => {
    expect(parseFile('# Collection\n', 'docs/README.md').problems).toEqual([]);
    expect(parseFile('# Notes\n', 'docs/notes.md').problems).toHaveLength(1);
  });

  it('reports an unreadable file instead of throwing', () => {
    const r = parseAgentFile(join(root, 'missing.md'));
    expect(r.problems[0]).toMatchObject({ severity: 'error', message: 'cannot read the file (ENOENT)' });
  });

  it('parses contents given as a string', () => {
    expect(parseAgentSource('inline.md', agent(base)).definition?.name).toBe('reviewer');
  });
});

describe('mcpServers', () => {
  it('is kept in `accepted` for the MCP client pool, without the not-enforced warning', () => {
    const { definition, problems } = parseAgentSource(
      '/p/.claude/agents/m.md',
      '---\nname: m\ndescription: uses mcp\nmcpServers:\n  - github\n---\nbody\n',
    );
    expect(definition?.accepted.mcpServers).toEqual(['github']);
    expect(problems.filter((p) => p.field === 'mcpServers')).toEqual([]);
  });
});
