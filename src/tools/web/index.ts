/** WebFetch's network side: the SSRF guard (address policy + guarded connections) and the page reader. */
export { classifyAddress } from './address-policy.ts';
export { type FetchedPage, type FetchLimits, fetchPage, parseWebUrl } from './fetch-page.ts';
export { createGuardedAgent, type ResolveHost, systemResolve } from './guarded-agent.ts';
export { htmlToMarkdown } from './html-to-markdown.ts';
