import type { ModelAlias, ProviderKind } from './provider-config.ts';

/**
 * What Claude Code's aliases mean on each vendor. Anthropic's column is Claude Code's own mapping
 * (docs/compatibility.md); the others are the nearest tier, so unchanged agent files run for a user with only
 * an OpenAI or Gemini key. Override per provider with `tiers` in config.
 */
export const ALIAS_TABLE: Record<Exclude<ProviderKind, 'openai-compatible'>, Record<ModelAlias, string>> = {
  anthropic: {
    haiku: 'claude-haiku-4-5',
    sonnet: 'claude-sonnet-5',
    opus: 'claude-opus-4-8',
    fable: 'claude-fable-5',
  },
  openai: {
    haiku: 'gpt-5.5-mini',
    sonnet: 'gpt-5.5',
    opus: 'gpt-6.1-sol',
    fable: 'gpt-6.1-sol',
  },
  google: {
    haiku: 'gemini-3-flash-lite',
    sonnet: 'gemini-3-flash',
    opus: 'gemini-3-pro',
    fable: 'gemini-3-pro',
  },
};

/** Which vendor a bare model id belongs to, by its well-known prefix. */
export function vendorOfModelId(modelId: string): ProviderKind | undefined {
  if (/^claude-/i.test(modelId)) return 'anthropic';
  if (/^(gpt-|o\d|codex-|chatgpt-)/i.test(modelId)) return 'openai';
  if (/^(gemini-|gemma-)/i.test(modelId)) return 'google';
  return undefined;
}
