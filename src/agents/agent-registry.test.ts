import { mkdirSync, mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentConfigError, AgentNotFoundError } from '../errors/index.ts';
import { AgentRegistry, agentDirectories, BUILTIN_AGENTS, DEFAULT_AGENT_TYPE } from './index.ts';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A temporary directory tree; values are file contents, `null` makes an empty directory. */
function tree(files: Record<string, string | null>): string {
  const root = mkdtempSync(join(tmpdir(), 'codex-task-agents-'));
  roots.push(root);
  for (const [rel, contents] of Object.entries(files)) write(root, rel, contents);
  return root;
}

function write(root: string, rel: string, contents: string | null): void {
  const path = join(root, rel);
  if (contents === null) {
    mkdirSync(path, { recursive: true });
    return;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, contents);
}

const agent = (name: string, description = `${name} agent`, extra = '') =>
  `---\nname: ${name}\ndescription: ${description}\n${extra}---\nYou are ${name}.\n`;

/** A repository with agents at every level, the working directory two levels below the root. */
function layeredRepo(): { root: string; cwd: string; homeDir: string } {
  const root = tree({
    '.claude/agents/outside.md': agent('outside', 'above the repository root'),
    'home/.claude/agents/shared.md': agent('shared', 'user'),
    'home/.claude/agents/shared-2.md': agent('shared-2', 'user'),
    'home/.claude/agents/shared-3.md': agent('shared-3', 'user'),
    'home/.claude/agents/general.md': agent('general-purpose', 'user general'),
    'repo/.git': null,
    'repo/.claude/agents/shared.md': agent('shared', 'repo'),
    'repo/.claude/agents/shared-2.md': agent('shared-2', 'repo'),
    'repo/.claude/agents/nested/deeper/far.md': agent('far-only', 'repo, nested'),
    'repo/pkg/.claude/agents/shared.md': agent('shared', 'pkg'),
    'repo/pkg/.claude/agents/any-file-name.md': agent('shared-2', 'pkg'),
    'repo/pkg/src': null,
  });
  return { root, cwd: join(root, 'repo/pkg/src'), homeDir: join(root, 'home') };
}

