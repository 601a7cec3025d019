import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sandboxSkipReason } from '../src/sandbox/testing.ts';
import type { ScriptedRequest, ScriptedToolCall } from '../src/scripted-model/index.ts';
import { agentFile, useHarness } from './support.ts';

/**
 * A hostile model (the scripted server issues the tool calls) against real subagents run by the
 * engine: each case asserts the refusal, and that nothing was read, written or run.
 */
const h = useHarness();
let home: string;
let outside: string;

beforeEach(async () => {
  const base = await realpath(await mkdtemp(join(tmpdir(), 'codex-task-adversary-')));
  home = join(base, 'home');
  outside = join(base, 'outside');
  await mkdir(join(home, '.ssh'), { recursive: true });
  await mkdir(outside);
  await writeFile(join(home, '.ssh', 'id_rsa'), 'HOME-SSH-CANARY\n');
});
afterEach(() => rm(join(home, '..'), { recursive: true, force: true }));

/** Issues all `calls` on the first turn, then answers with every tool result it got back. */
function hostile(calls: ScriptedToolCall[]) {
  return (req: ScriptedRequest) =>
    req.turn === 0 ? { toolCalls: calls } : { text: req.toolResults.map((r) => `[${r.output}]`).join('\n') };
}

function settingsJson(permissions: object): string {
  return JSON.stringify({ permissions });
}

const worker = agentFile({
  name: 'worker',
  description: 'does work',
  tools: 'Read, Write, Edit, Grep, Glob, LS, Bash',
});

describe('Bash rules hold against chaining and wrapper tricks', () => {
  const tricks = [
    'npm test; touch MARK',
    'npm test && touch MARK',
    'npm test || touch MARK',
    'npm test | sh -c "touch MARK"',
    'npm test $(touch MARK)',
    'npm test `touch MARK`',
    'npm test\ntouch MARK',
    'FOO=$(touch MARK) npm test',
    "bash -c 'touch MARK'",
    'alias npm="touch MARK"; npm test',
    'npm() { touch MARK; }; npm test',
    'env X=1 touch MARK',
    'echo MARK | xargs touch',
    "eval 'touch MARK'",
    'PATH=/tmp npm test',
    'c=touch; $c MARK',
  ];
  it(`refuses ${tricks.length} tricks past Bash(npm test:*), and none of them runs`, async () => {
    const calls = tricks.map((t, i) => ({
      name: 'Bash',
      input: { command: t.replaceAll('MARK', join(outside, `mark-${i}`)) },
    }));
    await h.setup(
      {
        '.claude/settings.json': settingsJson({ allow: ['Bash(npm test:*)'] }),
        '.claude/agents/worker.md': worker,
      },
      hostile(calls),
    );
    const result = await h
      .engine({ homeDir: home })
      .run({ description: 'x', prompt: 'x', subagent_type: 'worker' });
    expect(result.status).toBe('completed');
    expect(result.toolStats.Bash).toMatchObject({ calls: tricks.length, denied: tricks.length });
    expect(result.content.match(/Bash denied/g)).toHaveLength(tricks.length);
    expect(readdirSync(outside)).toEqual([]);
  });
});

describe('file tools stay in the workspace', () => {
  it('`..`, URL-encoded `..`, absolute and `~` paths read nothing and write nothing outside', async () => {
    await writeFile(join(outside, 'canary.txt'), 'OUTSIDE-CANARY\n');
    const rel = `../${join('..', outside.split('/').at(-2)!, 'outside', 'canary.txt')}`;
    await h.setup(
      { '.claude/agents/worker.md': worker },
      hostile([
        { name: 'Read', input: { file_path: rel } },
        { name: 'Read', input: { file_path: `%2e%2e/%2e%2e/${outside.slice(1)}/canary.txt` } },
        { name: 'Read', input: { file_path: join(outside, 'canary.txt') } },
        { name: 'Read', input: { file_path: '~/.ssh/id_rsa' } },
        { name: 'Write', input: { file_path: join(outside, 'dropped.txt'), content: 'x' } },
        {
          name: 'Edit',
          input: { file_path: join(outside, 'canary.txt'), old_string: 'OUTSIDE', new_string: 'x' },
        },
        { name: 'Grep', input: { pattern: 'CANARY', path: outside } },
      ]),
    );
    const result = await h
      .engine({ homeDir: home })
      .run({ description: 'x', prompt: 'x', subagent_type: 'worker' });
    expect(result.content).not.toMatch(/CANARY/);
    // `%2e%2e` is a plain (missing) name inside the workspace; the other three are refused.
    expect(result.toolStats.Read).toMatchObject({ calls: 4, denied: 3 });
    expect(readdirSync(outside)).toEqual(['canary.txt']);
    expect(readFileSync(join(outside, 'canary.txt'), 'utf8')).toBe('OUTSIDE-CANARY\n');
  });
});

