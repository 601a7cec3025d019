import { describe, expect, it } from 'vitest';
import {
  BudgetExceededError,
  EmptyResultError,
  MaxTurnsExceededError,
  TaskCancelledError,
  TaskTimeoutError,
} from '../errors/index.ts';
import { type ProviderConfig, type ResolvedModel, resolveModel } from '../models/index.ts';
import { escalationReason, escalationTarget } from './model-escalation.ts';

const live = new AbortController().signal;

describe('escalationReason', () => {
  it('escalates on max turns, an empty answer and model errors', () => {
    expect(escalationReason(new MaxTurnsExceededError(5), live)).toMatch(/^MaxTurnsExceeded: /);
    expect(escalationReason(new EmptyResultError(), live)).toMatch(/^EmptyResult: /);
    expect(escalationReason(new Error('tool call JSON did not parse'), live)).toBe(
      'tool call JSON did not parse',
    );
  });

  it('does not escalate a cancelled, timed-out or over-budget task', () => {
    const aborted = AbortSignal.abort();
    expect(escalationReason(new EmptyResultError(), aborted)).toBeUndefined();
    expect(escalationReason(new TaskCancelledError(), live)).toBeUndefined();
    expect(escalationReason(new TaskTimeoutError(1000), live)).toBeUndefined();
    expect(
      escalationReason(
        new BudgetExceededError('spent', 'raise it', { budget: 'maxCostUsd', limit: 1, spent: 1 }),
        live,
      ),
    ).toBeUndefined();
  });
});

describe('escalationTarget', () => {
  const providers: ProviderConfig[] = [
    { id: 'openai', kind: 'openai', apiKey: 'k' },
    {
      id: 'local',
      kind: 'openai-compatible',
      baseURL: 'http://x',
      tiers: { haiku: 'small', sonnet: 'small' },
    },
  ];
  const routed = (tier: 'haiku' | 'sonnet' | 'opus', provider = 'openai'): ResolvedModel => {
    const resolved = resolveModel({ callModel: 'auto', callerModel: 'sonnet', env: {} }, providers, () => ({
      tier,
      reason: 'r',
    }));
    if (provider === 'openai') return resolved;
    return { ...resolved, provider: providers[1]!, modelId: 'small', spec: 'local:small' };
  };

  it('moves one tier up on the same provider and says why', () => {
    expect(escalationTarget(routed('haiku'), providers, 'EmptyResult: …')).toMatchObject({
      spec: 'openai:gpt-5.5',
      requested: 'auto',
      source: 'call',
      routing: { chosen: 'sonnet', reason: 'r', escalatedFrom: 'haiku', escalationReason: 'EmptyResult: …' },
    });
    expect(escalationTarget(routed('sonnet'), providers, 'x')?.spec).toBe('openai:gpt-6.1-sol');
  });

  it('does not escalate from the top tier, twice, or a model that was not routed', () => {
    expect(escalationTarget(routed('opus'), providers, 'x')).toBeUndefined();
    const once = escalationTarget(routed('haiku'), providers, 'x')!;
    expect(escalationTarget(once, providers, 'x')).toBeUndefined();
    const pinned = resolveModel({ callModel: 'haiku', callerModel: 'sonnet', env: {} }, providers);
    expect(escalationTarget(pinned, providers, 'x')).toBeUndefined();
  });

  it('skips a tier that runs the same model, and stops where the provider has no model for a tier', () => {
    // local: haiku and sonnet are both `small`, opus is not configured.
    expect(escalationTarget(routed('haiku', 'local'), providers, 'x')).toBeUndefined();
  });
});
