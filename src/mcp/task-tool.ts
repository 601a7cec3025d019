// Deep import on purpose: `tools/list` must answer within Codex's start-up window (docs/compatibility.md), and
// `engine/index.ts` loads the whole engine and the AI SDK. This module is the engine's own Task
// definition (the schema and description subagents and the proxy use too), nothing more.
export {
  parseTaskToolInput,
  type TaskToolDefinition,
  type TaskToolName,
  taskInputJsonSchema,
  taskToolDefinition,
} from '../engine/task-tool-definition.ts';
