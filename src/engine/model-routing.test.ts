import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type AgentInput, AgentRegistry } from '../agents/index.ts';
import type { ModelRoutingSettings } from '../config/defaults/model-routing.ts';
import { configSchemas, ENGINE_SETTINGS, optionsFromConfig } from '../config/index.ts';
import type { ProviderConfig } from '../models/index.ts';
import { nextTier, type RoutingRequest, routeModel, routingSettings } from './model-routing.ts';
import { planTask } from './subagent-plan.ts';

const READ_ONLY = ['Read', 'Glob', 'Grep', 'LS', 'WebFetch', 'WebSearch'];
const ALL = ['Read', 'Write', 'Edit', 'Glob', 'Grep', 'Bash', 'Task'];

function request(over: Partial<RoutingRequest> = {}): RoutingRequest {
  return {
    agent: 'helper',
    agentDescription: 'Helps with code',
    tools: ALL,
    description: 'do it',
    prompt: 'Fix the typo in README.md',
    ...over,
  };
}

const defaults = routingSettings();
const route = (over: Partial<RoutingRequest>, settings: ModelRoutingSettings = defaults) =>
  routeModel(request(over), settings);

describe('routeModel: the built-in rules', () => {
  it.each([
    {
      rule: 'long-prompt',
      over: { tools: READ_ONLY, prompt: 'x'.repeat(6_000) },
      tier: 'opus',
      reason: "rule 'long-prompt' (built-in): a 6000-character prompt (≥ 6000)",
    },
    {
      rule: 'large-change',
      over: { prompt: 'Migrate every handler to the new router' },
      tier: 'opus',
      reason:
        'rule \'large-change\' (built-in): tools that change the workspace (Write, Edit, Bash, Task), "migrate" in the task',
    },
    {
      rule: 'large-change (keyword in the description, another spelling)',
      over: { description: 'Multi step refactoring', prompt: 'Do the work' },
      tier: 'opus',
      reason:
        'rule \'large-change\' (built-in): tools that change the workspace (Write, Edit, Bash, Task), "refactor" in the task',
    },
    {
      rule: 'planning-agent',
      over: {
        agent: 'Plan',
        agentDescription: 'Read-only software architect agent: returns a step-by-step plan',
        tools: READ_ONLY,
        prompt: 'Plan the cache',
      },
      tier: 'sonnet',
      reason: "rule 'planning-agent' (built-in): \"plan\" in the agent's description",
    },
    {
      rule: 'read-only-lookup',
      over: { agent: 'Explore', tools: READ_ONLY, prompt: 'Where is the retry policy defined?' },
      tier: 'haiku',
      reason:
        "rule 'read-only-lookup' (built-in): read-only tools (Read, Glob, Grep, LS, WebFetch, WebSearch), a 34-character prompt (≤ 2000)",
    },
    {
      rule: 'read-only-lookup (an agent with no tools at all)',
      over: { tools: [], prompt: 'Summarise this: …' },
      tier: 'haiku',
      reason: "rule 'read-only-lookup' (built-in): read-only tools (none), a 17-character prompt (≤ 2000)",
    },
    {
      rule: 'default: an edit',
      over: {},
      tier: 'sonnet',
      reason: 'no rule matched: the default tier (sonnet)',
    },
    {
      rule: 'default: a read-only question too long for a lookup',
      over: { tools: READ_ONLY, prompt: 'y'.repeat(2_001) },
      tier: 'sonnet',
      reason: 'no rule matched: the default tier (sonnet)',
    },
  ])('$rule → $tier', ({ over, tier, reason }) => {
    expect(route(over)).toEqual({ tier, reason });
  });

  it('counts Bash, Task and MCP tools as able to change the workspace', () => {
    for (const tools of [
      ['Read', 'Bash'],
      ['Read', 'Task'],
      ['Read', 'mcp__github__create_issue'],
    ])
      expect(route({ tools, prompt: 'short' }).tier, tools.join()).toBe('sonnet');
    expect(route({ tools: ['Read', 'TodoWrite'], prompt: 'short' }).tier).toBe('haiku');
  });

  it('matches keywords at the start of a word only, whatever the case', () => {
    expect(route({ prompt: 'REWRITES the parser' }).tier).toBe('opus');
    expect(route({ prompt: 'fix the prerewrite hook' }).tier).toBe('sonnet');
    expect(route({ prompt: 'run the tests end to end' }).tier).toBe('opus');
  });

  it('applies the first matching rule: a long read-only prompt is opus, not a lookup', () => {
    expect(route({ tools: READ_ONLY, prompt: 'z'.repeat(7_000) }).tier).toBe('opus');
  });
});

