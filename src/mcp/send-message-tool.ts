import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
// Light on purpose (see task-tool.ts): the schema without the engine.
import { sendMessageInputSchema } from '../engine/send-message-input.ts';
import { SEND_MESSAGE_DESCRIPTION } from './send-message-tool.description.ts';
import { callerOf, errorResult, prepareCall, runWithProgress, type TaskCallContext } from './task-call.ts';
import type { TaskRuntime } from './task-runtime.ts';
import { defineTool } from './tool-args.ts';
import { SEND_MESSAGE_TOOL } from './tool-names.ts';

const tool = defineTool({
  name: SEND_MESSAGE_TOOL,
  description: SEND_MESSAGE_DESCRIPTION,
  schema: sendMessageInputSchema,
  shape: '{ to: string, message: string, summary?: string }',
});

export const sendMessageToolDefinition = tool.definition;

/**
 * One `tools/call` of SendMessage: continues the agent with its whole conversation (from the run
 * store under the real runtime, so after a restart too) in the foreground: progress while it works,
 * cancelled with the call, answered with its result text. An unknown agentId is a TaskNotFound error.
 */
export async function runSendMessageCall(
  args: unknown,
  ctx: TaskCallContext,
  loadRuntime: () => Promise<TaskRuntime>,
): Promise<CallToolResult> {
  let input: ReturnType<typeof tool.parse>;
  let runtime: TaskRuntime;
  try {
    [input, runtime] = await prepareCall(() => tool.parse(args), ctx.signal, loadRuntime);
  } catch (error) {
    return errorResult(error);
  }
  const { to, message, summary } = input;
  return runWithProgress(
    runtime,
    () =>
      runtime.sendMessage(to, message, {
        signal: ctx.signal,
        spawnDepth: 1,
        ...callerOf(ctx.meta),
        ...(summary ? { summary } : {}),
      }),
    ctx,
  );
}
