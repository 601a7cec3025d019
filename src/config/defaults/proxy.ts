/** Defaults of `codex-task proxy` (config `proxy.*`, env `CODEX_TASK_PROXY_*`, flags). */
export const PROXY_DEFAULTS = {
  host: '127.0.0.1',
  port: 10000,
  /** Where requests go; any Responses-API-compatible base URL (config `proxy.upstream`). */
  upstream: 'https://api.openai.com/v1',
  /** The path clients use as their base URL (`http://127.0.0.1:10000/v1`); mapped onto the upstream's path. */
  basePath: '/v1',
  /** Add the Task tool to every POST /responses (config `proxy.injectTask: false` turns it off). */
  injectTask: true,
  /** Codex resends the whole history on every request: bodies of a long session reach megabytes. */
  bodyLimitBytes: 32 * 1024 * 1024,
  /** While subagents run, an event this often keeps Codex's stream idle timeout (default 300 s) from firing. */
  keepAliveMs: 5_000,
  /** Open connections to the upstream (one keep-alive pool). */
  upstreamConnections: 128,
  /** Upstream connect bound, and the longest silence before headers or between body chunks. */
  upstreamConnectTimeoutMs: 10_000,
  upstreamIdleTimeoutMs: 300_000,
  /** Header a client sends the proxy token in (Authorization carries the upstream's key, untouched). */
  tokenHeader: 'x-codex-task-token',
} as const;
