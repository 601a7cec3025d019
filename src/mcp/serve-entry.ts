/**
 * What `codex-task mcp` needs before the handshake, and nothing more. `index.ts` also carries the
 * MCP client pool and the `install` code (smol-toml, the Codex config editor), which Codex's ~1 s
 * start-up window (docs/compatibility.md) should not pay for: the CLI imports this module instead.
 */
export { serveHttp, serveStdio } from './serve.ts';
export { createEngineRuntime } from './task-runtime.ts';
export { TaskService } from './task-service.ts';
