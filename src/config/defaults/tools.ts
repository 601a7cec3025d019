/** Limits of the built-in tools (tools/); the WebFetch ones are settings too (config `webFetch.*`). */
export const TOOL_DEFAULTS = {
  bashDefaultTimeoutMs: 120_000,
  bashMaxTimeoutMs: 600_000,
  bashOutputLimitBytes: 30_000,
  readDefaultLines: 2_000,
  /** Read refuses files larger than this (streaming keeps memory flat, but paging deep into one would crawl). */
  readMaxFileBytes: 64 * 1024 * 1024,
  resultLimitChars: 50_000,
  webFetchMaxBytes: 10 * 1024 * 1024,
  webFetchTimeoutMs: 30_000,
  webFetchConnectTimeoutMs: 10_000,
  webFetchMaxRedirects: 10,
  webFetchMaxContentChars: 100_000,
} as const;

/** WebFetch and WebSearch (tools/web-fetch.ts, tools/web-search.ts). */
export const WEB_TOOL_DEFAULTS = {
  /** false: WebFetch returns the page's Markdown itself and ignores `prompt` (no extra model call). */
  applyPrompt: true,
  /**
   * The model that applies WebFetch's `prompt`: an alias is taken on the subagent's own provider
   * (a cheap model of the same vendor); `provider:model` names one exactly. A provider with no
   * model for the alias (an OpenAI-compatible server without tiers) uses the subagent's model.
   */
  fetchModel: 'haiku',
  /** Searches the vendor may run for one WebSearch call (Anthropic's `max_uses`). */
  searchMaxUses: 5,
} as const;

/** WebFetch's HTML → Markdown worker threads (tools/web/markdown-converter.ts), shared by the process. */
export const WEB_CONVERTER_DEFAULTS = {
  /** At most this many, and one fewer than the CPUs (the engine's own thread keeps one). */
  maxThreads: 2,
  /** Heap of one converter thread: turndown needs about 90 MB per MB of HTML (measured). */
  maxMemoryMb: 1024,
} as const;
