/**
 * The MCP surface: `codex-task mcp` serves a `Task` tool (Claude Code's schema, our agents) to any
 * MCP client — Codex CLI first — over stdio or streamable HTTP, with progress, cancellation and
 * Codex's thread/call correlation; `TaskOutput` reads background agents and `SendMessage` continues
 * an agent. `install codex` writes the server into Codex's config.toml.
 */
export { type CallMeta, parseCallMeta } from './call-meta.ts';
export {
  type ApplyResult,
  applyCodexEntry,
  CodexConfigError,
  type CodexEntryOptions,
  codexEntry,
  DEFAULT_SERVER_NAME,
  renderCodexEntry,
  serverVariables,
} from './install/codex-entry.ts';
export { type ProbeOptions, type ProbeResult, probeServer, warmUpServer } from './install/warm-up.ts';
export { createMcpServer, SERVER_NAME } from './mcp-server.ts';
export { RESULT_META_KEY } from './result-meta.ts';
export { type HttpMcpServer, type HttpServeOptions, serveHttp, serveStdio } from './serve.ts';
export type { TaskCallContext } from './task-call.ts';
export {
  createEngineRuntime,
  type RuntimeLoader,
  type TaskRuntime,
} from './task-runtime.ts';
export { DEFAULT_WATCH_INTERVAL_MS, TaskService, type TaskServiceOptions } from './task-service.ts';
// Types only: the values behind them load after the handshake (start-up budget, see TaskService).
export type { TaskToolDefinition, TaskToolName } from './task-tool.ts';
