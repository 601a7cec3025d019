import { splitJson, splitText } from './chunking.ts';
import {
  contentText,
  nameToolResults,
  type ParsedRequest,
  parseArguments,
  pushAssistant,
} from './conversation.ts';
import { openaiErrorBody } from './openai-errors.ts';
import type { NormalMessage } from './types.ts';
import { asArray, asRecord, asString, type ResolvedReply, sseFrame, type WireFormat } from './wire.ts';

/**
 * OpenAI Chat Completions: `POST /v1/chat/completions`. Also what OpenAI-compatible servers
 * (Ollama, vLLM, LM Studio, OpenRouter, LiteLLM) speak.
 */
export const openaiChatWire: WireFormat = {
  name: 'openai-chat',
  toolCallIdPrefix: 'call_',

  parse(raw) {
    const body = asRecord(raw, 'body');
    const system: string[] = [];
    const messages: NormalMessage[] = [];
    for (const [i, entry] of asArray(body.messages, 'messages').entries()) {
      const message = asRecord(entry, `messages[${i}]`);
      const text = contentText(message.content);
      if (message.role === 'system' || message.role === 'developer') system.push(text);
      else if (message.role === 'assistant') {
        pushAssistant(messages, text);
        for (const call of asArray(message.tool_calls, `messages[${i}].tool_calls`)) {
          const { id, function: fn } = asRecord(call, `messages[${i}].tool_calls[]`);
          const { name, arguments: args } = asRecord(fn, `messages[${i}].tool_calls[].function`);
          pushAssistant(messages, '', {
            id: String(id ?? ''),
            name: String(name ?? ''),
            input: parseArguments(args),
          });
        }
      } else if (message.role === 'tool') {
        messages.push({ role: 'tool', callId: String(message.tool_call_id ?? ''), output: text });
      } else messages.push({ role: 'user', text });
    }
    nameToolResults(messages);
    const options = body.stream_options as { include_usage?: unknown } | undefined;
    const parsed: ParsedRequest = {
      model: asString(body.model, 'model'),
      stream: body.stream === true,
      system: system.join('\n\n'),
      messages,
      tools: asArray(body.tools, 'tools').map((tool) => {
        const fn = asRecord(tool, 'tools[]').function as { name?: unknown } | undefined;
        return String(fn?.name ?? '');
      }),
      includeUsage: options?.include_usage === true,
      ...(typeof body.prompt_cache_key === 'string' && { promptCacheKey: body.prompt_cache_key }),
    };
    return parsed;
  },

  json(reply, ctx) {
    return {
      id: ctx.ids.next('chatcmpl-'),
      object: 'chat.completion',
      created: ctx.created,
      model: ctx.req.model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            // The real API sends null content when the model only calls tools.
            content: reply.text === '' && reply.toolCalls.length > 0 ? null : reply.text,
            ...(reply.toolCalls.length > 0 && {
              tool_calls: reply.toolCalls.map((call) => ({
                id: call.id,
                type: 'function',
                function: { name: call.name, arguments: call.arguments },
              })),
            }),
          },
          logprobs: null,
          finish_reason: finishReason(reply),
        },
      ],
      usage: usage(reply),
    };
  },

  events(reply, ctx) {
    const id = ctx.ids.next('chatcmpl-');
    const base = { id, object: 'chat.completion.chunk', created: ctx.created, model: ctx.req.model };
    const chunk = (delta: Record<string, unknown>, finish_reason: string | null = null) =>
      sseFrame({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason }] });
    const frames = [chunk({ role: 'assistant', content: '' })];
    for (const content of splitText(reply.text)) frames.push(chunk({ content }));
    reply.toolCalls.forEach((call, index) => {
      // The first delta of a call names it; the arguments follow as bare JSON fragments.
      frames.push(
        chunk({
          tool_calls: [
            { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } },
          ],
        }),
      );
      for (const args of splitJson(call.arguments)) {
        frames.push(chunk({ tool_calls: [{ index, function: { arguments: args } }] }));
      }
    });
    frames.push(chunk({}, finishReason(reply)));
    if (ctx.parsed.includeUsage) frames.push(sseFrame({ ...base, choices: [], usage: usage(reply) }));
    frames.push('data: [DONE]\n\n');
    return frames;
  },

  errorBody: openaiErrorBody,
};

function finishReason(reply: ResolvedReply): string {
  return reply.toolCalls.length > 0 ? 'tool_calls' : 'stop';
}

function usage(reply: ResolvedReply) {
  const { inputTokens, outputTokens, cachedInputTokens } = reply.usage;
  return {
    prompt_tokens: inputTokens,
    completion_tokens: outputTokens,
    total_tokens: inputTokens + outputTokens,
    prompt_tokens_details: { cached_tokens: cachedInputTokens },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
}
