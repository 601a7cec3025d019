import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICES } from '../config/defaults/index.ts';
import { costOf, priceFor } from './pricing.ts';

describe('pricing', () => {
  it('prices uncached input, cache reads and writes, and output separately', () => {
    const price = { input: 2, output: 10, cacheRead: 0.2, cacheWrite: 2.5 };
    const usage = {
      inputTokens: 1_000_000,
      outputTokens: 100_000,
      cacheReadTokens: 500_000,
      cacheWriteTokens: 100_000,
    };
    // 400k × 2 + 500k × 0.2 + 100k × 2.5 + 100k × 10, per million
    expect(costOf(usage, price)).toBeCloseTo(0.8 + 0.1 + 0.25 + 1, 10);
  });

  it('finds config prices by provider:model, then model id, then the shipped table and its snapshots', () => {
    const prices = { 'gateway:claude-sonnet-5': { input: 9, output: 9 } };
    expect(priceFor('gateway:claude-sonnet-5', 'claude-sonnet-5', prices)?.input).toBe(9);
    expect(priceFor('anthropic:claude-sonnet-5', 'claude-sonnet-5', prices)?.input).toBe(2);
    expect(priceFor('anthropic:claude-sonnet-4-5-20250929', 'claude-sonnet-4-5-20250929')?.input).toBe(3);
  });

  it('ships cache rates the vendors document: Anthropic writes 1.25× and reads 0.1× input, the others read below input', () => {
    for (const [model, price] of Object.entries(DEFAULT_PRICES)) {
      expect(price.cacheRead, model).toBeLessThan(price.input);
      if (model.startsWith('claude-')) {
        expect(price.cacheWrite, model).toBeCloseTo(price.input * 1.25, 10);
        expect(price.cacheRead, model).toBeCloseTo(price.input * 0.1, 10);
      } else expect(price.cacheWrite ?? price.input, model).toBe(price.input);
    }
  });

  it('reports an unknown model as null, never a guess (not even a sibling model’s price)', () => {
    expect(priceFor('openai:gpt-5-nano-x', 'gpt-5-nano-x')).toBeUndefined();
    expect(
      costOf({ inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 }, undefined),
    ).toBeNull();
  });
});
