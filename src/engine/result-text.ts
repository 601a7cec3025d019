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
>;

/**
 * A finished Task as the parent model reads it: the subagent's final text, then a trailer with its
 * agentId and usage (the shape Claude Code returns, docs/compatibility.md).
 */
export function formatResultForModel(result: ResultForModel): string {
  const trailer = [
    `agentId: ${result.agentId} (agent: ${result.agentType}, model: ${result.resolvedModel ?? 'none'})`,
    `<usage>total_tokens: ${result.usage.totalTokens}`,
    `tool_uses: ${result.totalToolUseCount}`,
    `duration_ms: ${Math.round(result.totalDurationMs)}</usage>`,
  ].join('\n');
  if (result.status === 'completed') return `${result.content}\n\n${trailer}`;
  const error = result.error;
  const lines = [`Task ${result.status}: ${error ? `${error.type}: ${error.message}` : 'no result'}`];
  if (error?.hint) lines.push(`Hint: ${error.hint}`);
  if (result.partialContent) lines.push(`Partial output before it stopped:\n${result.partialContent}`);
  return `${lines.join('\n')}\n\n${trailer}`;
}
