import type { ToolContext, ToolSpec } from './types.ts';

/**
 * Every built-in tool goes through here, so two rules hold for all of them: nothing starts after
 * the task was cancelled, and no result is longer than `limits.resultLimitChars`.
 */
export function defineTool<I>(spec: ToolSpec<I>): ToolSpec<I> {
  return {
    ...spec,
    async execute(input: I, ctx: ToolContext): Promise<string> {
      ctx.signal.throwIfAborted();
      const result = await spec.execute(input, ctx);
      return truncateResult(result, ctx.limits.resultLimitChars);
    },
  };
}

/** Cuts `text` to `limitChars` characters and says so, with what to do about it. */
export function truncateResult(text: string, limitChars: number): string {
  if (text.length <= limitChars) return text;
  const omitted = text.length - limitChars;
  return (
    `${text.slice(0, limitChars)}\n\n[Result truncated: ${omitted} of ${text.length} characters omitted. ` +
    'Ask for less at a time (offset/limit, a narrower path or pattern, head_limit).]'
  );
}
