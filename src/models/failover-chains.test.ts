import { describe, expect, it } from 'vitest';
import { ModelConfigError } from '../errors/index.ts';
import type { ProviderConfig } from '../providers/index.ts';
import { resolveModel } from '../providers/index.ts';
import { failoverCandidates, parseFailoverChains } from './failover-chains.ts';

const providers: ProviderConfig[] = [
  { id: 'anthropic', kind: 'anthropic' },
  { id: 'openai', kind: 'openai' },
];
const chains = {
  sonnet: ['anthropic:claude-sonnet-5', 'openai:gpt-5.5', 'google:gemini-3-flash'],
  'claude-haiku-4-5': ['openai:gpt-5-mini'],
};
const specs = (requested: string, failover = true) =>
  failoverCandidates(resolveModel({ callerModel: requested, env: {} }, providers), providers, chains, {
    failover,
  }).map((c) => c.spec);

describe('failover chains', () => {
  it('puts the resolved model first and skips candidates of unconfigured providers', () => {
    expect(specs('sonnet')).toEqual(['anthropic:claude-sonnet-5', 'openai:gpt-5.5']);
  });

  it('finds a chain by what was asked for, the resolved provider:model, or the model id', () => {
    expect(specs('haiku')).toEqual(['anthropic:claude-haiku-4-5', 'openai:gpt-5-mini']);
    expect(specs('anthropic:claude-haiku-4-5')).toEqual(specs('haiku'));
    // A chain keyed by the alias is not one for the full id: asking for the id pins it.
    expect(specs('claude-sonnet-5')).toEqual(['anthropic:claude-sonnet-5']);
  });

  it('never substitutes a model without a chain, or when failover is off', () => {
    expect(specs('opus')).toEqual(['anthropic:claude-opus-4-8']);
    expect(specs('sonnet', false)).toEqual(['anthropic:claude-sonnet-5']);
  });

  it('parses chains from an env var or flag value, and names a bad part', () => {
    expect(
      parseFailoverChains('sonnet=anthropic:claude-sonnet-5, openai:gpt-5.5; haiku=openai:gpt-5-mini'),
    ).toEqual({
      sonnet: ['anthropic:claude-sonnet-5', 'openai:gpt-5.5'],
      haiku: ['openai:gpt-5-mini'],
    });
    expect(() => parseFailoverChains('sonnet')).toThrow(ModelConfigError);
  });
});
