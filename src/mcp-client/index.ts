/**
 * The subagents' MCP clients: the servers of a trusted workspace's `.mcp.json` and of agents'
 * `mcpServers`, started once per workspace and offered as `mcp__<server>__<tool>` tools.
 */
export {
  DEFAULT_CONNECTION_TIMEOUTS,
  McpClientPool,
  type McpClientPoolOptions,
  type McpToolProvider,
  mayUseServer,
  mcpToolName,
  type ProvidedTool,
  type ProvidedTools,
} from './mcp-client-pool.ts';
export { McpConfigError, type McpServerConfig } from './server-config.ts';
export type { ConnectionTimeouts } from './server-connection.ts';
export { agentMcpTrustItem, findMcpJson, mcpJsonTrustItem } from './server-sources.ts';
