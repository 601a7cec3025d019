import type { RuntimeSettings } from '../config/index.ts';
import type { TaskEngine } from '../engine/index.ts';
import { createKeepAliveFetch, type ProviderConfig } from '../models/index.ts';
import type { Observability, ObserveOptions } from '../observe/index.ts';
import { createRuntime, type RuntimeQueue } from '../runtime/index.ts';
import { credentialFetch, FORWARDED_KEY } from './upstream-credentials.ts';
import type { UpstreamBase } from './upstream-target.ts';

/** Provider id of the proxy's upstream: `inherit` means `upstream:<the Codex request's model>`. */
export const UPSTREAM_PROVIDER = 'upstream';

export interface ProxyRuntime {
  readonly engine: TaskEngine;
  readonly observability: Observability;
  /** The upstream as a provider (`upstream:<model>`), reached with each parent request's credentials. */
  readonly upstreamProvider: ProviderConfig;
  /** The configured queue, shown by the dashboard; the proxy's own Task calls run in this process. */
  readonly queue: RuntimeQueue | undefined;
  close(): Promise<void>;
}

/**
 * The engine behind the proxy's Task calls: the configured providers plus the upstream itself
 * (reached with each parent request's credentials), MCP tools for subagents, and observability —
 * run records (results survive a restart), logs and the metrics /metrics serves.
 */
export function createProxyRuntime(
  settings: RuntimeSettings,
  upstream: UpstreamBase,
  observeOptions: ObserveOptions = {},
): ProxyRuntime {
  const upstreamProvider: ProviderConfig = {
    id: UPSTREAM_PROVIDER,
    kind: 'openai',
    baseURL: upstream.href,
    api: 'responses',
    apiKey: FORWARDED_KEY,
  };
  const runtime = createRuntime({
    engine: {
      ...settings.engine,
      providers: [...settings.engine.providers.filter((p) => p.id !== UPSTREAM_PROVIDER), upstreamProvider],
      fetch: credentialFetch(createKeepAliveFetch()),
    },
    observe: { metrics: true, ...observeOptions },
    // Task calls run here even with a queue: they call Codex's upstream with the Authorization of
    // the Codex request that made them, which must not travel through Redis to workers (nor do
    // workers have it). The dashboard still shows the queue.
    queue: 'overview',
  });
  // observe is on (not false) above, so observability is always there.
  const observability = runtime.observability as Observability;
  return {
    engine: runtime.engine,
    observability,
    upstreamProvider,
    queue: runtime.queue,
    close: () => runtime.close(),
  };
}