describe('discovery and precedence', () => {
  it('walks up from cwd to the repository root, nearest first, then the user directory', () => {
    const { root, cwd, homeDir } = layeredRepo();
    expect(agentDirectories({ cwd, homeDir })).toEqual([
      { scope: 'project', dir: join(root, 'repo/pkg/.claude/agents') },
      { scope: 'project', dir: join(root, 'repo/.claude/agents') },
      { scope: 'user', dir: join(root, 'home/.claude/agents') },
    ]);
  });

  it('orders code > nearest project > farther project > user > built-in', () => {
    const { cwd, homeDir } = layeredRepo();
    const registry = new AgentRegistry({
      cwd,
      homeDir,
      rescanIntervalMs: 0,
      agents: [{ name: 'shared', description: 'code', prompt: 'You are code.' }],
    });
    expect(registry.get('shared')).toMatchObject({
      description: 'code',
      scope: 'code',
      systemPrompt: 'You are code.',
    });
    expect(registry.get('shared-2')).toMatchObject({ description: 'pkg', scope: 'project' });
    expect(registry.get('shared-2').file).toMatch(/repo\/pkg\/\.claude\/agents\/any-file-name\.md$/);
    expect(registry.get('shared-3')).toMatchObject({ description: 'user', scope: 'user' });
    expect(registry.get('general-purpose')).toMatchObject({ description: 'user general', scope: 'user' });
    expect(registry.get('Explore').scope).toBe('builtin');
    expect(() => registry.get('outside')).toThrow(AgentNotFoundError);
    // Shadowing across levels is intended: no warning for it.
    expect(registry.problems()).toEqual([]);
  });

  it('finds agents by frontmatter name, case-insensitively, in subdirectories', () => {
    const { cwd, homeDir } = layeredRepo();
    const registry = new AgentRegistry({ cwd, homeDir, rescanIntervalMs: 0 });
    expect(registry.get('FAR-ONLY').name).toBe('far-only');
    expect(registry.get('explore')).toBe(BUILTIN_AGENTS.find((a) => a.name === 'Explore'));
    expect(registry.find('any-file-name')).toBeUndefined();
    expect(registry.get(DEFAULT_AGENT_TYPE).name).toBe('general-purpose');
  });

  it('lists every visible agent once, sorted case-insensitively', () => {
    const { cwd, homeDir } = layeredRepo();
    const names = new AgentRegistry({ cwd, homeDir, rescanIntervalMs: 0 })
      .list()
      .map((a) => `${a.name}:${a.scope}`);
    expect(names).toEqual([
      'Explore:builtin',
      'far-only:project',
      'general-purpose:user',
      'Plan:builtin',
      'shared:project',
      'shared-2:project',
      'shared-3:user',
    ]);
  });

  it('reports two files claiming one name in one directory, naming both; the first in path order wins', () => {
    const root = tree({
      '.git': null,
      '.claude/agents/b.md': agent('dup', 'from b'),
      '.claude/agents/a/z.md': agent('dup', 'from a/z'),
    });
    const registry = new AgentRegistry({ cwd: root, homeDir: join(root, 'nohome'), rescanIntervalMs: 0 });
    expect(registry.get('dup').description).toBe('from a/z');
    const [problem] = registry.problems();
    expect(problem).toMatchObject({
      severity: 'warning',
      file: join(root, '.claude/agents/b.md'),
      field: 'name',
    });
    expect(problem?.message).toContain(join(root, '.claude/agents/a/z.md'));
    expect(problem?.message).toContain(join(root, '.claude/agents/b.md'));
  });

  it('walks to the filesystem root outside a repository, keeping home agents in user scope', () => {
    const root = tree({
      'home/.claude/agents/mine.md': agent('mine'),
      'home/work/.claude/agents/proj.md': agent('proj'),
      'home/work/app': null,
    });
    const registry = new AgentRegistry({
      cwd: join(root, 'home/work/app'),
      homeDir: join(root, 'home'),
      rescanIntervalMs: 0,
    });
    expect(registry.get('proj').scope).toBe('project');
    expect(registry.get('mine').scope).toBe('user');
  });

  it('a broken file does not hide the others, and its problems are kept', () => {
    const root = tree({
      '.git': null,
      '.claude/agents/good.md': agent('good'),
      '.claude/agents/broken.md': '---\nname: broken\ndescripton: Use when needed\n---\nYou are broken.\n',
      '.claude/agents/also-good.md': agent('also-good'),
    });
    const registry = new AgentRegistry({ cwd: root, homeDir: join(root, 'nohome'), rescanIntervalMs: 0 });
    expect(registry.list().map((a) => a.name)).toEqual([
      'also-good',
      'Explore',
      'general-purpose',
      'good',
      'Plan',
    ]);
    expect(registry.problems()).toEqual([
      expect.objectContaining({ severity: 'error', file: join(root, '.claude/agents/broken.md'), line: 1 }),
      expect.objectContaining({ severity: 'warning', field: 'descripton', line: 3 }),
    ]);
    expect(registry.skipped()).toEqual([
      {
        file: join(root, '.claude/agents/broken.md'),
        scope: 'project',
        name: 'broken',
        errors: [expect.objectContaining({ message: '`description` is missing' })],
      },
    ]);
  });

  it('says which file is used and which is shadowed, within a directory and across levels', () => {
    const { root, cwd, homeDir } = layeredRepo();
    const registry = new AgentRegistry({ cwd, homeDir, rescanIntervalMs: 0 });
    const shadowed = registry.shadowed().map((s) => ({
      ...s,
      used: s.used.replace(root, ''),
      shadowed: s.shadowed.replace(root, ''),
    }));
    expect(shadowed).toEqual(
      expect.arrayContaining([
        {
          name: 'shared-2',
          used: '/repo/pkg/.claude/agents/any-file-name.md',
          shadowed: '/repo/.claude/agents/shared-2.md',
          sameLevel: false,
        },
        {
          name: 'general-purpose',
          used: '/home/.claude/agents/general.md',
          shadowed: '<builtin:general-purpose>',
          sameLevel: false,
        },
      ]),
    );
    expect(shadowed.filter((s) => s.sameLevel)).toEqual([]);
  });
});

describe('get', () => {
  it('throws AgentNotFoundError listing the available agents, sorted', () => {
    const root = tree({
      '.git': null,
      '.claude/agents/z.md': agent('zed'),
      '.claude/agents/a.md': agent('alpha'),
    });
    const registry = new AgentRegistry({ cwd: root, homeDir: join(root, 'nohome'), rescanIntervalMs: 0 });
    expect(() => registry.get('nope')).toThrow(
      new AgentNotFoundError('nope', ['alpha', 'Explore', 'general-purpose', 'Plan', 'zed']),
    );
    try {
      registry.get('nope');
    } catch (error) {
      expect((error as Error).message).toBe(
        "Agent type 'nope' not found. Available agents: alpha, Explore, general-purpose, Plan, zed",
      );
    }
  });
});

