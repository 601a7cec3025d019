import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import { parseCallMeta } from './call-meta.ts';
import { SERVER_INSTRUCTIONS } from './mcp-server.instructions.ts';
import type { TaskService } from './task-service.ts';

export const SERVER_NAME = 'codex-task';

/**
 * One MCP session (a stdio connection, or one streamable-HTTP session) over the shared service:
 * `tools/list` answers from the agent registry alone, `tools/call` runs a Task.
 */
export function createMcpServer(service: TaskService, version: string): Server {
  const server = new Server(
    { name: SERVER_NAME, version },
    { capabilities: { tools: { listChanged: true } }, instructions: SERVER_INSTRUCTIONS },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [await service.tool()] }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const { name, arguments: args, _meta } = request.params;
    if (name !== service.toolName) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Unknown tool '${name}': this server has one tool, ${service.toolName}`,
      );
    }
    const meta = parseCallMeta(_meta);
    const token = meta.progressToken;
    return service.call(args, meta, {
      signal: extra.signal,
      ...(token !== undefined
        ? {
            progress: (progress: number, message: string) =>
              extra.sendNotification({
                method: 'notifications/progress',
                params: { progressToken: token, progress, message },
              }),
          }
        : {}),
    });
  });
  const stop = service.onToolListChanged(() => {
    // A session that is gone (or not yet initialised) just misses the notice.
    server.sendToolListChanged().catch(() => {});
  });
  // Codex lists tools right after the handshake: start loading the agents as soon as it is done.
  server.oninitialized = () => service.warm();
  const previousOnClose = server.onclose;
  server.onclose = () => {
    stop();
    previousOnClose?.();
  };
  return server;
}
