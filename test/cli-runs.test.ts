import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseSince } from '../src/cli/runs-actions.ts';
import { registerRunsCommands } from '../src/cli/runs-command.ts';
import { observe } from '../src/observe/index.ts';
import type { ScriptedRequest } from '../src/scripted-model/index.ts';
import { agentFile, useHarness } from './support.ts';

const h = useHarness();
afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs `codex-task runs …` in process (the lead wires it into main.ts), capturing output and exit code. */
async function runs(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => out.push(String(c)) > 0);
  vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => err.push(String(c)) > 0);
  let code = -1;
  const program = new Command('codex-task').exitOverride();
  registerRunsCommands(program, (c) => {
    code = c;
  });
  await program.parseAsync(args, { from: 'user' });
  vi.restoreAllMocks();
  return { code, out: out.join(''), err: err.join('') };
}

const lead = (req: ScriptedRequest) => {
  if (req.system.includes('You lead') && req.turn === 0) {
    return {
      text: 'delegating',
      toolCalls: [
        { name: 'Task', input: { description: 'read it', prompt: 'read a.txt', subagent_type: 'reader' } },
      ],
    };
  }
  if (req.system.includes('You read') && req.turn === 0) {
    return { toolCalls: [{ name: 'Read', input: { file_path: 'a.txt' } }] };
  }
  return { text: req.system.includes('You lead') ? 'all read' : 'a.txt says hello' };
};

async function recorded() {
  await h.setup(
    {
      'a.txt': 'hello',
      '.claude/agents/lead.md': agentFile({ name: 'lead', description: 'leads', tools: 'Task' }, 'You lead.'),
      '.claude/agents/reader.md': agentFile(
        { name: 'reader', description: 'reads', tools: 'Read' },
        'You read.',
      ),
    },
    lead,
  );
  const db = join(h.workspace, 'runs.db');
  const obs = observe(h.engine(), { env: {}, store: db, logger: false, audit: false, tracing: false });
  const { taskId, result } = obs.start({
    description: 'lead the reading',
    prompt: 'get it read',
    subagent_type: 'lead',
  });
  await result;
  await obs.close();
  return { db, taskId };
}

describe('codex-task runs', () => {
  it('lists recorded tasks, filtered, as a table or JSON', async () => {
    const { db, taskId } = await recorded();
    const table = await runs(['runs', 'list', '--db', db]);
    expect(table.code).toBe(0);
    expect(table.out).toContain(taskId);
    expect(table.out).toMatch(/↳ reader/);
    expect(table.out).toContain('lead the reading');
    const json = await runs([
      'runs',
      'list',
      '--db',
      db,
      '--agent',
      'reader',
      '--status',
      'completed',
      '--since',
      '1h',
      '--json',
    ]);
    expect(JSON.parse(json.out).map((t: { agentType: string }) => t.agentType)).toEqual(['reader']);
    const none = await runs(['runs', 'list', '--db', db, '--status', 'failed']);
    expect(none.err).toContain('No recorded tasks');
  });

  it('refuses bad filters with exit code 2', async () => {
    const { db } = await recorded();
    expect((await runs(['runs', 'list', '--db', db, '--status', 'weird'])).code).toBe(2);
    expect((await runs(['runs', 'list', '--db', db, '--since', 'yesterday-ish'])).code).toBe(2);
    expect((await runs(['runs', 'list', '--db', db, '--limit', '0'])).code).toBe(2);
  });

  it('shows a transcript by id prefix: turns, tool calls and results, subagents, result', async () => {
    const { db, taskId } = await recorded();
    const shown = await runs(['runs', 'show', taskId.slice(0, 8), '--db', db]);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('Turn 1');
    expect(shown.out).toContain('delegating');
    expect(shown.out).toMatch(/→ Task \{"description":"read it".*ok/);
    expect(shown.out).toContain('Subagents');
    expect(shown.out).toContain('all read');
    expect(shown.out).toContain('get it read');
    const missing = await runs(['runs', 'show', 'ffffffffffffffff', '--db', db]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('No task');
  });

  it('exports a task, its steps and its subagents as JSON lines', async () => {
    const { db, taskId } = await recorded();
    const exported = await runs(['runs', 'export', taskId, '--jsonl', '--db', db]);
    expect(exported.code).toBe(0);
    const lines = exported.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'task', id: taskId, status: 'completed' });
    const tasks = lines.filter((l) => l.type === 'task');
    expect(tasks.map((t) => t.agentType)).toEqual(['lead', 'reader']);
    const readerSteps = lines.filter((l) => l.type === 'step' && l.taskId === tasks[1].id);
    expect(readerSteps.map((s) => s.kind)).toContain('tool_result');
  });

  it('reads durations ago and dates for --since', () => {
    const now = Date.parse('2025-01-31T12:00:00Z');
    expect(parseSince('2h', now)).toBe(now - 7_200_000);
    expect(parseSince('30m', now)).toBe(now - 1_800_000);
    expect(parseSince('2025-01-30T00:00:00Z', now)).toBe(Date.parse('2025-01-30T00:00:00Z'));
    expect(parseSince('soon', now)).toBeUndefined();
  });
});
