import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type AgentInput, AgentRegistry } from '../agents/index.ts';
import type { ProviderConfig } from '../models/index.ts';
import type { EngineLimits } from './engine-services.ts';
import { GRANTABLE_TOOLS, planSubagent, planTask, type TaskPlan } from './subagent-plan.ts';

// What a subagent gets — agent, model, limits, tools, prompt — decided without a model server.
const dir = mkdtempSync(join(tmpdir(), 'codex-task-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PROVIDERS: ProviderConfig[] = [
  { id: 'anthropic', kind: 'anthropic', apiKey: 'k' },
  { id: 'openai', kind: 'openai', apiKey: 'k' },
];
const LIMITS: EngineLimits = {
  cwd: dir,
  callerModel: 'sonnet',
  taskTimeoutMs: 600_000,
  maxTurns: 50,
  maxSpawnDepth: 3,
};

function registry(agents: AgentInput[]): AgentRegistry {
  return new AgentRegistry({ cwd: dir, homeDir: dir, agents });
}

/** The plan of a task of one agent given in code (its prompt: `PROMPT OF <name>`). */
function taskPlanOf(input: Partial<AgentInput> & { name: string }): TaskPlan {
  return planTask({
    input: { description: 'd', prompt: 'p', subagent_type: input.name },
    registry: registry([{ description: 'd', prompt: `PROMPT OF ${input.name}`, ...input }]),
    providers: PROVIDERS,
    env: {},
    limits: LIMITS,
    callerModel: undefined,
    spawnDepth: 1,
  });
}

const subagent = (task: TaskPlan, more: Partial<Parameters<typeof planSubagent>[0]> = {}) =>
  planSubagent({
    task,
    cwd: dir,
    spawnDepth: 1,
    maxSpawnDepth: 3,
    inherited: undefined,
    providedTools: [],
    instructions: undefined,
    now: new Date('2026-12-07T12:00:00Z'),
    ...more,
  });

describe('planTask', () => {
  it('resolves the model in order: call > agent > caller > engine default, and the limits agent > engine', () => {
    const reg = registry([
      { name: 'pinned', description: 'd', prompt: 'p', model: 'openai:gpt-5.5', maxTurns: 4, timeout: 5_000 },
      { name: 'plain', description: 'd', prompt: 'p' },
    ]);
    const plan = (subagent_type: string, extra: { model?: string; callerModel?: string } = {}) =>
      planTask({
        input: {
          description: 'd',
          prompt: 'p',
          subagent_type,
          ...(extra.model ? { model: extra.model } : {}),
        },
        registry: reg,
        providers: PROVIDERS,
        env: {},
        limits: LIMITS,
        callerModel: extra.callerModel,
        spawnDepth: 1,
      });
    expect(plan('pinned')).toMatchObject({
      resolved: { spec: 'openai:gpt-5.5', source: 'agent' },
      maxTurns: 4,
      timeoutMs: 5_000,
      failover: true,
    });
    expect(plan('pinned', { model: 'anthropic:claude-x' }).resolved.spec).toBe('anthropic:claude-x');
    expect(plan('plain', { callerModel: 'openai:gpt-caller' }).resolved.spec).toBe('openai:gpt-caller');
    expect(plan('plain')).toMatchObject({ maxTurns: 50, timeoutMs: 600_000 });
    expect(plan('plain').resolved.requested).toBe('sonnet');
  });

  it('refuses an unknown agent, a model no provider serves, and nesting past the limit — with typed errors', () => {
    const base = {
      registry: registry([]),
      providers: PROVIDERS,
      env: {},
      limits: LIMITS,
      callerModel: undefined,
    };
    expect(() =>
      planTask({ ...base, input: { description: 'd', prompt: 'p', subagent_type: 'nope' }, spawnDepth: 1 }),
    ).toThrow(expect.objectContaining({ type: 'AgentNotFound' }));
    expect(() =>
      planTask({ ...base, providers: [], input: { description: 'd', prompt: 'p' }, spawnDepth: 1 }),
    ).toThrow(expect.objectContaining({ type: 'ModelConfig' }));
    expect(() => planTask({ ...base, input: { description: 'd', prompt: 'p' }, spawnDepth: 4 })).toThrow(
      expect.objectContaining({ type: 'SpawnDepthExceeded' }),
    );
  });
});

describe('planSubagent', () => {
  it('offers exactly the granted tools, with Task only below the nesting limit', () => {
    const task = taskPlanOf({ name: 'reader', tools: ['Read', 'Grep', 'Task'] });
    const plan = subagent(task);
    expect(plan.granted).toEqual(['Read', 'Grep', 'Task']);
    expect(plan.builtins.map((t) => t.name)).toEqual(['Read', 'Grep']);
    expect(plan.nestedTask).toBe(true);
    expect(subagent(task, { spawnDepth: 3 }).nestedTask).toBe(false);
  });

  it('gives every built-in and Task when tools are omitted, minus disallowedTools', () => {
    const plan = subagent(taskPlanOf({ name: 'all', disallowedTools: ['Bash', 'Write'] }));
    expect(plan.granted).toEqual(GRANTABLE_TOOLS.filter((t) => t !== 'Bash' && t !== 'Write'));
    expect(plan.disallowedTools).toEqual(['Bash', 'Write']);
  });

  it('keeps what an ancestor was denied denied, and passes it on to its own children', () => {
    const task = taskPlanOf({ name: 'child', tools: ['Read', 'Bash', 'Edit'] });
    const plan = subagent(task, { inherited: { mode: 'default', disallowedTools: ['Bash'] } });
    expect(plan.granted).toEqual(['Read', 'Edit']);
    expect(plan.disallowedTools).toEqual(['Bash']);
  });

  it('grants provided (MCP) tools by name or pattern, never ones the agent did not ask for', () => {
    const provided = ['mcp__notes__read_note', 'mcp__notes__delete_note', 'mcp__web__get'];
    const narrow = subagent(taskPlanOf({ name: 'n', tools: ['mcp__notes__*'] }), {
      providedTools: provided,
    });
    expect(narrow.provided).toEqual(['mcp__notes__read_note', 'mcp__notes__delete_note']);
    expect(narrow.builtins).toEqual([]);
    const none = subagent(taskPlanOf({ name: 'r', tools: ['Read'] }), { providedTools: provided });
    expect(none.provided).toEqual([]);
  });

  it('puts what every task of the agent shares first (prompt, project instructions), the environment after', () => {
    const plan = subagent(taskPlanOf({ name: 'writer', model: 'openai:gpt-5.5' }), {
      instructions: { file: 'AGENTS.md', text: 'Use tabs.' },
    });
    const { stable, volatile } = plan.systemPrompt;
    expect(stable.startsWith('PROMPT OF writer\n\nYou are a subagent.')).toBe(true);
    expect(stable.endsWith('# Project instructions (AGENTS.md)\nUse tabs.')).toBe(true);
    expect(volatile.startsWith('# Environment\n')).toBe(true);
    expect(volatile).toContain(`Working directory: ${dir}`);
    expect(volatile).toContain("Today's date: 2026-12-07");
    expect(volatile).toContain('Model: openai:gpt-5.5');
    expect(plan.system).toBe(`${stable}\n\n${volatile}`);
  });

  it('keeps the cached part and its OpenAI cache key the same across directories, dates and models', () => {
    const task = taskPlanOf({ name: 'writer' });
    const a = subagent(task).systemPrompt;
    const b = subagent(
      { ...task, resolved: { ...task.resolved, spec: 'anthropic:claude-x' } },
      { cwd: join(dir, 'sub'), now: new Date('2027-01-01T00:00:00Z') },
    ).systemPrompt;
    expect(b.stable).toBe(a.stable);
    expect(b.cacheKey).toBe(a.cacheKey);
    expect(b.volatile).not.toBe(a.volatile);
    expect(a.cacheKey).toMatch(/^codex-task:writer:[0-9a-f]{12}$/);
    // Another project's instructions are another prefix: another key.
    const other = subagent(task, { instructions: { file: 'CLAUDE.md', text: 'Spaces.' } }).systemPrompt;
    expect(other.cacheKey).not.toBe(a.cacheKey);
    // OpenAI refuses a key over 64 characters.
    const long = subagent(taskPlanOf({ name: 'x'.repeat(100) })).systemPrompt.cacheKey;
    expect(long.length).toBeLessThanOrEqual(64);
  });
});
