import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import { parseCallMeta } from './call-meta.ts';
import { serverInstructions } from './mcp-server.instructions.ts';
import type { TaskService } from './task-service.ts';
import { SEND_MESSAGE_TOOL, TASK_OUTPUT_TOOL } from './tool-names.ts';

export const SERVER_NAME = 'codex-task';

/**
 * One MCP session (a stdio connection, or one streamable-HTTP session) over the shared service:
 * `tools/list` answers from the agent registry alone, `tools/call` runs a Task, reads a background
 * agent's result (TaskOutput) or continues an agent (SendMessage).
 */
export function createMcpServer(service: TaskService, version: string): Server {
  const server = new Server(
    { name: SERVER_NAME, version },
    {
      capabilities: { tools: { listChanged: true } },
      instructions: serverInstructions(service.toolName),
    },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: await service.tools() }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const { name, arguments: args, _meta } = request.params;
    const meta = parseCallMeta(_meta);
    const token = meta.progressToken;
    const options = {
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
    };
    switch (name) {
      case service.toolName:
        return service.call(args, meta, options);
      case TASK_OUTPUT_TOOL:
        return service.taskOutput(args, options);
      case SEND_MESSAGE_TOOL:
        return service.sendMessage(args, meta, options);
      default:
        throw new McpError(
          ErrorCode.InvalidParams,
          `Unknown tool '${name}': this server's tools are ${service.toolName}, ${TASK_OUTPUT_TOOL} and ${SEND_MESSAGE_TOOL}`,
        );
    }
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
