import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScriptedRequest, ScriptedToolCall } from '../src/scripted-model/index.ts';
import { agentPolicy, PermissionPolicyCache } from '../src/tools/policy/index.ts';
import { agentFile, useHarness } from './support.ts';

/**
 * The bypasses a security review found, replayed by a hostile model against real subagents run by
 * the engine: each asserts the refusal, and that nothing was written or run.
 */
const h = useHarness();
let home: string;
let outside: string;

beforeEach(async () => {
  const base = await realpath(await mkdtemp(join(tmpdir(), 'codex-task-review-')));
  home = join(base, 'home');
  outside = join(base, 'outside');
  await mkdir(home, { recursive: true });
  await mkdir(outside);
});
afterEach(() => rm(join(home, '..'), { recursive: true, force: true }));

function hostile(calls: ScriptedToolCall[]) {
  return (req: ScriptedRequest) =>
    req.turn === 0 ? { toolCalls: calls } : { text: req.toolResults.map((r) => `[${r.output}]`).join('\n') };
}

const LOOSER = '{"permissions":{"allow":["Bash"]}}';

describe('protected control paths (finding 3)', () => {
  it('a subagent with Edit and Bash allowed, in acceptEdits, cannot rewrite settings, agents, MCP servers or git hooks', async () => {
    const projectSettings = JSON.stringify({
      permissions: { allow: ['Edit', 'Write', 'Bash'], deny: ['Bash(curl:*)'] },
    });
    await h.setup(
      {
        '.claude/settings.json': projectSettings,
        '.claude/agents/editor.md': agentFile({
          name: 'editor',
          description: 'edits',
          tools: 'Write, Edit, Bash',
          permissionMode: 'acceptEdits',
        }),
      },
      hostile([
        { name: 'Write', input: { file_path: '.claude/settings.json', content: LOOSER } },
        { name: 'Write', input: { file_path: '.claude/settings.local.json', content: LOOSER } },
        {
          name: 'Edit',
          input: { file_path: '.claude/settings.json', old_string: 'deny', new_string: 'allow' },
        },
        { name: 'Write', input: { file_path: '.claude/agents/evil.md', content: '---\nname: evil\n---\n' } },
        { name: 'Write', input: { file_path: 'pkg/.claude/settings.json', content: LOOSER } },
        { name: 'Write', input: { file_path: '.codex-task/config.json', content: '{}' } },
        {
          name: 'Write',
          input: { file_path: '.codex/config.toml', content: '[mcp_servers.x]\ncommand="sh"\n' },
        },
        { name: 'Write', input: { file_path: '.mcp.json', content: '{"mcpServers":{}}' } },
        { name: 'Write', input: { file_path: '.git/hooks/pre-commit', content: '#!/bin/sh\nid\n' } },
        { name: 'Write', input: { file_path: '.gitmodules', content: '' } },
        { name: 'Bash', input: { command: `echo '${LOOSER}' > .claude/settings.local.json` } },
        { name: 'Bash', input: { command: `echo '{"mcpServers":{}}' >| .mcp.json` } },
        { name: 'Bash', input: { command: 'printf "#!/bin/sh\\nid\\n" >> .git/hooks/pre-commit' } },
      ]),
    );
    const result = await h
      .engine({ homeDir: home })
      .run({ description: 'x', prompt: 'x', subagent_type: 'editor' });
    expect(result.toolStats.Write).toMatchObject({ calls: 9, denied: 9 });
    expect(result.toolStats.Edit).toMatchObject({ calls: 1, denied: 1 });
    expect(result.toolStats.Bash).toMatchObject({ calls: 3, denied: 3 });
    expect(result.content.match(/protected control path/g)).toHaveLength(13);
    expect(result.content).toContain('Edit(.claude/settings.json)');
    expect(readFileSync(join(h.workspace, '.claude/settings.json'), 'utf8')).toBe(projectSettings);
    expect(readdirSync(join(h.workspace, '.claude')).sort()).toEqual(['agents', 'settings.json']);
    expect(readdirSync(join(h.workspace, '.claude/agents'))).toEqual(['editor.md']);
    for (const created of ['pkg', '.codex-task', '.codex', '.mcp.json', '.git/hooks', '.gitmodules'])
      expect(existsSync(join(h.workspace, created)), created).toBe(false);
    // And so the next task still gets the project's rules.
    const next = agentPolicy(
      new PermissionPolicyCache({ homeDir: home, config: {} }, 0).get(h.workspace),
      { name: 'a' },
      h.workspace,
    );
    expect((await next.check('Bash', { command: 'curl https://example.com' })).decision).toBe('denied');
  });
});

const worker = agentFile({ name: 'worker', description: 'works', tools: 'Bash' });

describe('Bash past `Bash(npm test:*)` and `Bash(git diff *)` (findings 5, 6, 7)', () => {
  it('run-time evaluation, variables that run code and `>&` into files are refused, and nothing runs or is written', async () => {
    const mark = (n: number) => join(outside, `mark-${n}`);
    const tricks = [
      // 5: text in single quotes evaluated at run time.
      `x='a[$(touch ${mark(0)})]'; npm test $((x))`,
      `x='$(touch ${mark(1)})'; npm test \${x@P}`,
      `npm test; [[ -v 'a[$(touch ${mark(2)})]' ]]`,
      `npm test; [[ 'a[$(touch ${mark(3)})]' -eq 1 ]]`,
      // 6: variables that make the allowed program run other code.
      `GIT_EXTERNAL_DIFF='touch ${mark(4)};:' git diff`,
      `env GIT_EXTERNAL_DIFF='touch ${mark(5)};:' git diff`,
      `NODE_OPTIONS="--import=data:text/javascript,import('node:fs').then(f=>f.writeFileSync('${mark(6)}',''))" npm test`,
      // 7: `>&` into a file, and a `~user` target.
      `npm test >& ${mark(7)}`,
      'npm test >& package.json',
      'npm test >& .env',
      `npm test >> ~root/.bashrc`,
    ];
    await h.setup(
      {
        '.claude/settings.json': JSON.stringify({
          permissions: { allow: ['Bash(npm test:*)', 'Bash(git diff *)'], deny: ['Edit(package.json)'] },
        }),
        '.claude/agents/worker.md': worker,
        'package.json': '{"name":"p"}',
        '.env': 'ENV-CANARY',
      },
      hostile(tricks.map((command) => ({ name: 'Bash', input: { command } }))),
    );
    const result = await h
      .engine({ homeDir: home })
      .run({ description: 'x', prompt: 'x', subagent_type: 'worker' });
    expect(result.toolStats.Bash).toMatchObject({ calls: tricks.length, denied: tricks.length });
    const said = h.model.requests.at(-1)!.toolResults.map((r) => String(r.output));
    expect(said.slice(0, 4).every((s) => s.includes('cannot be checked'))).toBe(true);
    expect(said[4]).toContain('it sets GIT_EXTERNAL_DIFF');
    expect(said[6]).toContain('it sets NODE_OPTIONS');
    expect(said[7]).toContain('outside the workspace');
    expect(said[8]).toContain('Edit(package.json)');
    expect(said[9]).toContain('secret');
    expect(said[10]).toContain('computed');
    expect(readdirSync(outside)).toEqual([]);
    expect(readFileSync(join(h.workspace, 'package.json'), 'utf8')).toBe('{"name":"p"}');
    expect(readFileSync(join(h.workspace, '.env'), 'utf8')).toBe('ENV-CANARY');
  });
});
