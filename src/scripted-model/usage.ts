import type { ScriptedRequest, ScriptedUsage } from './types.ts';

export interface ResolvedUsage {
  /** Total input tokens, cached included. */
  inputTokens: number;
  outputTokens: number;
  /** Read from the prompt cache (part of `inputTokens`). */
  cachedInputTokens: number;
  /** Written to the prompt cache (part of `inputTokens`; only Anthropic reports it). */
  cacheWriteTokens: number;
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
  let chars = 0;
  for (const part of promptParts(req)) chars += part.length;
  return chars;
}

/**
 * What `requestChars` counts, as one text in the vendors' prefix order (tools, system, messages):
 * the prompt an automatic prompt cache (OpenAI, Gemini) matches prefixes of.
 */
export function promptText(req: ScriptedRequest): string {
  return [...promptParts(req)].join('');
}

function* promptParts(req: ScriptedRequest): Generator<string> {
  yield* req.tools;
  yield req.system;
  for (const message of req.messages) {
    if (message.role === 'tool') yield message.output;
    else yield message.text;
    if (message.role === 'assistant') {
      for (const call of message.toolCalls) {
        yield call.name;
        yield JSON.stringify(call.input ?? {});
      }
    }
  }
}

export function resolveUsage(
  req: ScriptedRequest,
  outputChars: number,
  given: ScriptedUsage | undefined,
  cache: { readTokens: number; writeTokens: number } = { readTokens: 0, writeTokens: 0 },
): ResolvedUsage {
  const inputTokens = given?.inputTokens ?? Math.max(1, estimateTokens(requestChars(req)));
  // A script that says what was read says all there is to say about the cache.
  const scripted = given?.cachedInputTokens !== undefined || given?.cacheWriteTokens !== undefined;
  const read = scripted ? (given?.cachedInputTokens ?? 0) : cache.readTokens;
  const written = scripted ? (given?.cacheWriteTokens ?? 0) : cache.writeTokens;
  const cachedInputTokens = Math.min(read, inputTokens);
  return {
    inputTokens,
    outputTokens: given?.outputTokens ?? estimateTokens(outputChars),
    cachedInputTokens,
    cacheWriteTokens: Math.min(written, inputTokens - cachedInputTokens),
  };
}
