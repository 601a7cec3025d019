import { formatLaunchForModel, formatResultForModel } from '../engine/index.ts';
import { CodexTaskError, InvalidTaskInputError } from '../errors/index.ts';
import { resultOfRecord, type TaskRecord } from '../store/index.ts';

// What the model reads as the output of a Task or SendMessage call the proxy ran: a result, the
// launch text of a background Task, an error — live, or rebuilt from a run record after a restart.

/**
 * A background Task's output (Claude Code's words): its agentId, and that a notification will
 * follow — or, for a client that names no conversation (no thread id, no `prompt_cache_key`), where
 * its result will be instead.
 */
export function launchText(agentId: string, notified = true): string {
  return formatLaunchForModel(
    agentId,
    notified
      ? 'You will be notified automatically when it completes.'
      : `No notification can follow (this client names no conversation): read its result with \`codex-task runs show ${agentId}\`, or continue it with SendMessage.`,
  );
}

/**
 * A call's arguments as a value: JSON text parsed, anything else as it is.
 * @throws InvalidTaskInputError when the text is not JSON
 */
export function parseArguments(args: unknown, tool: string): unknown {
  if (typeof args !== 'string') return args ?? {};
  try {
    return JSON.parse(args);
  } catch (error) {
    throw new InvalidTaskInputError(
      `Invalid ${tool} input: the arguments are not JSON (${(error as Error).message})`,
      {
        hint:
          tool === 'Task'
            ? 'Call Task with a JSON object: { "description", "prompt", "subagent_type"? }.'
            : `Call ${tool} with a JSON object: { "to", "message", "summary"? }.`,
      },
    );
  }
}

/** An error as the model reads it in place of a result: its message and, when it has one, its hint. */
export function errorText(error: unknown): string {
  if (error instanceof CodexTaskError) return `${error.message}${error.hint ? `\nHint: ${error.hint}` : ''}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * A finished record as the model reads a live result (an interrupted one reads as failed); a
 * background Task's as its launch text, which is what its call's output was — unless it was
 * refused at once (failed before it started), whose output was the error.
 */
export function recordText(r: TaskRecord): string {
  const background = (r.input as { run_in_background?: unknown } | undefined)?.run_in_background === true;
  if (background && !(r.status === 'failed' && r.startedAt === undefined)) return launchText(r.id);
  return formatResultForModel(resultOfRecord(r));
}
