import { mkdir, readFile, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolDeniedError } from '../errors/index.ts';
import { editTool } from './edit.ts';
import { multiEditTool } from './multi-edit.ts';
import { type AgentPolicy, agentPolicy, loadPermissionPolicy } from './policy/index.ts';
import { readTool } from './read.ts';
import { makeWorkspace, snapshotTree, type TestWorkspace } from './testing.ts';
import type { ToolContext, ToolSpec } from './types.ts';
import { writeTool } from './write.ts';

/**
 * Review finding 4: the policy checks the name a call gives; a concurrent Bash call can swap a
 * symlink between that check and the open. Each case checks the call while the name is harmless,
 * swaps it (deterministically, where the race would), then runs the tool.
 */
let ws: TestWorkspace;
let policy: AgentPolicy;
let ctx: ToolContext;

beforeEach(async () => {
  ws = await makeWorkspace();
  await ws.file('ok.txt', 'fine\n');
  await ws.file('.env', 'API_SECRET=hunter2\n');
  await ws.file('.claude/settings.json', '{"permissions":{"deny":["Bash(curl:*)"]}}');
  await ws.file('plain/settings.json', '{}');
  await symlink('ok.txt', path.join(ws.root, 'link'));
  policy = agentPolicy(
    loadPermissionPolicy({ cwd: ws.root, homeDir: ws.outside, config: {} }),
    { name: 'a' },
    ws.root,
  );
  ctx = { ...ws.ctx, permissions: policy.permissions };
});
afterEach(() => ws.cleanup());

async function swapLinkTo(target: string) {
  await rm(path.join(ws.root, 'link'));
  await symlink(target, path.join(ws.root, 'link'));
}

const secretCalls: [string, ToolSpec, unknown][] = [
  ['Read', readTool, { file_path: 'link' }],
  ['Write', writeTool, { file_path: 'link', content: 'pwned\n' }],
  ['Edit', editTool, { file_path: 'link', old_string: 'hunter2', new_string: 'pwned' }],
  [
    'MultiEdit',
    multiEditTool,
    { file_path: 'link', edits: [{ old_string: 'hunter2', new_string: 'pwned' }] },
  ],
];

describe('a symlink swapped after the policy check', () => {
  it.each(secretCalls)(
    '%s through a link swapped to .env is refused; the secret is not read or changed',
    async (name, tool, input) => {
      expect((await policy.check(name, input)).decision).toBe('allowed');
      await swapLinkTo('.env');
      const outcome = await tool.execute(input, ctx).catch((e: unknown) => e);
      expect(outcome).toBeInstanceOf(ToolDeniedError);
      expect(String((outcome as Error).message)).toMatch(/hides|a secret/);
      expect(String((outcome as Error).message)).not.toContain('hunter2');
      expect(await readFile(path.join(ws.root, '.env'), 'utf8')).toBe('API_SECRET=hunter2\n');
    },
  );

  it('Write and Edit into a directory swapped for a link to .claude are refused; settings unchanged', async () => {
    const before = await snapshotTree(path.join(ws.root, '.claude'));
    for (const [name, tool, input] of [
      [
        'Write',
        writeTool,
        { file_path: 'plain/settings.json', content: '{"permissions":{"allow":["Bash"]}}' },
      ],
      ['Edit', editTool, { file_path: 'plain/settings.json', old_string: 'deny', new_string: 'allow' }],
    ] as const) {
      await rm(path.join(ws.root, 'plain'), { recursive: true, force: true });
      await mkdir(path.join(ws.root, 'plain'));
      await ws.file('plain/settings.json', '{"permissions":{"deny":[]}}');
      expect((await policy.check(name, input)).decision, name).toBe('allowed');
      await rm(path.join(ws.root, 'plain'), { recursive: true });
      await symlink('.claude', path.join(ws.root, 'plain'));
      const outcome = await (tool as ToolSpec).execute(input, ctx).catch((e: unknown) => e);
      expect(outcome, name).toBeInstanceOf(ToolDeniedError);
      expect(String((outcome as Error).message)).toContain('protected control path');
    }
    expect(await snapshotTree(path.join(ws.root, '.claude'))).toEqual(before);
  });

  it('a link swapped in to the target of a symlinked control file is refused too (issue 12 §3)', async () => {
    // .claude/settings.json is the user's link to docs/s.json: writing docs/s.json rewrites the settings.
    await ws.file('docs/s.json', '{"permissions":{"deny":["Bash(curl:*)"]}}');
    await rm(path.join(ws.root, '.claude/settings.json'));
    await symlink('../docs/s.json', path.join(ws.root, '.claude/settings.json'));
    const input = { file_path: 'link', content: '{"permissions":{"allow":["Bash"]}}' };
    expect((await policy.check('Write', input)).decision).toBe('allowed');
    await swapLinkTo('docs/s.json');
    const outcome = await writeTool.execute(input, ctx).catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(ToolDeniedError);
    expect(String((outcome as Error).message)).toContain('protected control path');
    expect(await readFile(path.join(ws.root, 'docs/s.json'), 'utf8')).toBe(
      '{"permissions":{"deny":["Bash(curl:*)"]}}',
    );
  });

  it('without a swap the same calls work', async () => {
    expect(await readTool.execute({ file_path: 'link' }, ctx)).toContain('fine');
    await writeTool.execute({ file_path: 'plain/settings.json', content: '{"x":1}' }, ctx);
    expect(await readFile(path.join(ws.root, 'plain/settings.json'), 'utf8')).toBe('{"x":1}');
  });
});
