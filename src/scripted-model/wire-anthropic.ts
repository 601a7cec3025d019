import { splitJson, splitText } from './chunking.ts';
import { contentText, nameToolResults, type ParsedRequest, pushAssistant } from './conversation.ts';
import type { CacheSegment } from './prompt-cache.ts';
import type { NormalMessage } from './types.ts';
import { anthropicSearchBlocks, anthropicSearchUsage } from './web-search.ts';
import { asArray, asRecord, asString, type ResolvedReply, sseFrame, type WireFormat } from './wire.ts';

/** Anthropic Messages API: `POST /v1/messages`. */
export const anthropicWire: WireFormat = {
  name: 'anthropic',
  toolCallIdPrefix: 'toolu_',

  parse(raw) {
    const body = asRecord(raw, 'body');
    const messages: NormalMessage[] = [];
    for (const [i, entry] of asArray(body.messages, 'messages').entries()) {
      const message = asRecord(entry, `messages[${i}]`);
      const blocks =
        typeof message.content === 'string'
          ? [{ type: 'text', text: message.content }]
          : asArray(message.content, `messages[${i}].content`);
      if (message.role === 'assistant') readAssistant(blocks, messages);
      else readUser(blocks, messages);
    }
    nameToolResults(messages);
    const { segments, breakpoints } = cacheSegments(body);
    const parsed: ParsedRequest = {
      model: asString(body.model, 'model'),
      stream: body.stream === true,
      system: contentText(body.system),
      messages,
      tools: asArray(body.tools, 'tools').map((tool) => String(asRecord(tool, 'tools[]').name ?? '')),
      cacheSegments: segments,
      cacheBreakpoints: breakpoints,
    };
    return parsed;
  },

  json(reply, ctx) {
    return {
      id: ctx.ids.next('msg_'),
      type: 'message',
      role: 'assistant',
      model: ctx.req.model,
      content: [
        ...(reply.webSearch ? anthropicSearchBlocks(reply.webSearch, ctx.ids) : []),
        ...(reply.text !== '' || reply.toolCalls.length === 0 ? [{ type: 'text', text: reply.text }] : []),
        ...reply.toolCalls.map((call) => ({
          type: 'tool_use',
          id: call.id,
          name: call.name,
          input: call.input,
        })),
      ],
      stop_reason: stopReason(reply),
      stop_sequence: null,
      usage: {
        ...inputUsage(reply),
        output_tokens: reply.usage.outputTokens,
        ...anthropicSearchUsage(reply.webSearch),
      },
    };
  },

  events(reply, ctx) {
    const frames = [
      event('message_start', {
        type: 'message_start',
        message: {
          id: ctx.ids.next('msg_'),
          type: 'message',
          role: 'assistant',
          model: ctx.req.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          // The real API reports a token or so of output here and the total in message_delta.
          usage: { ...inputUsage(reply), output_tokens: 1 },
        },
      }),
      event('ping', { type: 'ping' }),
    ];
    let index = 0;
    for (const block of reply.webSearch ? anthropicSearchBlocks(reply.webSearch, ctx.ids) : []) {
      // The search's input streams like a tool_use's; its result block arrives whole.
      const { input, ...start } = block as Record<string, unknown>;
      const deltas = input ? [{ type: 'input_json_delta', partial_json: JSON.stringify(input) }] : [];
      frames.push(...contentBlock(index, input ? { ...start, input: {} } : block, deltas));
      index += 1;
    }
    if (reply.text !== '') {
      frames.push(
        ...contentBlock(
          index,
          { type: 'text', text: '' },
          splitText(reply.text).map((text) => ({ type: 'text_delta', text })),
        ),
      );
      index += 1;
    }
    for (const call of reply.toolCalls) {
      frames.push(
        ...contentBlock(
          index,
          { type: 'tool_use', id: call.id, name: call.name, input: {} },
          splitJson(call.arguments).map((partial_json) => ({ type: 'input_json_delta', partial_json })),
        ),
      );
      index += 1;
    }
    frames.push(
      event('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: stopReason(reply), stop_sequence: null },
        usage: { output_tokens: reply.usage.outputTokens, ...anthropicSearchUsage(reply.webSearch) },
      }),
      event('message_stop', { type: 'message_stop' }),
    );
    return frames;
  },

  errorBody(status, message) {
    return { type: 'error', error: { type: errorType(status), message } };
  },
};

