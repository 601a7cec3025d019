import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { CodexTaskError } from '../errors/index.ts';
import { launchedTasksFor } from './launched-tasks.ts';
import { errorResult, prepareCall, recordResult, type TaskCallContext, taskResult } from './task-call.ts';
import {
  notFound,
  runningElsewhere,
  stillRunning,
  stoppedWaiting,
  TASK_OUTPUT_DESCRIPTION,
  TASK_OUTPUT_FIELDS,
} from './task-output-tool.description.ts';
import type { TaskRuntime } from './task-runtime.ts';
import { defineTool } from './tool-args.ts';
import { TASK_OUTPUT_TOOL } from './tool-names.ts';

const tool = defineTool({
  name: TASK_OUTPUT_TOOL,
  description: TASK_OUTPUT_DESCRIPTION,
  schema: z
    .object({
      agentId: z.string().trim().min(1).describe(TASK_OUTPUT_FIELDS.agentId),
      wait: z.boolean().optional().describe(TASK_OUTPUT_FIELDS.wait),
    })
    .strict(),
  shape: '{ agentId: string, wait?: boolean }',
  annotations: { readOnlyHint: true },
});

export const taskOutputToolDefinition = tool.definition;

/**
 * One `tools/call` of TaskOutput: a background agent of this server (its result, or how far it has
 * got; `wait` blocks until it ends, and cancelling the wait leaves the agent running), else its run
 * record (it finished before a restart, or was read already), else an error naming the fix.
 */
export async function runTaskOutputCall(
  args: unknown,
  { signal }: TaskCallContext,
  loadRuntime: () => Promise<TaskRuntime>,
): Promise<CallToolResult> {
  let input: ReturnType<typeof tool.parse>;
  let runtime: TaskRuntime;
  try {
    [input, runtime] = await prepareCall(() => tool.parse(args), signal, loadRuntime);
  } catch (error) {
    return errorResult(error);
  }
  const id = input.agentId;
  const running = launchedTasksFor(runtime).get(id);
  if (running) {
    if (!input.wait) return { content: [{ type: 'text', text: stillRunning(running) }] };
    const ended = await untilAborted(running.result, signal);
    if (!ended) return errorResult(stoppedWaiting(id, reasonOf(signal.reason)));
    // Marks it read (it no longer counts against background.maxUnread); the result is the handle's.
    await runtime.backgroundResult(id);
    return taskResult(ended.value);
  }
  const unread = await runtime.backgroundResult(id);
  if (unread) return taskResult(unread);
  const record = runtime.record(id);
  if (record?.status === 'queued' || record?.status === 'running')
    return { content: [{ type: 'text', text: runningElsewhere(record) }] };
  if (record) return recordResult(record);
  const { message, hint } = notFound(id);
  return errorResult(`${message}\nHint: ${hint}`);
}

/** The promise's value, or undefined once `signal` aborts (the promise itself goes on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<{ value: T } | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then((value) => {
      signal.removeEventListener('abort', onAbort);
      resolve({ value });
    });
  });
}

function reasonOf(reason: unknown): string {
  if (reason instanceof CodexTaskError) return reason.message;
  return 'the call was cancelled';
}
