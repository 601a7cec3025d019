import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScriptedRequest } from '../src/scripted-model/index.ts';
import { agentFile, makeWorkspace, useHarness } from './support.ts';

/**
 * Modes and denials hold across delegation: a child never runs looser than the subagent that
 * started it, and a repository's agent file never loosens the user's mode.
 */
const h = useHarness();

/** The parent delegates once to general-purpose; the child tries to write, edit and run Bash. */
function delegateThenEscape(req: ScriptedRequest) {
  if (req.system.includes('CAUTIOUS')) {
    if (req.turn === 0)
      return {
        toolCalls: [
          {
            name: 'Task',
            input: { description: 'do it', prompt: 'write the files', subagent_type: 'general-purpose' },
          },
        ],
      };
    return { text: `parent saw: ${req.toolResults[0]?.output.split('\n')[0]}` };
  }
  if (req.turn === 0)
    return {
      toolCalls: [
        { name: 'Write', input: { file_path: 'written.txt', content: 'x' } },
        { name: 'Edit', input: { file_path: 'notes.md', old_string: 'old', new_string: 'new' } },
        { name: 'Bash', input: { command: 'touch ran-bash' } },
        {
          name: 'MultiEdit',
          input: { file_path: 'notes.md', edits: [{ old_string: 'old', new_string: 'x' }] },
        },
      ],
    };
  return { text: `child results: ${req.toolResults.map((r) => r.output.slice(0, 60)).join(' | ')}` };
}

describe('a child never runs looser than its parent', () => {
  it('plan mode and disallowedTools Bash, Write pass down to a general-purpose child', async () => {
    const ws = await h.setup(
      {
        '.claude/agents/cautious.md': agentFile(
          {
            name: 'cautious',
            description: 'plans only',
            permissionMode: 'plan',
            disallowedTools: 'Bash, Write',
          },
          'You are CAUTIOUS.',
        ),
        'notes.md': 'old text\n',
      },
      delegateThenEscape,
    );
    const engine = h.engine();
    const modes: Record<string, string> = {};
    engine.events.on('task.permissions', (e) => {
      modes[e.agentType] = e.mode;
    });
    const result = await engine.run({ description: 'p', prompt: 'go', subagent_type: 'cautious' });

    expect(result.status).toBe('completed');
    expect(modes).toEqual({ cautious: 'plan', 'general-purpose': 'plan' });
    const child = h.model.requests.find((r) => !r.system.includes('CAUTIOUS'))!;
    // The tools the parent was denied are not even offered to the child.
    expect(child.tools).not.toContain('Bash');
    expect(child.tools).not.toContain('Write');
    expect(child.tools).toContain('Edit');
    // Plan mode holds in the child: no edit happened.
    expect(existsSync(join(ws, 'written.txt'))).toBe(false);
    expect(existsSync(join(ws, 'ran-bash'))).toBe(false);
    expect(readFileSync(join(ws, 'notes.md'), 'utf8')).toBe('old text\n');
  });

  it('without a parent, the same general-purpose agent may edit (the control case)', async () => {
    const ws = await h.setup({ 'notes.md': 'old text\n' }, delegateThenEscape);
    const result = await h.engine().run({ description: 'd', prompt: 'go', subagent_type: 'general-purpose' });
    expect(result.status).toBe('completed');
    expect(existsSync(join(ws, 'written.txt'))).toBe(true);
    expect(readFileSync(join(ws, 'notes.md'), 'utf8')).not.toBe('old text\n');
  });
});

describe('a repository’s agent file or settings never loosen the user’s mode', () => {
  const editor = agentFile(
    { name: 'editor', description: 'edits', permissionMode: 'acceptEdits', tools: 'Edit, Write' },
    'You are EDITOR.',
  );

  async function modeOf(files: Record<string, string>, userMode?: string, userAgent?: string) {
    await h.setup(files, () => ({ text: 'done' }));
    const home = await makeWorkspace();
    try {
      if (userAgent) {
        await mkdir(join(home, '.claude', 'agents'), { recursive: true });
        await writeFile(join(home, '.claude', 'agents', 'mine.md'), userAgent);
      }
      const engine = h.engine({
        homeDir: home,
        ...(userMode ? { permissions: { defaultMode: userMode as 'plan' } } : {}),
      });
      const modes: string[] = [];
      const warnings: string[] = [];
      engine.events.on('task.permissions', (e) => {
        modes.push(e.mode);
        warnings.push(...e.warnings);
      });
      await engine.run({ description: 'x', prompt: 'x', subagent_type: userAgent ? 'mine' : 'editor' });
      return { mode: modes[0], warnings };
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }

  it('a project agent’s acceptEdits does not override the user’s plan, and says so', async () => {
    const { mode, warnings } = await modeOf({ '.claude/agents/editor.md': editor }, 'plan');
    expect(mode).toBe('plan');
    expect(warnings.join('\n')).toContain('permissionMode `acceptEdits` is looser than your mode `plan`');
  });

  it('a project agent may tighten: plan over the user’s default', async () => {
    const planner = editor.replace('acceptEdits', 'plan').replace('name: editor', 'name: editor');
    expect((await modeOf({ '.claude/agents/editor.md': planner })).mode).toBe('plan');
  });

  it('a project’s settings defaultMode only tightens; the user’s own agents choose theirs', async () => {
    const loose = {
      '.claude/settings.json': JSON.stringify({ permissions: { defaultMode: 'acceptEdits' } }),
    };
    const generic = agentFile({ name: 'editor', description: 'edits' }, 'EDITOR');
    const r1 = await modeOf({ ...loose, '.claude/agents/editor.md': generic }, 'plan');
    expect(r1.mode).toBe('plan');
    expect(r1.warnings.join('\n')).toContain('a project may only make it stricter');
    const strict = { '.claude/settings.json': JSON.stringify({ permissions: { defaultMode: 'plan' } }) };
    expect((await modeOf({ ...strict, '.claude/agents/editor.md': generic })).mode).toBe('plan');
    const mine = agentFile({ name: 'mine', description: 'mine', permissionMode: 'acceptEdits' }, 'MINE');
    expect((await modeOf({}, 'plan', mine)).mode).toBe('acceptEdits');
  });
});
