import type { TaskResult } from './types.ts';

/** What the text needs: a live result, or one rebuilt from a run record. */
export type ResultForModel = Pick<
  TaskResult,
  | 'agentId'
  | 'agentType'
  | 'resolvedModel'
  | 'usage'
  | 'totalToolUseCount'
  | 'totalDurationMs'
  | 'status'
  | 'content'
  | 'partialContent'
  | 'error'
  | 'worktree'
>;

/** Claude Code's line naming an agent a parent can continue (docs/compatibility.md, background work). */
export function continueLine(agentId: string): string {
  return `agentId: ${agentId} (use SendMessage with to: '${agentId}', summary: '<5-10 word recap>' to continue this agent)`;
}

/**
 * A finished Task as the parent model reads it: the subagent's final text, then Claude Code's
 * trailer (docs/compatibility.md): the agentId to continue it with SendMessage, and its usage.
 */
export function formatResultForModel(result: ResultForModel): string {
  const trailer = [
    ...(result.worktree?.kept ? [worktreeLine(result.worktree)] : []),
    continueLine(result.agentId),
    `<usage>subagent_tokens: ${result.usage.totalTokens}`,
    `tool_uses: ${result.totalToolUseCount}`,
    `duration_ms: ${Math.round(result.totalDurationMs)}</usage>`,
  ].join('\n');
  if (result.status === 'completed') return `${result.content}\n\n${trailer}`;
  return `${failureText(result)}\n\n${trailer}`;
}

/**
 * Where an isolated task's work is (`isolation: "worktree"`, when its worktree was kept): Claude
 * Code, too, returns the worktree's path and branch when the subagent changed something.
 */
function worktreeLine(worktree: NonNullable<ResultForModel['worktree']>): string {
  return `worktree: ${worktree.path} (branch ${worktree.branch}: ${worktree.summary}). The changes are there, not in your working directory.`;
}

/** What went wrong, its fix, and what the subagent had produced. */
function failureText(result: ResultForModel): string {
  const error = result.error;
  const lines = [`Task ${result.status}: ${error ? `${error.type}: ${error.message}` : 'no result'}`];
  if (error?.hint) lines.push(`Hint: ${error.hint}`);
  if (result.partialContent) lines.push(`Partial output before it stopped:\n${result.partialContent}`);
  return lines.join('\n');
}

function escapeMarkup(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * The tool result of a Task started with `run_in_background`: Claude Code's wording, then where the
 * result will arrive (`whereOutput`: a notification, or a tool to read it with).
 */
export function formatLaunchForModel(agentId: string, whereOutput: string): string {
  return `Async agent launched successfully.\n${continueLine(agentId)}\n${whereOutput}`;
}

/**
 * The user message that tells a parent a background agent finished, in Claude Code's shape
 * (docs/compatibility.md): the parent gets another turn with it.
 */
export function formatTaskNotification(
  result: ResultForModel & { description: string },
  toolUseId: string | undefined,
): string {
  const status = result.status === 'completed' ? 'completed' : result.status;
  const summary =
    result.status === 'completed'
      ? `Agent "${escapeMarkup(result.description)}" finished`
      : `Agent "${escapeMarkup(result.description)}" ${result.status === 'failed' ? 'failed' : result.status.replace('_', ' ')}`;
  // A subagent's text must not close its notification and open a forged one for another task.
  const body = escapeMarkup(result.status === 'completed' ? result.content : failureText(result));
  return (
    `<task-notification><task-id>${result.agentId}</task-id>` +
    (toolUseId ? `<tool-use-id>${toolUseId}</tool-use-id>` : '') +
    `<status>${status}</status><summary>${summary}</summary><result>${body}</result>` +
    `<usage><subagent_tokens>${result.usage.totalTokens}</subagent_tokens>` +
    `<tool_uses>${result.totalToolUseCount}</tool_uses>` +
    `<duration_ms>${Math.round(result.totalDurationMs)}</duration_ms></usage></task-notification>`
  );
}
