import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AgentProblem,
  AgentRegistry,
  effectiveTools,
  formatAgentList,
  validateAgentPaths,
} from '../src/agents/index.ts';
import { TaskEngine } from '../src/engine/index.ts';
import { useHarness } from './support.ts';

// Issue 17 §5: agent files as public collections write them. Claude Code loads every one of these;
// so must we, with the names and tools Claude Code would give them (where we are stricter on
// purpose, a warning with the fix, never a load failure).
const FIXTURES = fileURLToPath(new URL('./fixtures/agents-community', import.meta.url));
const GRANTABLE = new TaskEngine({ providers: [] }).grantableTools;

/** name → the tools the subagent gets (no MCP server is configured in the fixture workspace). */
const EXPECTED: Record<string, string[]> = {
  'api-designer': ['Read', 'Write', 'Edit', 'Glob', 'Grep'],
  'architecture-advisor': [],
  'changelog-writer': ['Read', 'Grep', 'Bash'],
  'code-reviewer': ['Read', 'Grep', 'Glob', 'Bash'],
  'csharp-developer': ['Read', 'Write', 'Edit', 'Bash', 'Glob', 'Grep', 'TodoWrite', 'WebFetch'],
  'dotnet-framework-4.8-expert': ['Read', 'Write', 'Edit', 'Bash', 'Glob', 'Grep'],
  'github-issue-triager': [],
  'growth-hacker': ['Read', 'Write', 'WebSearch', 'WebFetch'],
  'observability-engineer': ['Read', 'Edit', 'Grep', 'Glob', 'Bash'],
  'pricing-analyst': ['Read', 'Grep', 'WebSearch'],
  'research-scout': ['WebSearch', 'WebFetch', 'Read'],
  'sprint-planner': ['Read', 'Grep', 'Glob', 'TodoWrite'],
  'team-lead': ['Read', 'Glob', 'Task', 'TodoWrite'],
  'technical-writer': ['Read', 'Write', 'Edit', 'Glob', 'Grep'],
  'windows-build-doctor': ['Read', 'Grep', 'Glob', 'Bash'],
};

let workspace: string;
let registry: AgentRegistry;
beforeAll(async () => {
  workspace = await realpath(await mkdtemp(join(tmpdir(), 'codex-task-community-')));
  await mkdir(join(workspace, '.git'));
  await mkdir(join(workspace, '.claude'));
  // Linked in, as people link a cloned collection into .claude/agents.
  await symlink(FIXTURES, join(workspace, '.claude', 'agents'));
  registry = new AgentRegistry({ cwd: workspace, homeDir: join(workspace, 'home'), mcpServers: [] });
});
afterAll(async () => {
  await rm(workspace, { recursive: true, force: true });
});

const problemsOf = (name: string): AgentProblem[] =>
  registry.problems().filter((p) => p.file.includes(`/${name}.md`));

