import type { IdGenerator } from './ids.ts';
import type { ScriptedWebSearch } from './types.ts';

/**
 * A server-side web search in each vendor's exact shape, for replies that set `webSearch`: the
 * vendor ran the search inside the same response, and the model's text follows its results.
 * Chat Completions has no such tool, so that format ignores it.
 */

/** Anthropic: a `server_tool_use` block and its `web_search_tool_result`, before the text. */
export function anthropicSearchBlocks(search: ScriptedWebSearch, ids: IdGenerator) {
  const id = ids.next('srvtoolu_');
  return [
    { type: 'server_tool_use', id, name: 'web_search', input: { query: search.query } },
    {
      type: 'web_search_tool_result',
      tool_use_id: id,
      content: search.results.map((result) => ({
        type: 'web_search_result',
        url: result.url,
        title: result.title,
        // Opaque to clients; the real API sends the page text encrypted for the model's later turns.
        encrypted_content: Buffer.from(result.snippet ?? result.title).toString('base64'),
        page_age: null,
      })),
    },
  ];
}

/** Anthropic counts server tool uses in `usage.server_tool_use`. */
export function anthropicSearchUsage(search: ScriptedWebSearch | undefined) {
  return search ? { server_tool_use: { web_search_requests: 1 } } : {};
}

/** OpenAI Responses: a completed `web_search_call` output item before the message. */
export function responsesSearchItem(search: ScriptedWebSearch, ids: IdGenerator): Record<string, unknown> {
  return {
    id: ids.next('ws_'),
    type: 'web_search_call',
    status: 'completed',
    action: {
      type: 'search',
      query: search.query,
      sources: search.results.map((result) => ({ type: 'url', url: result.url })),
    },
  };
}

/** OpenAI Responses: the message text cites each result (`url_citation` annotations). */
export function responsesCitations(search: ScriptedWebSearch | undefined, text: string) {
  return (search?.results ?? []).map((result) => ({
    type: 'url_citation',
    url: result.url,
    title: result.title,
    start_index: 0,
    end_index: text.length,
  }));
}

/** Gemini: the candidate's `groundingMetadata` (the searches run and the pages grounding the text). */
export function geminiGrounding(search: ScriptedWebSearch | undefined) {
  if (!search) return {};
  return {
    groundingMetadata: {
      webSearchQueries: [search.query],
      searchEntryPoint: { renderedContent: `<div class="search-entry">${search.query}</div>` },
      groundingChunks: search.results.map((result) => ({ web: { uri: result.url, title: result.title } })),
      groundingSupports: [],
    },
  };
}
