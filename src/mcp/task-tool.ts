// Deep import on purpose: `tools/list` must answer within Codex's start-up window (docs/compatibility.md), and
// `engine/index.ts` loads the whole engine and the AI SDK. This module is the engine's own Task
// definition (the schema and description subagents and the proxy use too), nothing more.
import type { AgentDefinition } from '../agents/index.ts';
import {
  type TaskToolDefinition,
  type TaskToolName,
  taskToolDefinition,
} from '../engine/task-tool-definition.ts';
import { MCP_RUN_IN_BACKGROUND, MCP_TASK_NOTES } from './task-tool.description.ts';

export {
  parseTaskToolInput,
  type TaskToolDefinition,
  type TaskToolName,
  taskInputJsonSchema,
} from '../engine/task-tool-definition.ts';

/** The Task tool as this server lists it: the engine's, and how background agents and follow-ups work over MCP. */
export function mcpTaskToolDefinition(
  agents: readonly AgentDefinition[],
  name: TaskToolName,
): TaskToolDefinition {
  const definition = taskToolDefinition(agents, name);
  const properties = definition.inputSchema.properties as Record<string, Record<string, unknown>>;
  return {
    ...definition,
    description: `${definition.description}\n\n${MCP_TASK_NOTES}`,
    // A copy: the engine's schema object is shared with the other surfaces.
    inputSchema: {
      ...definition.inputSchema,
      properties: {
        ...properties,
        run_in_background: { ...properties.run_in_background, description: MCP_RUN_IN_BACKGROUND },
      },
    },
  };
}
