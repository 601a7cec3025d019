/**
 * Model calls a tool makes on its subagent's behalf (WebFetch applying its prompt, WebSearch). The
 * engine creates them from the subagent's own provider, through the same gateway (retries, circuit
 * breakers, usage and cost) as the subagent's turns; the tools never build a model themselves.
 */
export interface ToolModelHooks {
  /** Applies WebFetch's `prompt` to a page with the fast model; absent = pages are returned raw. */
  summarize?: (content: string, prompt: string, signal: AbortSignal) => Promise<string>;
  /** Runs the provider-native web search of the subagent's model; absent outside the engine. */
  webSearch?: (request: WebSearchRequest, signal: AbortSignal) => Promise<WebSearchResult>;
}

export interface WebSearchRequest {
  query: string;
  allowedDomains?: string[];
  blockedDomains?: string[];
}

export interface WebSearchResult {
  /** What the searching model wrote from the results. */
  text: string;
  sources: { url: string; title?: string }[];
}