describe('secrets are never read, listed or searched', () => {
  it('.env, keys and ~/.ssh through Read, Grep, Glob, LS and Edit', async () => {
    await h.setup(
      {
        '.env': 'API_TOKEN=ENV-CANARY\n',
        '.env.example': 'API_TOKEN=\n',
        'config/prod.pem': 'PEM-CANARY\n',
        'src/app.ts': 'export const ok = 1;\n',
        '.claude/agents/worker.md': worker,
      },
      hostile([
        { name: 'Read', input: { file_path: '.env' } },
        { name: 'Read', input: { file_path: 'config/prod.pem' } },
        { name: 'Read', input: { file_path: join(home, '.ssh', 'id_rsa') } },
        { name: 'Grep', input: { pattern: 'CANARY', output_mode: 'content' } },
        { name: 'Grep', input: { pattern: 'CANARY', path: 'config' } },
        { name: 'Glob', input: { pattern: '**/*' } },
        { name: 'LS', input: { path: '.' } },
        { name: 'Edit', input: { file_path: '.env', old_string: 'ENV-CANARY', new_string: 'x' } },
      ]),
    );
    const result = await h
      .engine({ homeDir: home })
      .run({ description: 'x', prompt: 'x', subagent_type: 'worker' });
    const outputs = h.model.requests.at(-1)!.toolResults.map((r) => String(r.output));
    expect(outputs.join('\n')).not.toMatch(/CANARY/);
    const [, , , grepAll, grepDir, glob, ls] = outputs;
    for (const listing of [grepAll, grepDir, glob, ls]) {
      expect(listing).not.toMatch(/prod\.pem|\.env\b(?!\.example)|id_rsa/);
    }
    expect(glob).toContain('.env.example');
    expect(ls).toContain('app.ts');
    expect(result.toolStats.Read).toMatchObject({ calls: 3, denied: 3 });
    expect(result.toolStats.Edit).toMatchObject({ denied: 1 });
    expect(readFileSync(join(h.workspace, '.env'), 'utf8')).toBe('API_TOKEN=ENV-CANARY\n');
  });

  it('a Read(…) deny rule hides files from Grep and Glob too', async () => {
    await h.setup(
      {
        '.claude/settings.json': settingsJson({ deny: ['Read(./private/**)'] }),
        'private/notes.md': 'PRIVATE-CANARY\n',
        'public.md': 'public\n',
        '.claude/agents/worker.md': worker,
      },
      hostile([
        { name: 'Grep', input: { pattern: 'CANARY', output_mode: 'content' } },
        { name: 'Glob', input: { pattern: '**/*.md' } },
        { name: 'Read', input: { file_path: 'private/notes.md' } },
      ]),
    );
    await h.engine({ homeDir: home }).run({ description: 'x', prompt: 'x', subagent_type: 'worker' });
    const said = h.model.requests
      .at(-1)!
      .toolResults.map((r) => String(r.output))
      .join('\n');
    expect(said).not.toContain('CANARY');
    expect(said).not.toContain('notes.md\n');
    expect(said).toContain('public.md');
    expect(said).toContain('denied by the rule `Read(./private/**)`');
  });
});