describe('the agent files people really have', () => {
  it('all load, with the expected names and tools', () => {
    expect(registry.skipped()).toEqual([]);
    const loaded = registry.list().filter((a) => a.scope !== 'builtin');
    expect(Object.fromEntries(loaded.map((a) => [a.name, effectiveTools(a, GRANTABLE)]))).toEqual(EXPECTED);
    expect(registry.problems().filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('`agents validate` finds no error in the whole set (README.md is documentation, not an agent)', async () => {
    const report = await validateAgentPaths([FIXTURES], { mcpServers: [] });
    expect(report.errors).toEqual([]);
    expect(report.files).toHaveLength(17);
    expect(report.agents).toHaveLength(16); // both api-designer files are valid; one is shadowed
  });

  it('calls a dotted name by that exact name', () => {
    expect(registry.get('dotnet-framework-4.8-expert').file).toMatch(/dotnet-framework-4\.8-expert\.md$/);
    expect(registry.get('DotNet-Framework-4.8-Expert').name).toBe('dotnet-framework-4.8-expert');
    expect(problemsOf('dotnet-framework-4.8-expert')).toEqual([]);
  });

  it('reads unquoted values with `: ` or YAML symbols as the rest of the line, byte for byte', () => {
    expect(registry.get('growth-hacker').description).toBe(
      "Designs experiments for activation and retention. Triggers on: 'growth loop', 'flywheel', 'viral coefficient'",
    );
    expect(registry.get('windows-build-doctor').description).toBe(
      'Fixes Windows-only build failures, e.g. paths like C:\\src\\app\\bin and "MSB3073" errors: run it when CI on windows-latest is red',
    );
    expect(registry.get('changelog-writer').description).toBe(
      '[DEPRECATED in v2, kept for old repos] Writes CHANGELOG entries from merged pull requests',
    );
    expect(registry.get('pricing-analyst').description).toContain(
      'Examples: <example>Context: the user asks "should we add a seat-based tier?" assistant:',
    );
    // Loaded, and told once per file how to make it plain YAML.
    expect(problemsOf('growth-hacker').filter((p) => p.field !== 'color')).toEqual([
      expect.objectContaining({
        severity: 'warning',
        field: 'description',
        line: 3,
        hint: expect.stringContaining('Quote the value of `description`'),
      }),
    ]);
  });

  it('keeps a folded description, trimmed', () => {
    expect(registry.get('technical-writer').description).toBe(
      'Writes and edits developer documentation: READMEs, tutorials, API references and migration guides.',
    );
  });

  it('gives `tools: []` no tools, without a warning', () => {
    const advisor = registry.get('architecture-advisor');
    expect(advisor.tools).toEqual([]);
    expect(problemsOf('architecture-advisor')).toEqual([]);
    expect(formatAgentList([advisor])).toMatch(/\(Tools: None\)$/);
  });

  it('loads an agent whose tools are MCP tools of a server not configured here, with a warning', () => {
    expect(registry.get('github-issue-triager').tools).toHaveLength(4);
    expect(problemsOf('github-issue-triager')).toEqual([
      expect.objectContaining({
        severity: 'warning',
        field: 'tools',
        message: expect.stringMatching(
          /MCP server `github`, which is not configured here .* this agent runs with no tools/,
        ),
        hint: expect.stringContaining('.mcp.json'),
      }),
    ]);
    expect(problemsOf('research-scout')).toEqual([
      expect.objectContaining({ severity: 'warning', message: expect.stringContaining('`context7`') }),
    ]);
  });

  it('grants TodoWrite for the task-list tools, and calls SendMessage known but not available yet', () => {
    expect(problemsOf('sprint-planner')).toEqual([]);
    const lead = problemsOf('team-lead').filter((p) => p.field === 'tools');
    expect(lead).toEqual([
      expect.objectContaining({
        severity: 'warning',
        message: '`SendMessage` is known to Claude Code, not available in codex-task yet; dropped',
      }),
    ]);
    // The parent model sees the tools as the file wrote them.
    expect(formatAgentList([registry.get('sprint-planner')])).toContain(
      '(Tools: Read, Grep, Glob, TaskCreate, TaskGet, TaskUpdate, TaskList)',
    );
  });

  it('of two files with one name, uses the first in path order and says which was shadowed', () => {
    expect(registry.get('api-designer').file).toMatch(/\/backend\/api-designer\.md$/);
    expect(registry.shadowed()).toEqual([
      {
        name: 'api-designer',
        used: expect.stringMatching(/\/backend\/api-designer\.md$/),
        shadowed: expect.stringMatching(/\/platform\/api-designer\.md$/),
        sameLevel: true,
      },
    ]);
    expect(problemsOf('api-designer')).toEqual([
      expect.objectContaining({
        severity: 'warning',
        file: expect.stringMatching(/\/platform\/api-designer\.md$/),
        message: expect.stringMatching(
          /backend\/api-designer\.md is used; this file, \S+\/platform\/api-designer\.md, is shadowed/,
        ),
      }),
    ]);
  });

  it('an MCP server configured in .mcp.json silences the warning', async () => {
    await writeFile(
      join(workspace, '.mcp.json'),
      JSON.stringify({ mcpServers: { github: { command: 'github-mcp' }, context7: { url: 'http://x' } } }),
    );
    try {
      const here = new AgentRegistry({ cwd: workspace, homeDir: join(workspace, 'home') });
      expect(here.problems().filter((p) => /MCP server/.test(p.message))).toEqual([]);
    } finally {
      await rm(join(workspace, '.mcp.json'));
    }
  });
});

describe('running them', () => {
  const h = useHarness();

  it('offers each subagent the tools it was granted: TodoWrite for the task list, none for `tools: []`', async () => {
    const ws = await h.setup({}, () => ({ text: 'done' }));
    await mkdir(join(ws, '.claude'));
    await symlink(FIXTURES, join(ws, '.claude', 'agents'));
    const engine = h.engine();
    const offered: Record<string, string[]> = {};
    for (const name of ['sprint-planner', 'team-lead', 'architecture-advisor', 'github-issue-triager']) {
      const result = await engine.run({ description: name, prompt: `plan ${name}`, subagent_type: name });
      expect(result.status, JSON.stringify(result.error)).toBe('completed');
      offered[name] = h.model.requests.at(-1)!.tools.sort();
    }
    expect(offered).toEqual({
      'sprint-planner': ['Glob', 'Grep', 'Read', 'TodoWrite'],
      'team-lead': ['Glob', 'Read', 'SendMessage', 'Task', 'TodoWrite'], // SendMessage comes with Task
      'architecture-advisor': [],
      'github-issue-triager': [],
    });
  });
});
