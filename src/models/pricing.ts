import { DEFAULT_PRICES, type ModelPrice } from '../config/defaults/index.ts';

/** Tokens of one model call, as every vendor's usage is mapped by the AI SDK. */
export interface CallUsage {
  /** All input tokens, cached ones included. */
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/** The AI SDK's provider-level usage (LanguageModelV4Usage), the fields we read. */
export interface ProviderUsage {
  inputTokens: {
    total: number | undefined;
    noCache: number | undefined;
    cacheRead: number | undefined;
    cacheWrite: number | undefined;
  };
  outputTokens: { total: number | undefined };
}

export function toCallUsage(usage: ProviderUsage | undefined): CallUsage {
  return {
    inputTokens: usage?.inputTokens.total ?? 0,
    outputTokens: usage?.outputTokens.total ?? 0,
    cacheReadTokens: usage?.inputTokens.cacheRead ?? 0,
    cacheWriteTokens: usage?.inputTokens.cacheWrite ?? 0,
  };
}

const SNAPSHOT_SUFFIX = /-(\d{8}|\d{4}-\d{2}-\d{2}|latest)$/;

/**
 * The price of a model: config prices by `provider:model`, then by model id, then the shipped table;
 * a dated snapshot id falls back to its base id. `undefined` = unknown (cost is reported as null).
 */
export function priceFor(
  spec: string,
  modelId: string,
  prices: Readonly<Record<string, ModelPrice>> = {},
): ModelPrice | undefined {
  const base = modelId.replace(SNAPSHOT_SUFFIX, '');
  return prices[spec] ?? prices[modelId] ?? prices[base] ?? DEFAULT_PRICES[modelId] ?? DEFAULT_PRICES[base];
}

/** USD for one call; null when the price is unknown (never a made-up number). */
export function costOf(usage: CallUsage, price: ModelPrice | undefined): number | null {
  if (!price) return null;
  const uncached = Math.max(0, usage.inputTokens - usage.cacheReadTokens - usage.cacheWriteTokens);
  const micro =
    uncached * price.input +
    usage.cacheReadTokens * (price.cacheRead ?? price.input) +
    usage.cacheWriteTokens * (price.cacheWrite ?? price.input) +
    usage.outputTokens * price.output;
  return micro / 1_000_000;
}