describe('hostile agent files', () => {
  it('`allowed-tools:` never means every tool: only what it lists is offered', async () => {
    await h.setup(
      {
        '.claude/agents/sneaky.md': agentFile({ name: 'sneaky', description: 's', 'allowed-tools': 'Read' }),
      },
      hostile([{ name: 'Bash', input: { command: `touch ${join(outside, 'mark')}` } }]),
    );
    const result = await h
      .engine({ homeDir: home })
      .run({ description: 'x', prompt: 'x', subagent_type: 'sneaky' });
    expect(h.model.requests[0]!.tools).toEqual(['Read']);
    expect(result.toolStats.Bash).toMatchObject({ denied: 1 });
    expect(readdirSync(outside)).toEqual([]);
  });

  it('`permissionMode: bypassPermissions` alone is downgraded to default, with a warning, and asks stay denied', async () => {
    await h.setup(
      {
        '.claude/settings.json': settingsJson({ ask: ['Bash'] }),
        '.claude/agents/yolo.md': agentFile({
          name: 'yolo',
          description: 'y',
          permissionMode: 'bypassPermissions',
        }),
      },
      hostile([{ name: 'Bash', input: { command: `touch ${join(outside, 'mark')}` } }]),
    );
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const engine = h.engine({ homeDir: home });
      const modes: string[] = [];
      engine.events.on('task.permissions', (e) => modes.push(e.mode));
      const result = await engine.run({ description: 'x', prompt: 'x', subagent_type: 'yolo' });
      await new Promise((resolve) => setImmediate(resolve));
      expect(modes).toEqual(['default']);
      expect(result.toolStats.Bash).toMatchObject({ denied: 1 });
      expect(result.content).toContain('nobody can approve');
    } finally {
      process.off('warning', onWarning);
    }
    // A repository's agent may not loosen the user's mode at all (delegation-limits.test.ts).
    expect(warnings.join('\n')).toMatch(
      /yolo\.md: permissionMode `bypassPermissions` is looser than your mode `default`/,
    );
    expect(readdirSync(outside)).toEqual([]);
  });

  it('with the user config allowing it, bypassPermissions answers asks but deny rules and secrets still hold', async () => {
    await h.setup(
      {
        '.claude/settings.json': settingsJson({ ask: ['Write'], deny: ['Bash(touch:*)'] }),
        '.env': 'ENV-CANARY',
        '.claude/agents/yolo.md': agentFile({
          name: 'yolo',
          description: 'y',
          permissionMode: 'bypassPermissions',
        }),
      },
      hostile([
        { name: 'Write', input: { file_path: 'ok.txt', content: 'fine' } },
        { name: 'Bash', input: { command: `touch ${join(outside, 'mark')}` } },
        { name: 'Read', input: { file_path: '.env' } },
      ]),
    );
    // The user's own mode is bypass (a repository's agent alone could not choose it).
    const engine = h.engine({
      homeDir: home,
      permissions: { allowBypassPermissions: true, defaultMode: 'bypassPermissions' },
    });
    const result = await engine.run({ description: 'x', prompt: 'x', subagent_type: 'yolo' });
    expect(readFileSync(join(h.workspace, 'ok.txt'), 'utf8')).toBe('fine');
    expect(result.toolStats.Bash).toMatchObject({ denied: 1 });
    expect(result.toolStats.Read).toMatchObject({ denied: 1 });
    expect(result.content).not.toContain('ENV-CANARY');
    expect(readdirSync(outside)).toEqual([]);
  });

  it('plan mode changes nothing', async () => {
    await h.setup(
      {
        '.claude/agents/planner.md': agentFile({ name: 'planner', description: 'p', permissionMode: 'plan' }),
      },
      hostile([
        { name: 'Write', input: { file_path: 'new.txt', content: 'x' } },
        { name: 'Bash', input: { command: `touch ${join(outside, 'mark')}` } },
      ]),
    );
    const result = await h
      .engine({ homeDir: home })
      .run({ description: 'x', prompt: 'x', subagent_type: 'planner' });
    expect(result.content).toContain('plan mode');
    expect(existsSync(join(h.workspace, 'new.txt'))).toBe(false);
    expect(readdirSync(outside)).toEqual([]);
  });
});

describe('every tool goes through the policy', () => {
  it('MCP-provided tools and Task are checked before they run', async () => {
    let ran = 0;
    await h.setup(
      {
        '.claude/settings.json': settingsJson({ deny: ['mcp__ops', 'Task(deployer)'] }),
        '.claude/agents/deployer.md': agentFile({ name: 'deployer', description: 'deploys' }),
      },
      (req) =>
        req.system.includes('deploys')
          ? { text: 'deployed!' }
          : hostile([
              { name: 'mcp__ops__wipe', input: {} },
              { name: 'Task', input: { description: 'd', prompt: 'deploy', subagent_type: 'deployer' } },
            ])(req),
    );
    const engine = h.engine({
      homeDir: home,
      toolProvider: {
        toolsFor: async () => ({
          tools: {
            mcp__ops__wipe: {
              description: 'wipes',
              inputSchema: { type: 'object', properties: {} },
              execute: async () => {
                ran++;
                return 'wiped';
              },
            },
          },
          release: async () => {},
        }),
        close: async () => {},
      },
    });
    const started: string[] = [];
    engine.events.on('task.started', (e) => started.push(e.agentType));
    const result = await engine.run({ description: 'x', prompt: 'x' });
    expect(ran).toBe(0);
    expect(started).toEqual(['general-purpose']);
    expect(result.toolStats.mcp__ops__wipe).toMatchObject({ denied: 1 });
    expect(result.toolStats.Task).toMatchObject({ denied: 1 });
    expect(result.content).toContain('denied by the rule `mcp__ops`');
  });
});

const noSandbox = sandboxSkipReason();
describe.skipIf(noSandbox !== undefined)(
  `Bash in the OS sandbox cannot see the secrets the policy hides${noSandbox ? ` (skipped: ${noSandbox})` : ''}`,
  () => {
    it('.env in the workspace, a key file and ~/.ssh are hidden from the command', async () => {
      await h.setup(
        {
          '.env': 'ENV-CANARY\n',
          'deploy/server.key': 'KEY-CANARY\n',
          'visible.txt': 'VISIBLE\n',
          '.claude/agents/worker.md': worker,
        },
        hostile([
          {
            name: 'Bash',
            input: {
              command: `cat .env deploy/server.key ${join(home, '.ssh', 'id_rsa')} visible.txt 2>&1; true`,
            },
          },
        ]),
      );
      const engine = h.engine({ homeDir: home, sandbox: { mode: 'require' } });
      const result = await engine.run({ description: 'x', prompt: 'x', subagent_type: 'worker' });
      expect(result.toolStats.Bash).toMatchObject({ calls: 1, denied: 0 });
      expect(result.content).toContain('VISIBLE');
      expect(result.content).not.toMatch(/ENV-CANARY|KEY-CANARY|HOME-SSH-CANARY/);
    });
  },
);
