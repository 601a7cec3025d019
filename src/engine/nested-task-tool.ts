import { type Tool, tool } from 'ai';
import { type AgentDefinition, DEFAULT_AGENT_TYPE, formatAgentList } from '../agents/index.ts';
import { ToolDeniedError, ToolExecutionError } from '../errors/index.ts';
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
  /** `Task(a, b)` in the parent's tools limits which agent types it may start. */
  rules: { allowed?: string[]; denied: string[] };
  hooks: ToolCallHooks;
  /** Runs the child; `callId` is the Task call that starts it (the child's `parentCallId`). */
  run: (input: TaskInput, signal: AbortSignal | undefined, callId: string) => Promise<TaskResult>;
}): Tool {
  const mayStart = (name: string) => {
    const is = (n: string) => n.toLowerCase() === name.toLowerCase();
    return (params.rules.allowed?.some(is) ?? true) && !params.rules.denied.some(is);
  };
  return tool({
    description: taskToolDescription(formatAgentList(params.agents().filter((a) => mayStart(a.name)))),
    inputSchema: schemaOf(taskToolInputSchema),
    execute: (input: TaskInput, { abortSignal, toolCallId }) =>
      observed({ callId: toolCallId, name: 'Task', input }, params.hooks, async () => {
        const type = input.subagent_type ?? DEFAULT_AGENT_TYPE;
        if (!mayStart(type)) {
          throw new ToolDeniedError(
            `This agent may not start '${type}' subagents`,
            `Allowed here: ${params.rules.allowed?.join(', ') ?? 'any agent'}${params.rules.denied.length ? `, except ${params.rules.denied.join(', ')}` : ''}.`,
          );
        }
        const result = await params.run(input, abortSignal, toolCallId);
        const text = formatResultForModel(result);
        if (result.status !== 'completed') throw new ToolExecutionError(text);
        return text;
      }),
  });
}
