import { describe, expect, it } from 'vitest';
import type { AgentInput } from '../src/agents/index.ts';
import type { ScriptedRequest } from '../src/scripted-model/index.ts';
import { useHarness } from './support.ts';

// `model: auto` end to end (docs/model-routing.md): the tier each built-in rule picks, as the
// scripted server sees it, and escalation to the next tier when the cheap run fails. The first
// provider is OpenAI: haiku = gpt-5.5-mini, sonnet = gpt-5.5, opus = gpt-6.1-sol.

const h = useHarness();
const input = (extra: object = {}) => ({
  description: 'look it up',
  prompt: 'Where is main defined?',
  ...extra,
});
const models = () => h.model.requests.map((r) => r.model);

const AGENTS: AgentInput[] = [
  {
    name: 'finder',
    description: 'Finds code',
    prompt: 'Find things.',
    tools: ['Read', 'Grep'],
    model: 'auto',
  },
  {
    name: 'looper',
    description: 'Loops',
    prompt: 'Loop.',
    tools: ['Read', 'Grep'],
    model: 'auto',
    maxTurns: 2,
  },
  { name: 'cheap', description: 'Pinned', prompt: 'p', tools: ['Read'], model: 'haiku' },
  { name: 'slow', description: 'Times out', prompt: 'p', tools: ['Read'], model: 'auto', timeout: 300 },
];

/** The cheap tier misbehaves as `onHaiku` says; every other model answers. */
const cheapFails =
  (onHaiku: (req: ScriptedRequest) => object) =>
  (req: ScriptedRequest): object =>
    req.model === 'gpt-5.5-mini' ? onHaiku(req) : { text: `answered by ${req.model}` };

