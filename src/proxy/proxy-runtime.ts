import type { RuntimeSettings } from '../config/index.ts';
import { TaskEngine, type TaskInput, type TaskOptions, type TaskResult } from '../engine/index.ts';
import { McpClientPool } from '../mcp/index.ts';
import { createKeepAliveFetch, type ProviderConfig } from '../models/index.ts';
import { type Observability, type ObserveOptions, observe } from '../observe/index.ts';
import { credentialFetch, FORWARDED_KEY } from './upstream-credentials.ts';
import type { UpstreamBase } from './upstream-target.ts';

/** Provider id of the proxy's upstream: `inherit` means `upstream:<the Codex request's model>`. */
export const UPSTREAM_PROVIDER = 'upstream';

export interface ProxyRuntime {
  readonly engine: TaskEngine;
  readonly observability: Observability;
  /** The upstream as a provider (`upstream:<model>`), reached with each parent request's credentials. */
  readonly upstreamProvider: ProviderConfig;
  /** Starts a task at once (recorded with the client's call id) and returns its id. */
  start(
    input: TaskInput,
    options: TaskOptions,
    caller: { callId: string },
  ): { taskId: string; result: Promise<TaskResult> };
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
  const pool = new McpClientPool({ env: settings.engine.env });
  const engine = new TaskEngine({
    ...settings.engine,
    providers: [...settings.engine.providers.filter((p) => p.id !== UPSTREAM_PROVIDER), upstreamProvider],
    fetch: credentialFetch(createKeepAliveFetch()),
    toolProvider: pool,
  });
  const observability = observe(engine, { metrics: true, ...observeOptions });
  let closed: Promise<void> | undefined;
  return {
    engine,
    observability,
    upstreamProvider,
    start: (input, options, caller) => observability.start(input, options, caller),
    close: () => {
      closed ??= (async () => {
        engine.close();
        await observability.close();
      })();
      return closed;
    },
  };
}
