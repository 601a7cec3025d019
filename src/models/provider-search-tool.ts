import { anthropic } from '@ai-sdk/anthropic';
import { google } from '@ai-sdk/google';
import { openai } from '@ai-sdk/openai';
import type { Tool } from 'ai';
import type { ProviderConfig } from '../providers/index.ts';

export interface SearchToolOptions {
  allowedDomains?: string[];
  blockedDomains?: string[];
  /** Searches one call may run (Anthropic's `max_uses`; the others have no such setting). */
  maxUses: number;
}

export type SearchTool =
  | { name: string; tool: Tool }
  /** The provider cannot search (or not with these options): why, and what to do instead. */
  | { unsupported: string; hint: string };

/**
 * The vendor's own web search as an AI SDK provider-defined tool, executed by the vendor in the same
 * request: Anthropic's `web_search_20250305` (every Claude model with search has it), OpenAI's
 * Responses `web_search`, Gemini's Google Search grounding. The key is the name the vendor expects.
 */
export function providerSearchTool(provider: ProviderConfig, options: SearchToolOptions): SearchTool {
  const { allowedDomains, blockedDomains } = options;
  switch (provider.kind) {
    case 'anthropic':
      return {
        name: 'web_search',
        tool: anthropic.tools.webSearch_20250305({
          maxUses: options.maxUses,
          ...(allowedDomains ? { allowedDomains } : {}),
          ...(blockedDomains ? { blockedDomains } : {}),
        }),
      };
    case 'openai':
      if (provider.api === 'chat') {
        return {
          unsupported: `the provider '${provider.id}' is configured for OpenAI's Chat Completions API, which has no web search tool`,
          hint: 'Use the Responses API for this provider (unset CODEX_TASK_OPENAI_API=chat, or `api: "responses"` in config).',
        };
      }
      return {
        name: 'web_search',
        tool: openai.tools.webSearch(
          allowedDomains || blockedDomains
            ? {
                filters: {
                  ...(allowedDomains ? { allowedDomains } : {}),
                  ...(blockedDomains ? { blockedDomains } : {}),
                },
              }
            : {},
        ),
      };
    case 'google':
      if (allowedDomains || blockedDomains) {
        return {
          unsupported: `Google Search grounding (provider '${provider.id}') has no domain filter, so allowed_domains/blocked_domains cannot be honoured`,
          hint: 'Search without allowed_domains/blocked_domains, or put the site in the query (e.g. "site:example.com …").',
        };
      }
      return { name: 'google_search', tool: google.tools.googleSearch({}) };
    case 'openai-compatible':
      return {
        unsupported: `the OpenAI-compatible provider '${provider.id}' has no provider-native web search`,
        hint: 'Give this agent a model of a provider with web search (Anthropic, OpenAI Responses, Google), or answer without searching.',
      };
  }
}