describe('model: auto', () => {
  it.each([
    { rule: 'read-only-lookup', extra: { subagent_type: 'finder' }, model: 'gpt-5.5-mini', tier: 'haiku' },
    {
      rule: 'planning-agent',
      extra: { subagent_type: 'Plan', model: 'auto' },
      model: 'gpt-5.5',
      tier: 'sonnet',
    },
    {
      rule: 'large-change',
      extra: { model: 'auto', prompt: 'Migrate the handlers to the new router' },
      model: 'gpt-6.1-sol',
      tier: 'opus',
    },
    {
      rule: 'long-prompt',
      extra: { subagent_type: 'finder', prompt: `Explain this log:\n${'line\n'.repeat(1_500)}` },
      model: 'gpt-6.1-sol',
      tier: 'opus',
    },
    {
      rule: 'the default tier',
      extra: { model: 'auto', prompt: 'Fix the typo' },
      model: 'gpt-5.5',
      tier: 'sonnet',
    },
  ])('$rule: runs $tier and says why', async ({ rule, extra, model, tier }) => {
    await h.setup({}, () => ({ text: 'done' }));
    const result = await h.engine({ agents: AGENTS }).run(input(extra));
    expect(result.status).toBe('completed');
    expect(models()).toEqual([model]);
    expect(result.resolvedModel).toBe(`openai:${model}`);
    expect(result.routing).toEqual({
      requested: 'auto',
      chosen: tier,
      reason:
        rule === 'the default tier'
          ? 'no rule matched: the default tier (sonnet)'
          : expect.stringContaining(`'${rule}'`),
    });
  });

  it('takes modelRouting from the engine options: configured rules come first', async () => {
    await h.setup({}, () => ({ text: 'done' }));
    const engine = h.engine({
      agents: AGENTS,
      modelRouting: { rules: [{ name: 'deep', model: 'opus', keywords: ['thoroughly'] }] },
    });
    const result = await engine.run(input({ subagent_type: 'finder', prompt: 'Look thoroughly for main' }));
    expect(models()).toEqual(['gpt-6.1-sol']);
    expect(result.routing).toMatchObject({
      chosen: 'opus',
      reason: expect.stringMatching(/^rule 'deep' \(modelRouting/),
    });
  });

  it('leaves a pinned model alone and reports no routing', async () => {
    await h.setup({}, () => ({ text: 'done' }));
    const result = await h.engine({ agents: AGENTS }).run(input({ subagent_type: 'finder', model: 'opus' }));
    expect(models()).toEqual(['gpt-6.1-sol']);
    expect(result.routing).toBeUndefined();
  });
});

describe('model: auto escalation', () => {
  it('re-runs an empty answer on the next tier, which answers', async () => {
    await h.setup(
      {},
      cheapFails(() => ({ text: '' })),
    );
    const result = await h.engine({ agents: AGENTS }).run(input({ subagent_type: 'finder' }));
    expect(result.status).toBe('completed');
    expect(result.content).toBe('answered by gpt-5.5');
    expect(models()).toEqual(['gpt-5.5-mini', 'gpt-5.5']);
    expect(result.resolvedModel).toBe('openai:gpt-5.5');
    expect(result.routing).toEqual({
      requested: 'auto',
      chosen: 'sonnet',
      reason: expect.stringContaining("'read-only-lookup'"),
      escalatedFrom: 'haiku',
      escalationReason: expect.stringMatching(/^EmptyResult: /),
    });
    expect(result.modelsUsed.map((m) => m.model)).toEqual(['openai:gpt-5.5-mini', 'openai:gpt-5.5']);
  });

  it('re-runs a task that used all its turns, from the start, keeping the turns it took', async () => {
    await h.setup(
      { 'a.txt': 'A' },
      cheapFails((req) => ({
        text: `still looking ${req.turn}`,
        toolCalls: [{ name: 'Read', input: { file_path: 'a.txt' } }],
      })),
    );
    const result = await h.engine({ agents: AGENTS }).run(input({ subagent_type: 'looper' }));
    expect(result.status).toBe('completed');
    expect(models()).toEqual(['gpt-5.5-mini', 'gpt-5.5-mini', 'gpt-5.5']);
    // The stronger model starts from the prompt, not from the cheap one's conversation.
    expect(h.model.requests[2]!.messages).toHaveLength(1);
    expect(result.turns).toBe(3);
    expect(result.totalToolUseCount).toBe(2);
    expect(result.routing).toMatchObject({
      escalatedFrom: 'haiku',
      escalationReason: expect.stringMatching(/^MaxTurnsExceeded: /),
    });
  });

  it('re-runs after a model error on the cheap tier', async () => {
    await h.setup(
      {},
      cheapFails(() => ({ fault: { kind: 'status', status: 400 } })),
    );
    const result = await h.engine({ agents: AGENTS }).run(input({ subagent_type: 'finder' }));
    expect(result.status).toBe('completed');
    expect(models()).toEqual(['gpt-5.5-mini', 'gpt-5.5']);
    expect(result.routing).toMatchObject({
      chosen: 'sonnet',
      escalationReason: expect.stringMatching(/^Provider: .*400/),
    });
  });

  it('escalates once: when the stronger tier fails too, the task fails with its error', async () => {
    await h.setup({}, () => ({ text: '' }));
    const result = await h.engine({ agents: AGENTS }).run(input({ subagent_type: 'finder' }));
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ type: 'EmptyResult' });
    expect(models()).toEqual(['gpt-5.5-mini', 'gpt-5.5']);
    expect(result.resolvedModel).toBe('openai:gpt-5.5');
    expect(result.routing).toMatchObject({ chosen: 'sonnet', escalatedFrom: 'haiku' });
  });

  it('does not escalate a pinned model, with escalation off, or after a timeout', async () => {
    await h.setup(
      {},
      cheapFails(() => ({ text: '' })),
    );
    const pinned = await h.engine({ agents: AGENTS }).run(input({ subagent_type: 'cheap' }));
    expect(pinned.error).toMatchObject({ type: 'EmptyResult' });
    expect(models()).toEqual(['gpt-5.5-mini']);

    h.model.reset();
    const off = await h
      .engine({ agents: AGENTS, modelRouting: { escalation: false } })
      .run(input({ subagent_type: 'finder' }));
    expect(off.error).toMatchObject({ type: 'EmptyResult' });
    expect(off.routing).toEqual({ requested: 'auto', chosen: 'haiku', reason: expect.any(String) });
    expect(models()).toEqual(['gpt-5.5-mini']);

    h.model.reset();
    h.model.setHandler(cheapFails(() => ({ fault: { kind: 'hang' } })));
    const slow = await h.engine({ agents: AGENTS }).run(input({ subagent_type: 'slow' }));
    expect(slow.status).toBe('timed_out');
    expect(slow.routing).not.toHaveProperty('escalatedFrom');
    expect(models()).toEqual(['gpt-5.5-mini']);
  });
});
