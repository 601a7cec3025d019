/** USD per million tokens. Cache rates default to the input rate when a vendor does not list them. */
export interface ModelPrice {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

/**
 * List prices (USD per million tokens, standard tier, short context), keyed by model id; config
 * `prices` (keyed by `provider:model` or model id) overrides them. Only figures read from the vendors'
 * price pages are here: a model missing from this table reports tokens and `costUsd: null`, never
 * a guess. Dated snapshots (`…-20250929`, `…-2025-08-07`) use their base id's price.
 * Sources: platform.claude.com/docs/en/about-claude/pricing and the model overview pages (Anthropic,
 * read 2026); OpenAI's pricing page as quoted in June 2026 (gpt-5.5) and at launch (gpt-5 family);
 * ai.google.dev/gemini-api/docs/pricing (Gemini; not re-read for this table: verify before billing).
 * gpt-5.5-mini, gpt-6.1-sol and gemini-3-flash-lite (alias targets) have no confirmed price yet.
 *
 * Cache rates, as the vendors bill the usage the AI SDK reports (`cacheRead`, `cacheWrite`):
 * - Anthropic: writes 1.25× input (the 5-minute TTL we ask for; 1-hour writes would be 2×), reads
 *   0.1× input (the pricing page above, "Prompt caching"; the same multipliers for every model).
 * - OpenAI: cached input 0.1× input for the gpt-5 family and gpt-5.5 (the pricing page's "Cached
 *   input" column); no write charge before GPT-5.6 (writes are then 1.25×: developers.openai.com/
 *   api/docs/guides/prompt-caching), so `cacheWrite` is the input rate.
 * - Google: implicit caching reads at the pricing page's "context caching" rate (0.1× input), with no
 *   write or storage charge; Gemini never reports writes.
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  // Anthropic: cache write = the 5-minute rate (the default TTL).
  'claude-fable-5': { input: 10, output: 50, cacheRead: 1, cacheWrite: 12.5 },
  'claude-opus-5': { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  'claude-opus-4-8': { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  'claude-opus-4-7': { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  'claude-opus-4-6': { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  'claude-opus-4-5': { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  'claude-opus-4-1': { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
  'claude-sonnet-5': { input: 2, output: 10, cacheRead: 0.2, cacheWrite: 2.5 },
  'claude-sonnet-4-6': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'claude-sonnet-4-5': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'claude-sonnet-4': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  'claude-haiku-4-5': { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
  // OpenAI: cached input is the cache-read rate; there is no cache-write charge.
  'gpt-5.5': { input: 5, output: 30, cacheRead: 0.5, cacheWrite: 5 },
  'gpt-5': { input: 1.25, output: 10, cacheRead: 0.125, cacheWrite: 1.25 },
  'gpt-5-mini': { input: 0.25, output: 2, cacheRead: 0.025, cacheWrite: 0.25 },
  'gpt-5-nano': { input: 0.05, output: 0.4, cacheRead: 0.005, cacheWrite: 0.05 },
  // Google: prompts up to 200k tokens.
  'gemini-3-pro': { input: 2, output: 12, cacheRead: 0.2 },
  'gemini-3-flash': { input: 0.5, output: 3, cacheRead: 0.05 },
  'gemini-2.5-pro': { input: 1.25, output: 10, cacheRead: 0.125 },
  'gemini-2.5-flash': { input: 0.3, output: 2.5, cacheRead: 0.03 },
  'gemini-2.5-flash-lite': { input: 0.1, output: 0.4, cacheRead: 0.01 },
};
