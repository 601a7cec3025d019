import { type Tool, tool } from 'ai';
import { type AgentDefinition, DEFAULT_AGENT_TYPE, formatAgentList } from '../agents/index.ts';
import { ToolDeniedError, ToolExecutionError } from '../errors/index.ts';
import { formatLaunchForModel, formatResultForModel } from './result-text.ts';
import { type SendMessageInput, sendMessageInputSchema } from './send-message-input.ts';
import { observed, schemaOf, type ToolCallHooks } from './subagent-tools.ts';
import { taskToolInputSchema } from './task-input.ts';
import { taskToolDescription } from './task-tool-description.ts';
import type { TaskHandle, TaskInput, TaskResult } from './types.ts';

/** What a subagent's nested tools start children with (the engine's start and sendMessage, wired to this run). */
export interface NestedRunner {
  /** Runs a child to its end (the Task tool in the foreground). */
  run(input: TaskInput, signal: AbortSignal | undefined, callId: string): Promise<TaskResult>;
  /** Starts a child that works while this subagent goes on (`run_in_background`). */
  launch(input: TaskInput, callId: string): TaskHandle;
  /** Continues an earlier agent with a message and waits for its answer (SendMessage). */
  continue(
    to: string,
    message: string,
    summary: string | undefined,
    signal: AbortSignal | undefined,
    callId: string,
  ): Promise<TaskResult>;
}

/** Where a background child's result arrives, said in its launch text. */
const NOTIFIED =
  'The agent is working in the background. You will be notified automatically when it completes.';

/**
 * The Task tool inside a subagent: it starts a child task through the same engine (same admission
 * point, same limits). A failed child is a tool error for the parent model, with the reason and hint.
 * With `run_in_background` it returns at once; the child's result comes back as a
 * `<task-notification>` message before this subagent's final answer (subagent-execution.ts).
 */
export function createNestedTaskTool(params: {
  agents: () => AgentDefinition[];
  /** `Task(a, b)` in the parent's tools limits which agent types it may start. */
  rules: { allowed?: string[]; denied: string[] };
  hooks: ToolCallHooks;
  runner: NestedRunner;
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
        if (input.run_in_background) {
          return formatLaunchForModel(params.runner.launch(input, toolCallId).id, NOTIFIED);
        }
        return textOf(await params.runner.run(input, abortSignal, toolCallId));
      }),
  });
}

/**
 * Claude Code's SendMessage inside a subagent that may delegate: continues an earlier agent (by the
 * agentId its result named) with its whole conversation, and returns its new answer.
 */
export function createSendMessageTool(params: { hooks: ToolCallHooks; runner: NestedRunner }): Tool {
  return tool({
    description:
      'Send a message to an agent you started earlier, by its agentId: it continues with its whole earlier conversation and answers. Use it for follow-ups instead of starting a new agent that would have to redo the work.',
    inputSchema: schemaOf(sendMessageInputSchema),
    execute: (input: SendMessageInput, { abortSignal, toolCallId }) =>
      observed({ callId: toolCallId, name: 'SendMessage', input }, params.hooks, async () =>
        textOf(await params.runner.continue(input.to, input.message, input.summary, abortSignal, toolCallId)),
      ),
  });
}

function textOf(result: TaskResult): string {
  const text = formatResultForModel(result);
  if (result.status !== 'completed') throw new ToolExecutionError(text);
  return text;
}
