import type { CacheSegment } from './prompt-cache.ts';
import type {
  NormalMessage,
  NormalToolCall,
  ScriptedRequest,
  ToolResultInfo,
  WireFormatName,
} from './types.ts';

/** What a wire adapter extracts from a request body; the rest of ScriptedRequest is derived here. */
export interface ParsedRequest {
  model: string;
  stream: boolean;
  system: string;
  messages: NormalMessage[];
  tools: string[];
  /** Chat Completions only: the client asked for a usage chunk at the end of the stream. */
  includeUsage?: boolean;
  /** Responses only: the full input after resolving references, kept for `previous_response_id`. */
  items?: unknown[];
  /** OpenAI only: `prompt_cache_key`. */
  promptCacheKey?: string;
  /** Anthropic only: the prompt block by block, for its explicit prompt cache. */
  cacheSegments?: CacheSegment[];
  /** Anthropic only: where `cache_control` was set (see ScriptedRequest). */
  cacheBreakpoints?: string[];
}

export function toScriptedRequest(
  format: WireFormatName,
  parsed: ParsedRequest,
  headers: Record<string, string>,
): ScriptedRequest {
  const { messages } = parsed;
  let turn = 0;
  let lastUserText = '';
  let lastAssistant = -1;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    if (message.role === 'assistant') {
      turn += 1;
      lastAssistant = i;
    } else if (message.role === 'user' && message.text !== '') lastUserText = message.text;
  }
  const toolResults: ToolResultInfo[] = [];
  for (let i = lastAssistant + 1; i < messages.length; i++) {
    const message = messages[i]!;
    if (message.role === 'tool') {
      toolResults.push({
        callId: message.callId,
        output: message.output,
        ...(message.name !== undefined && { name: message.name }),
        ...(message.itemType !== undefined && { itemType: message.itemType }),
      });
    }
  }
  const { model, stream, system, tools, promptCacheKey, cacheBreakpoints } = parsed;
  return {
    format,
    model,
    stream,
    system,
    messages,
    tools,
    turn,
    lastUserText,
    toolResults,
    headers,
    ...(promptCacheKey !== undefined && { promptCacheKey }),
    ...(cacheBreakpoints?.length && { cacheBreakpoints }),
  };
}

/**
 * Appends an assistant text or tool call, merging into the previous assistant message: vendors
 * split one model turn into several items (Responses) or blocks, and a turn must count once.
 */
export function pushAssistant(messages: NormalMessage[], text: string, toolCall?: NormalToolCall): void {
  const last = messages[messages.length - 1];
  if (last?.role === 'assistant') {
    if (text !== '') last.text = last.text === '' ? text : `${last.text}\n${text}`;
    if (toolCall) last.toolCalls.push(toolCall);
    return;
  }
  messages.push({ role: 'assistant', text, toolCalls: toolCall ? [toolCall] : [] });
}

/** Fills tool result names from the matching calls (Anthropic and OpenAI results carry only the id). */
export function nameToolResults(messages: NormalMessage[]): void {
  const names = new Map<string, string>();
  for (const message of messages) {
    if (message.role === 'assistant') for (const call of message.toolCalls) names.set(call.id, call.name);
    else if (message.role === 'tool' && message.name === undefined) {
      const name = names.get(message.callId);
      if (name !== undefined) message.name = name;
    }
  }
}

/**
 * Tool outputs and message contents arrive as strings, arrays of `{type, text}` parts, wrappers
 * such as Codex's `{content, success}`, or any JSON value (kept as JSON text).
 */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (content == null) return '';
  if (Array.isArray(content)) {
    const texts: string[] = [];
    for (const part of content) {
      if (typeof part === 'string') texts.push(part);
      else if (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string') {
        texts.push((part as { text: string }).text);
      }
    }
    return texts.join('\n');
  }
  if (typeof content === 'object' && 'content' in content) return contentText(content.content);
  return JSON.stringify(content);
}

/** Tool-call arguments arrive as JSON strings (OpenAI); a broken string is kept as-is. */
export function parseArguments(args: unknown): unknown {
  if (typeof args !== 'string') return args ?? {};
  if (args === '') return {};
  try {
    return JSON.parse(args);
  } catch {
    return args;
  }
}