function readUser(blocks: unknown[], messages: NormalMessage[]): void {
  const texts: string[] = [];
  for (const entry of blocks) {
    const block = asRecord(entry, 'content block');
    if (block.type === 'text') texts.push(String(block.text ?? ''));
    else if (block.type === 'tool_result') {
      messages.push({
        role: 'tool',
        callId: String(block.tool_use_id ?? ''),
        output: contentText(block.content),
      });
    }
  }
  // Tool results come first: the text of the same message is what the user said after them.
  if (texts.length > 0) messages.push({ role: 'user', text: texts.join('\n') });
}

function readAssistant(blocks: unknown[], messages: NormalMessage[]): void {
  pushAssistant(messages, '');
  for (const entry of blocks) {
    const block = asRecord(entry, 'content block');
    if (block.type === 'text') pushAssistant(messages, String(block.text ?? ''));
    else if (block.type === 'tool_use') {
      pushAssistant(messages, '', {
        id: String(block.id ?? ''),
        name: String(block.name ?? ''),
        input: block.input ?? {},
      });
    }
  }
}

function event(name: string, data: unknown): string {
  return sseFrame(data, name);
}

function stopReason(reply: ResolvedReply): string {
  return reply.toolCalls.length > 0 ? 'tool_use' : 'end_turn';
}

/** Anthropic's `input_tokens` excludes cache reads and writes; the SDK adds them back to get the total. */
function inputUsage(reply: ResolvedReply) {
  const { inputTokens, cachedInputTokens, cacheWriteTokens } = reply.usage;
  return {
    input_tokens: inputTokens - cachedInputTokens - cacheWriteTokens,
    cache_creation_input_tokens: cacheWriteTokens,
    cache_read_input_tokens: cachedInputTokens,
  };
}

/**
 * The prompt block by block in the order Anthropic caches it (tools, system, messages), each
 * counted as the conversation's tokens count it; a block's identity leaves out its own
 * `cache_control`, since moving a breakpoint does not change the prefix.
 */
function cacheSegments(body: Record<string, unknown>): { segments: CacheSegment[]; breakpoints: string[] } {
  const segments: CacheSegment[] = [];
  const breakpoints: string[] = [];
  const add = (where: string, kind: string, raw: unknown, chars: number) => {
    const { cache_control, ...block } =
      typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : { text: raw };
    segments.push({ chars, identity: `${kind}:${JSON.stringify(block)}`, breakpoint: !!cache_control });
    if (cache_control) breakpoints.push(where);
  };
  for (const [i, tool] of asArray(body.tools, 'tools').entries()) {
    add(`tools[${i}]`, 'tool', tool, String(asRecord(tool, 'tools[]').name ?? '').length);
  }
  const system = typeof body.system === 'string' ? [body.system] : asArray(body.system, 'system');
  for (const [i, block] of system.entries())
    add(`system[${i}]`, 'system', block, contentText([block]).length);
  for (const [i, entry] of asArray(body.messages, 'messages').entries()) {
    const message = asRecord(entry, `messages[${i}]`);
    const blocks =
      typeof message.content === 'string' ? [message.content] : asArray(message.content, 'content');
    for (const [j, block] of blocks.entries()) {
      add(`messages[${i}].content[${j}]`, String(message.role), block, blockChars(block));
    }
  }
  return { segments, breakpoints };
}

/** A content block's size as the conversation counts it: its text, a result's output, a call's name and input. */
function blockChars(block: unknown): number {
  if (typeof block === 'string') return block.length;
  const b = asRecord(block, 'content block');
  if (b.type === 'tool_result') return contentText(b.content).length;
  if (b.type === 'tool_use') return String(b.name ?? '').length + JSON.stringify(b.input ?? {}).length;
  return String(b.text ?? '').length;
}

function errorType(status: number): string {
  const types: Record<number, string> = {
    400: 'invalid_request_error',
    401: 'authentication_error',
    403: 'permission_error',
    404: 'not_found_error',
    413: 'request_too_large',
    429: 'rate_limit_error',
    529: 'overloaded_error',
  };
  return types[status] ?? 'api_error';
}

/** One streamed content block: its start, its deltas, its stop (the same frame shape for text and tool_use). */
function contentBlock(index: number, block: Record<string, unknown>, deltas: Record<string, unknown>[]) {
  return [
    event('content_block_start', { type: 'content_block_start', index, content_block: block }),
    ...deltas.map((delta) => event('content_block_delta', { type: 'content_block_delta', index, delta })),
    event('content_block_stop', { type: 'content_block_stop', index }),
  ];
}
