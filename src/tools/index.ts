import { bashTool } from './bash.ts';
import { editTool } from './edit.ts';
import { globTool } from './glob.ts';
import { grepTool } from './grep.ts';
import { lsTool } from './ls.ts';
import { multiEditTool } from './multi-edit.ts';
import { readTool } from './read.ts';
import { todoWriteTool } from './todo-write.ts';
import type { ToolSpec } from './types.ts';
import { webFetchTool } from './web-fetch.ts';
import { webSearchTool } from './web-search.ts';
import { writeTool } from './write.ts';

export { type BashToolOptions, createBashTool } from './bash.ts';
export { createToolContext, DEFAULT_TOOL_LIMITS, type ToolContextOptions } from './context.ts';
export { truncateResult } from './define-tool.ts';
export { createGrepTool, type GrepEngine, type GrepToolOptions } from './grep.ts';
export type { ToolModelHooks, WebSearchRequest, WebSearchResult } from './model-hooks.ts';
export { STRICT_TOOL_PERMISSIONS, type ToolPermissions } from './permissions.ts';
export { getTodos, TODO_STATE_KEY, type TodoItem } from './todo-write.ts';
export type { ToolContext, ToolLimits, ToolSpec } from './types.ts';
export { classifyAddress, type ResolveHost } from './web/index.ts';
export { webFetchPromptMessage } from './web-fetch.description.ts';
export { createWebFetchTool, type WebFetchToolOptions } from './web-fetch.ts';
export { webSearchPromptMessage } from './web-search.description.ts';
export { isInside, resolveWorkspacePath, type WorkspacePath } from './workspace-path.ts';

/** The built-in tools, in Claude Code's order. */
export const BUILTIN_TOOLS: readonly ToolSpec[] = [
  readTool,
  writeTool,
  editTool,
  multiEditTool,
  globTool,
  grepTool,
  lsTool,
  bashTool,
  todoWriteTool,
  webFetchTool,
  webSearchTool,
];

export const builtinToolNames: readonly string[] = BUILTIN_TOOLS.map((tool) => tool.name);

/** Tools that never change the workspace: what read-only agents (Explore, Plan) get. */
export const READ_ONLY_TOOL_NAMES: readonly string[] = BUILTIN_TOOLS.filter((tool) => tool.readOnly).map(
  (tool) => tool.name,
);

export function getBuiltinTool(name: string): ToolSpec | undefined {
  return BUILTIN_TOOLS.find((tool) => tool.name === name);
}
