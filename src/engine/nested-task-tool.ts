import { type Tool, tool } from 'ai';
import { type AgentDefinition, formatAgentList } from '../agents/index.ts';
import { ToolExecutionError } from '../errors/index.ts';
import { formatResultForModel } from './result-text.ts';
import { observed, schemaOf, type ToolCallHooks } from './subagent-tools.ts';
import { taskToolInputSchema } from './task-input.ts';
import { taskToolDescription } from './task-tool-description.ts';
import type { TaskInput, TaskResult } from './types.ts';

/**
 * The Task tool inside a subagent: it starts a child task through the same engine (same admission
 * point, same limits). A failed child is a tool error for the parent model, with the reason and hint.
 */
export function createNestedTaskTool(params: {
  agents: () => AgentDefinition[];
  hooks: ToolCallHooks;
  run: (input: TaskInput, signal: AbortSignal | undefined) => Promise<TaskResult>;
}): Tool {
  return tool({
    description: taskToolDescription(formatAgentList(params.agents())),
    inputSchema: schemaOf(taskToolInputSchema),
    execute: (input: TaskInput, { abortSignal }) =>
      observed('Task', params.hooks, async () => {
        const result = await params.run(input, abortSignal);
        const text = formatResultForModel(result);
        if (result.status !== 'completed') throw new ToolExecutionError(text);
        return text;
      }),
  });
}
