import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from './define-tool.ts';
import { GLOB_MAX_RESULTS } from './glob.ts';
import {
  BUILTIN_TOOLS,
  builtinToolNames,
  createToolContext,
  DEFAULT_TOOL_LIMITS,
  getBuiltinTool,
  getTodos,
  READ_ONLY_TOOL_NAMES,
  truncateResult,
} from './index.ts';
import { LS_MAX_ENTRIES } from './ls.ts';
import { MAX_LINE_CHARS } from './read.ts';
import { makeWorkspace } from './testing.ts';

describe('the built-in tool set', () => {
  it("has Claude Code's names, in order, each with its description and a schema", () => {
    expect(builtinToolNames).toEqual([
      'Read',
      'Write',
      'Edit',
      'MultiEdit',
      'Glob',
      'Grep',
      'LS',
      'Bash',
      'TodoWrite',
      'WebFetch',
      'WebSearch',
    ]);
    // What each one says it does, on the description's first line; the usage notes follow it.
    expect(Object.fromEntries(BUILTIN_TOOLS.map((t) => [t.name, t.description.split('\n')[0]]))).toEqual({
      Read: 'Reads a text file from the workspace.',
      Write: 'Writes a file in the workspace, replacing it if it exists.',
      Edit: 'Replaces exact text in a file.',
      MultiEdit: 'Makes several exact-text replacements in one file, all or nothing.',
      Glob: 'Finds files by name pattern, fast in a codebase of any size.',
      Grep: 'Searches file contents with regular expressions (ripgrep).',
      LS: 'Lists a directory as a tree: its files and subdirectories, recursively.',
      Bash: 'Runs a bash command in the workspace and returns its output.',
      TodoWrite: 'Creates and updates the task list for your current work.',
      WebFetch: 'Fetches a web page and answers a question about it.',
      WebSearch: 'Searches the web and returns what was found, with links to the sources.',
    });
    for (const tool of BUILTIN_TOOLS) {
      expect(tool.description, tool.name).toMatch(/\n\nUsage:\n- /);
      expect(getBuiltinTool(tool.name)).toBe(tool);
    }
    expect(getBuiltinTool('NotebookEdit')).toBeUndefined();
  });

  it('states the limits the tools really apply', () => {
    const read = getBuiltinTool('Read')!.description;
    expect(read).toContain(`By default up to ${DEFAULT_TOOL_LIMITS.readDefaultLines} lines are returned`);
    expect(read).toContain(`Lines longer than ${MAX_LINE_CHARS} characters are cut short.`);
    expect(getBuiltinTool('Bash')!.description).toContain(
      `timeout is in milliseconds (default ${DEFAULT_TOOL_LIMITS.bashDefaultTimeoutMs}, at most ${DEFAULT_TOOL_LIMITS.bashMaxTimeoutMs})`,
    );
    expect(getBuiltinTool('Glob')!.description).toContain(
      `most recently modified first, at most ${GLOB_MAX_RESULTS};`,
    );
    expect(getBuiltinTool('LS')!.description).toContain(`At most ${LS_MAX_ENTRIES} entries are listed`);
  });

  it('marks only the tools that never change the workspace as read-only', () => {
    expect(READ_ONLY_TOOL_NAMES).toEqual([
      'Read',
      'Glob',
      'Grep',
      'LS',
      'TodoWrite',
      'WebFetch',
      'WebSearch',
    ]);
  });

  it("accepts Claude Code's argument shapes and rejects wrong ones", () => {
    const parse = (name: string, input: unknown): boolean =>
      getBuiltinTool(name)!.inputSchema.safeParse(input).success;
    expect(parse('Read', { file_path: '/x', offset: 10, limit: 20 })).toBe(true);
    expect(parse('Read', { path: '/x' })).toBe(false);
    expect(parse('Edit', { file_path: 'x', old_string: 'a', new_string: 'b', replace_all: true })).toBe(true);
    expect(parse('MultiEdit', { file_path: 'x', edits: [] })).toBe(false);
    expect(
      parse('Grep', { pattern: 'x', output_mode: 'content', '-i': true, '-n': true, '-C': 2, head_limit: 5 }),
    ).toBe(true);
    expect(parse('Grep', { pattern: 'x', output_mode: 'lines' })).toBe(false);
    expect(parse('Bash', { command: 'ls', timeout: 1000, description: 'List files' })).toBe(true);
    expect(parse('TodoWrite', { todos: [{ content: 'a', status: 'done' }] })).toBe(false);
    expect(parse('WebFetch', { url: 'https://example.com', prompt: 'title?' })).toBe(true);
    expect(parse('WebFetch', { url: 'https://example.com' })).toBe(false);
    expect(parse('WebSearch', { query: 'vitest', allowed_domains: ['vitest.dev'] })).toBe(true);
    expect(parse('WebSearch', { query: 'vitest', allowed_domains: ['https://vitest.dev/'] })).toBe(false);
    expect(parse('WebSearch', { query: 'x', allowed_domains: ['a.com'], blocked_domains: ['b.com'] })).toBe(
      false,
    );
  });
});