describe('routeModel: configured rules', () => {
  const settings = (over: Partial<ModelRoutingSettings>) => routingSettings(over);

  it('tries configured rules before the built-in ones, naming them by name or place', () => {
    const rules: ModelRoutingSettings['rules'] = [
      { name: 'reviews', model: 'opus', agents: ['code-reviewer'] },
      { model: 'haiku', keywords: ['typo'] },
    ];
    expect(route({ agent: 'Code-Reviewer' }, settings({ rules }))).toEqual({
      tier: 'opus',
      reason: "rule 'reviews' (modelRouting.rules[0]): agent Code-Reviewer",
    });
    expect(route({}, settings({ rules }))).toEqual({
      tier: 'haiku',
      reason: 'rule modelRouting.rules[1]: "typo" in the task',
    });
  });

  it('requires every condition of a rule, and a rule without conditions matches every task', () => {
    const rules: ModelRoutingSettings['rules'] = [
      { name: 'short-edits', model: 'haiku', tools: 'write', minPromptChars: 10, maxPromptChars: 30 },
      { name: 'catch-all', model: 'opus' },
    ];
    expect(route({ prompt: 'Fix the typo' }, settings({ rules }))).toEqual({
      tier: 'haiku',
      reason:
        "rule 'short-edits' (modelRouting.rules[0]): tools that change the workspace (Write, Edit, Bash, Task), a 12-character prompt (10–30)",
    });
    expect(route({ prompt: 'Fix' }, settings({ rules })).reason).toBe(
      "rule 'catch-all' (modelRouting.rules[1]): matches every task",
    );
  });

  it('leaves the decision to the configured rules and default when builtinRules is false', () => {
    const lookup = { tools: READ_ONLY, prompt: 'Where is main?' };
    expect(route(lookup, settings({ builtinRules: false, default: 'opus' }))).toEqual({
      tier: 'opus',
      reason: 'no rule matched: the default tier (opus)',
    });
    expect(
      route(
        { agentDescription: 'Checks spelling' },
        settings({
          rules: [{ model: 'haiku', agentKeywords: ['spell'] }],
        }),
      ).reason,
    ).toBe('rule modelRouting.rules[0]: "spell" in the agent\'s description');
  });
});

describe('the modelRouting config key', () => {
  it('reaches the engine options as written, and refuses a tier that is not haiku, sonnet or opus', () => {
    const modelRouting = {
      rules: [{ name: 'finds', model: 'haiku', tools: 'read-only', keywords: ['find'] }],
      default: 'opus',
      escalation: false,
      builtinRules: false,
    };
    const parsed = configSchemas().configFile.parse({ modelRouting });
    expect(optionsFromConfig(ENGINE_SETTINGS, parsed).modelRouting).toEqual(modelRouting);
    for (const bad of [
      { rules: [{ model: 'gpt-5.5' }] },
      { rules: [{ model: 'haiku', colour: 1 }] },
      { default: 'fable' },
    ])
      expect(configSchemas().configFile.safeParse({ modelRouting: bad }).success, JSON.stringify(bad)).toBe(
        false,
      );
  });
});

describe('nextTier', () => {
  it('goes haiku → sonnet → opus, and no further', () => {
    expect([nextTier('haiku'), nextTier('sonnet'), nextTier('opus')]).toEqual(['sonnet', 'opus', undefined]);
  });
});

describe('planTask with model auto', () => {
  const dir = mkdtempSync(join(tmpdir(), 'codex-task-routing-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const providers: ProviderConfig[] = [{ id: 'anthropic', kind: 'anthropic', apiKey: 'k' }];
  const agents: AgentInput[] = [
    { name: 'finder', description: 'Finds things', prompt: 'p', tools: ['Read', 'Grep'], model: 'auto' },
    { name: 'pinned', description: 'Pinned', prompt: 'p', tools: ['Read'], model: 'opus' },
    { name: 'plain', description: 'Plain', prompt: 'p', tools: ['Read'] },
  ];
  const registry = new AgentRegistry({ cwd: dir, homeDir: dir, agents });
  const plan = (
    subagent_type: string,
    extra: { model?: string; env?: Record<string, string>; routing?: Partial<ModelRoutingSettings> } = {},
  ) =>
    planTask({
      input: {
        description: 'd',
        prompt: 'Where is X?',
        subagent_type,
        ...(extra.model ? { model: extra.model } : {}),
      },
      registry,
      providers,
      env: extra.env ?? {},
      limits: { cwd: dir, callerModel: 'sonnet', taskTimeoutMs: 1000, maxTurns: 5, maxSpawnDepth: 3 },
      callerModel: undefined,
      spawnDepth: 1,
      routing: extra.routing,
    });

  it("routes an agent's auto, and a call's auto over a pinned agent", () => {
    expect(plan('finder')).toMatchObject({
      resolved: {
        spec: 'anthropic:claude-haiku-4-5',
        requested: 'auto',
        source: 'agent',
        routing: { requested: 'auto', chosen: 'haiku', reason: expect.stringContaining('read-only-lookup') },
      },
      escalate: true,
    });
    expect(plan('pinned', { model: 'auto' }).resolved).toMatchObject({
      source: 'call',
      routing: { chosen: 'haiku' },
    });
    expect(plan('plain', { model: 'auto' }).resolved.routing?.chosen).toBe('haiku');
  });

  it('never overrides a pinned model: an explicit call model beats an agent auto, the env beats both', () => {
    const call = plan('finder', { model: 'sonnet' });
    expect(call.resolved).toMatchObject({ spec: 'anthropic:claude-sonnet-5', source: 'call' });
    expect(call.resolved.routing).toBeUndefined();
    expect(call.escalate).toBe(false);
    const env = plan('finder', {
      model: 'auto',
      env: { CODEX_TASK_SUBAGENT_MODEL: 'anthropic:claude-opus-4-8' },
    });
    expect(env.resolved).toMatchObject({ spec: 'anthropic:claude-opus-4-8', source: 'env' });
    expect(env.resolved.routing).toBeUndefined();
    expect(plan('pinned').resolved.routing).toBeUndefined();
  });

  it('uses the engine’s routing settings, and escalation only when they allow it', () => {
    const routed = plan('finder', {
      routing: { rules: [{ name: 'all-opus', model: 'opus' }], escalation: false },
    });
    expect(routed.resolved).toMatchObject({ spec: 'anthropic:claude-opus-4-8', routing: { chosen: 'opus' } });
    expect(routed.escalate).toBe(false);
  });
});
