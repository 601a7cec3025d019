/**
 * WebFetch's network side (the SSRF guard and the page reader) and its HTML → Markdown converter.
 * turndown itself is loaded by the converter's worker threads only, never by the engine's thread.
 */
export { classifyAddress } from './address-policy.ts';
export { type FetchedPage, type FetchLimits, fetchPage, parseWebUrl } from './fetch-page.ts';
export { createGuardedAgent, type ResolveHost, systemResolve } from './guarded-agent.ts';
export {
  MarkdownConverter,
  type MarkdownConverterOptions,
  sharedMarkdownConverter,
} from './markdown-converter.ts';