describe('a name that is not found', () => {
  it("names a file of that name that exists but was skipped, and why, after Claude Code's sentence", () => {
    const root = tree({
      '.git': null,
      '.claude/agents/ok.md': agent('ok'),
      '.claude/agents/wrong-case.md': '---\nname: wrong-case\n---\nNo description.\n',
      '.claude/agents/sub/Other.md': '---\nname: other\nname: other\n---\n',
    });
    const registry = new AgentRegistry({ cwd: root, homeDir: join(root, 'nohome'), rescanIntervalMs: 0 });
    let error: AgentNotFoundError | undefined;
    try {
      registry.get('Wrong-Case');
    } catch (e) {
      error = e as AgentNotFoundError;
    }
    expect(error?.message).toBe(
      "Agent type 'Wrong-Case' not found. Available agents: Explore, general-purpose, ok, Plan\n" +
        '.claude/agents/wrong-case.md exists but was skipped: `description` is missing (line 1)',
    );
    expect(error?.hint).toBe(
      'Fix .claude/agents/wrong-case.md (`codex-task agents validate` shows every problem and its fix).',
    );
    // Matched by the file name too, when the frontmatter did not even parse.
    expect(() => registry.get('other')).toThrow(
      /\n\.claude\/agents\/sub\/Other\.md exists but was skipped: invalid YAML/,
    );
    // Nothing of that name: Claude Code's message alone.
    expect(() => registry.get('nope')).toThrow(
      new AgentNotFoundError('nope', ['Explore', 'general-purpose', 'ok', 'Plan']),
    );
  });
});

describe('agents given in code', () => {
  it('are validated like files: errors throw AgentConfigError, warnings are kept', () => {
    const root = tree({ '.git': null });
    expect(
      () =>
        new AgentRegistry({
          cwd: root,
          agents: [{ name: 'bad name', description: '', prompt: 'x', maxTurns: 0 }],
        }),
    ).toThrow(AgentConfigError);
    const registry = new AgentRegistry({
      cwd: root,
      homeDir: join(root, 'nohome'),
      agents: [
        {
          name: 'Reviewer',
          description: 'Reviews',
          systemPrompt: 'Review.',
          tools: 'Read, Grpe',
          color: 'red',
        },
      ],
    });
    expect(registry.get('reviewer')).toMatchObject({
      name: 'Reviewer',
      tools: ['Read', 'Grpe'],
      scope: 'code',
      systemPrompt: 'Review.',
    });
    expect(registry.problems().map((p) => [p.file, p.field])).toEqual([
      ['<code:Reviewer>', 'tools'],
      ['<code:Reviewer>', 'color'],
    ]);
  });
});

describe('hot reload', () => {
  function setup(rescanIntervalMs = 0) {
    const root = tree({
      '.git': null,
      '.claude/agents/one.md': agent('one', 'first'),
      '.claude/agents/two.md': agent('two'),
      '.claude/agents/three.md': agent('three'),
    });
    const registry = new AgentRegistry({ cwd: root, homeDir: join(root, 'nohome'), rescanIntervalMs });
    return { root, registry, file: (rel: string) => join(root, '.claude/agents', rel) };
  }

  it('sees an edit on the next get, re-parsing only that file', () => {
    const { registry, file } = setup();
    expect(registry.get('one').description).toBe('first');
    expect(registry.stats().parses).toBe(3);
    writeFileSync(file('one.md'), agent('one', 'edited, and longer'));
    expect(registry.get('one').description).toBe('edited, and longer');
    expect(registry.stats().parses).toBe(4);
    registry.list();
    registry.get('two');
    expect(registry.stats()).toMatchObject({ parses: 4, scans: 4 });
  });

  it('sees a same-size edit through the modification time', () => {
    const { registry, file } = setup();
    expect(registry.get('one').description).toBe('first');
    writeFileSync(file('one.md'), agent('one', 'FIRST'));
    const later = new Date(Date.now() + 5_000);
    utimesSync(file('one.md'), later, later);
    expect(registry.get('one').description).toBe('FIRST');
  });

  it('sees an added and a deleted file on the next list', () => {
    const { registry, file } = setup();
    const hash = registry.get('two').hash;
    write(dirname(file('x')), 'sub/four.md', agent('four'));
    unlinkSync(file('three.md'));
    expect(registry.list().map((a) => a.name)).toEqual([
      'Explore',
      'four',
      'general-purpose',
      'one',
      'Plan',
      'two',
    ]);
    expect(() => registry.get('three')).toThrow(AgentNotFoundError);
    expect(registry.get('two').hash).toBe(hash);
    expect(registry.stats()).toMatchObject({ parses: 4, cachedFiles: 3 });
  });

  it('sees a broken edit as a problem, and the fix after it', () => {
    const { registry, file } = setup();
    writeFileSync(file('one.md'), '---\nname: one\n---\nYou are one.\n');
    expect(registry.find('one')).toBeUndefined();
    expect(registry.problems()).toEqual([
      expect.objectContaining({ field: 'description', severity: 'error' }),
    ]);
    writeFileSync(file('one.md'), agent('one', 'fixed'));
    expect(registry.get('one').description).toBe('fixed');
    expect(registry.problems()).toEqual([]);
  });

  it('looks at the disk at most once per rescan interval; refresh() looks now', () => {
    const { registry, file } = setup(60_000);
    expect(registry.list()).toHaveLength(6);
    writeFileSync(file('five.md'), agent('five'));
    expect(registry.find('five')).toBeUndefined();
    expect(registry.stats().scans).toBe(1);
    registry.refresh();
    expect(registry.get('five').name).toBe('five');
  });
});
