import type { ScriptedRequest, ScriptedUsage } from './types.ts';

export interface ResolvedUsage {
  /** Total input tokens, cached included. */
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
}

/** ~4 characters a token: close enough for budgets and cost tests, and never zero for real text. */
export function estimateTokens(chars: number): number {
  return chars > 0 ? Math.ceil(chars / 4) : 0;
}

/**
 * Counted from the normalised conversation rather than the raw body, so the same conversation
 * costs the same tokens in every wire format (tests compare providers against each other).
 */
export function requestChars(req: ScriptedRequest): number {
  let chars = req.system.length;
  for (const name of req.tools) chars += name.length;
  for (const message of req.messages) {
    if (message.role === 'tool') chars += message.output.length;
    else chars += message.text.length;
    if (message.role === 'assistant') {
      for (const call of message.toolCalls)
        chars += call.name.length + JSON.stringify(call.input ?? {}).length;
    }
  }
  return chars;
}

export function resolveUsage(
  req: ScriptedRequest,
  outputChars: number,
  given: ScriptedUsage | undefined,
): ResolvedUsage {
  const inputTokens = given?.inputTokens ?? Math.max(1, estimateTokens(requestChars(req)));
  const cachedInputTokens = Math.min(given?.cachedInputTokens ?? 0, inputTokens);
  return { inputTokens, outputTokens: given?.outputTokens ?? estimateTokens(outputChars), cachedInputTokens };
}
