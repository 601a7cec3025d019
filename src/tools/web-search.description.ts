export const WEB_SEARCH_DESCRIPTION = `Searches the web and returns what was found, with links to the sources.

Usage:
- query is what you would type into a search engine; be specific.
- allowed_domains limits results to those sites; blocked_domains excludes sites (give one or the other, not both). Domains are written without a scheme: example.com (subdomains included).
- The search runs on your model provider's own web search (Anthropic web search, OpenAI web search, Google Search grounding). Where the provider has none, the tool says so.
- Use it for current information beyond your knowledge: recent releases, documentation, error messages. Cite the links you rely on in your answer.
- To read a page found here, use WebFetch with its URL.`;

/** What the searching model gets: the query, and what to bring back from the results. */
export function webSearchPromptMessage(query: string): string {
  return `Search the web for: ${query}

Run the search, then report what the results say about it: the relevant facts, versions and dates, each with the source it came from. Do not answer from memory.`;
}
