import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The parent request's credentials, for the subagents it starts. A subagent with `model: inherit`
 * calls the same upstream as the Codex request that started it, with the same Authorization (the
 * proxy holds no key of its own). The engine is shared by every client, so the header travels in
 * the task's async context, and the provider's `fetch` puts it on requests to the upstream.
 */
const context = new AsyncLocalStorage<{ authorization: string | undefined }>();

/** Placeholder key for the upstream provider (the AI SDK wants one); replaced on every request. */
export const FORWARDED_KEY = 'codex-task-proxy-forwards-the-client-authorization';

export function withCredentials<T>(authorization: string | undefined, fn: () => T): T {
  return context.run({ authorization }, fn);
}

/**
 * Wraps `fetch` so the upstream provider's requests (those with the placeholder key) carry the
 * calling context's Authorization, or none. Other providers' requests are left alone, even to the
 * same host.
 */
export function credentialFetch(inner: typeof globalThis.fetch): typeof globalThis.fetch {
  return ((input: string | URL | Request, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (headers.get('authorization') !== `Bearer ${FORWARDED_KEY}`) return inner(input, init);
    const authorization = context.getStore()?.authorization;
    if (authorization) headers.set('authorization', authorization);
    else headers.delete('authorization');
    return inner(input, { ...init, headers: Object.fromEntries(headers.entries()) });
  }) as typeof globalThis.fetch;
}