describe('createToolContext', () => {
  it('resolves the root to its real path and fills in the defaults', async () => {
    const ws = await makeWorkspace();
    try {
      const ctx = createToolContext({ workspaceRoot: `${ws.root}/../ws`, limits: { readDefaultLines: 10 } });
      expect(ctx.workspaceRoot).toBe(ws.root);
      expect(ctx.limits).toEqual({ ...DEFAULT_TOOL_LIMITS, readDefaultLines: 10 });
      expect(ctx.signal.aborted).toBe(false);
      expect(ctx.state.size).toBe(0);
    } finally {
      await ws.cleanup();
    }
  });

  it('fails clearly when the root does not exist', () => {
    expect(() => createToolContext({ workspaceRoot: '/nonexistent/codex-task' })).toThrow(/cannot be used/);
  });
});

describe('defineTool', () => {
  const echo = defineTool<{ text: string }>({
    name: 'Echo',
    description: 'echo',
    inputSchema: z.object({ text: z.string() }),
    readOnly: true,
    execute: async (input) => input.text,
  });

  it('truncates results longer than resultLimitChars with a marker', async () => {
    const ws = await makeWorkspace({ limits: { resultLimitChars: 10 } });
    try {
      expect(await echo.execute({ text: 'short' }, ws.ctx)).toBe('short');
      const out = await echo.execute({ text: 'x'.repeat(25) }, ws.ctx);
      expect(out).toBe(`${'x'.repeat(10)}${truncateResult('x'.repeat(25), 10).slice(10)}`);
      expect(out).toMatch(/^x{10}\n\n\[Result truncated: 15 of 25 characters omitted\./);
    } finally {
      await ws.cleanup();
    }
  });

  it('does not start after the task was cancelled', async () => {
    const controller = new AbortController();
    controller.abort(new Error('task cancelled'));
    const ws = await makeWorkspace({ signal: controller.signal });
    try {
      await expect(echo.execute({ text: 'x' }, ws.ctx)).rejects.toThrow('task cancelled');
    } finally {
      await ws.cleanup();
    }
  });
});

describe('TodoWrite', () => {
  it('stores the list in the task state, replacing it on each call', async () => {
    const ws = await makeWorkspace();
    try {
      const todoWrite = getBuiltinTool('TodoWrite')!;
      const todos = [
        { content: 'Read the code', status: 'completed', activeForm: 'Reading the code' },
        { content: 'Fix the bug', status: 'in_progress', activeForm: 'Fixing the bug' },
        { content: 'Run the tests', status: 'pending', activeForm: 'Running the tests', id: '3' },
      ];
      const out = await todoWrite.execute({ todos }, ws.ctx);
      expect(out).toMatch(/^Todo list updated: 3 items \(1 completed, 1 in progress, 1 pending\)\./);
      expect(getTodos(ws.ctx.state)).toEqual(todos);
      await todoWrite.execute(
        {
          todos: [
            { content: 'Only', status: 'in_progress' },
            { content: 'Two', status: 'in_progress' },
          ],
        },
        ws.ctx,
      );
      expect(getTodos(ws.ctx.state).map((t) => t.content)).toEqual(['Only', 'Two']);
      expect(
        await todoWrite.execute(
          {
            todos: [
              { content: 'a', status: 'in_progress' },
              { content: 'b', status: 'in_progress' },
            ],
          },
          ws.ctx,
        ),
      ).toMatch(/only one item in progress/);
      expect(getTodos(new Map())).toEqual([]);
    } finally {
      await ws.cleanup();
    }
  });
});
