import { z } from 'zod';
import { ToolExecutionError } from '../errors/index.ts';
import { defineTool } from './define-tool.ts';
import type { WebSearchResult } from './model-hooks.ts';
import type { ToolSpec } from './types.ts';
import { WEB_SEARCH_DESCRIPTION } from './web-search.description.ts';

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'a bare domain such as example.com (no scheme, no path)');

const inputSchema = z
  .object({
    query: z.string().trim().min(2).describe('The search query to use'),
    allowed_domains: z.array(domain).optional().describe('Only include search results from these domains'),
    blocked_domains: z.array(domain).optional().describe('Never include search results from these domains'),
  })
  .refine((input) => !(input.allowed_domains?.length && input.blocked_domains?.length), {
    message: 'Give allowed_domains or blocked_domains, not both.',
    path: ['blocked_domains'],
  });
export type WebSearchInput = z.infer<typeof inputSchema>;

/**
 * Claude Code's WebSearch: the model asks with `query` (and domain filters); the search itself is
 * the provider-native one of the subagent's model, run by the engine (`ctx.webSearch`).
 */
export const webSearchTool: ToolSpec<WebSearchInput> = defineTool<WebSearchInput>({
  name: 'WebSearch',
  description: WEB_SEARCH_DESCRIPTION,
  inputSchema,
  readOnly: true,
  async execute(input, ctx) {
    if (!ctx.webSearch) {
      throw new ToolExecutionError(
        'WebSearch needs a model provider to search with, and none was given to this tool.',
        'Run it inside a subagent (the engine connects it to the subagent’s model).',
      );
    }
    const result = await ctx.webSearch(
      {
        query: input.query,
        ...(input.allowed_domains?.length ? { allowedDomains: input.allowed_domains } : {}),
        ...(input.blocked_domains?.length ? { blockedDomains: input.blocked_domains } : {}),
      },
      ctx.signal,
    );
    return formatResults(input, result);
  },
});

/** Drops sources outside the domain filters, whatever the vendor returned, and lays the rest out. */
function formatResults(input: WebSearchInput, result: WebSearchResult): string {
  const seen = new Set<string>();
  const links = result.sources.filter((source) => {
    if (seen.has(source.url)) return false;
    seen.add(source.url);
    return withinFilters(source.url, input);
  });
  const list = links.length
    ? links.map((s, i) => `${i + 1}. ${s.title ? `[${s.title}](${s.url})` : s.url}`).join('\n')
    : '(no links returned)';
  return `Web search results for query: "${input.query}"\n\n${result.text.trim()}\n\nLinks:\n${list}`;
}

function withinFilters(url: string, input: WebSearchInput): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  const matches = (domains: string[]) => domains.some((d) => host === d || host.endsWith(`.${d}`));
  if (input.allowed_domains?.length && !matches(input.allowed_domains)) return false;
  if (input.blocked_domains?.length && matches(input.blocked_domains)) return false;
  return true;
}
