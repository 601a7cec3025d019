import { describe, expect, it } from 'vitest';
import type { ProviderConfig } from '../providers/index.ts';
import { providerSearchTool } from './provider-search-tool.ts';

const anthropic: ProviderConfig = { id: 'anthropic', kind: 'anthropic' };
const openai: ProviderConfig = { id: 'openai', kind: 'openai' };
const google: ProviderConfig = { id: 'google', kind: 'google' };

/** The vendor's own search tool each provider is given (what goes into the request), or why none. */
describe('providerSearchTool', () => {
  it('Anthropic: web_search_20250305 with max_uses and the domain filters', () => {
    expect(
      providerSearchTool(anthropic, {
        maxUses: 3,
        allowedDomains: ['a.example'],
        blockedDomains: ['b.example'],
      }),
    ).toMatchObject({
      name: 'web_search',
      tool: {
        id: 'anthropic.web_search_20250305',
        args: { maxUses: 3, allowedDomains: ['a.example'], blockedDomains: ['b.example'] },
      },
    });
    expect(providerSearchTool(anthropic, { maxUses: 1 })).toMatchObject({ tool: { args: { maxUses: 1 } } });
    expect(providerSearchTool(anthropic, { maxUses: 1 })).not.toHaveProperty('tool.args.allowedDomains');
  });

  it('OpenAI Responses: web_search, with filters only when a domain list is given', () => {
    expect(providerSearchTool(openai, { maxUses: 5 })).toMatchObject({
      name: 'web_search',
      tool: { id: 'openai.web_search', args: {} },
    });
    expect(providerSearchTool(openai, { maxUses: 5, blockedDomains: ['b.example'] })).toMatchObject({
      tool: { id: 'openai.web_search', args: { filters: { blockedDomains: ['b.example'] } } },
    });
    expect(providerSearchTool(openai, { maxUses: 5, allowedDomains: ['a.example'] })).toMatchObject({
      tool: { args: { filters: { allowedDomains: ['a.example'] } } },
    });
  });

  it('Gemini: Google Search grounding, which cannot honour a domain filter', () => {
    expect(providerSearchTool(google, { maxUses: 5 })).toMatchObject({
      name: 'google_search',
      tool: { id: 'google.google_search' },
    });
    expect(providerSearchTool(google, { maxUses: 5, allowedDomains: ['a.example'] })).toEqual({
      unsupported:
        "Google Search grounding (provider 'google') has no domain filter, so allowed_domains/blocked_domains cannot be honoured",
      hint: 'Search without allowed_domains/blocked_domains, or put the site in the query (e.g. "site:example.com …").',
    });
  });

  it('no search on Chat Completions or an OpenAI-compatible server, with what to do instead', () => {
    expect(providerSearchTool({ id: 'oc', kind: 'openai', api: 'chat' }, { maxUses: 5 })).toEqual({
      unsupported:
        "the provider 'oc' is configured for OpenAI's Chat Completions API, which has no web search tool",
      hint: 'Use the Responses API for this provider (unset CODEX_TASK_OPENAI_API=chat, or `api: "responses"` in config).',
    });
    expect(providerSearchTool({ id: 'local', kind: 'openai-compatible' }, { maxUses: 5 })).toEqual({
      unsupported: "the OpenAI-compatible provider 'local' has no provider-native web search",
      hint: 'Give this agent a model of a provider with web search (Anthropic, OpenAI Responses, Google), or answer without searching.',
    });
  });
});
