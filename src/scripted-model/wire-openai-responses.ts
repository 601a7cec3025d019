import { BoundedMap } from './bounded-map.ts';
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
import { responsesCitations, responsesSearchItem } from './web-search.ts';
import {
  asArray,
  asRecord,
  asString,
  type ReplyContext,
  type ResolvedReply,
  type ResolvedToolCall,
  sseFrame,
  type WireFormat,
  WireInputError,
} from './wire.ts';

type Item = Record<string, unknown>;

/**
 * OpenAI Responses API: `POST /v1/responses`. Stateful like the real one: with the default
 * `store: true` the AI SDK sends earlier output back as `item_reference`s, and clients may continue
 * from `previous_response_id`, so the adapter remembers recent items and conversations (bounded).
 */
export function createOpenAIResponsesWire(): WireFormat {
  const items = new BoundedMap<string, Item>(10_000);
  const conversations = new BoundedMap<string, unknown[]>(1_000);

  function resolve(entry: unknown, i: number): Item {
    const item = asRecord(entry, `input[${i}]`);
    if (item.type !== 'item_reference') return item;
    const id = asString(item.id, `input[${i}].id`);
    const stored = items.get(id);
    if (!stored) throw new WireInputError(`Item with id '${id}' not found.`);
    return stored;
  }

  return {
    name: 'openai-responses',
    toolCallIdPrefix: 'call_',

    parse(raw) {
      const body = asRecord(raw, 'body');
      const input =
        typeof body.input === 'string'
          ? [{ role: 'user', content: body.input }]
          : asArray(body.input, 'input').map(resolve);
      let history: unknown[] = [];
      if (typeof body.previous_response_id === 'string') {
        const previous = conversations.get(body.previous_response_id);
        if (!previous)
          throw new WireInputError(`Previous response with id '${body.previous_response_id}' not found.`);
        history = previous;
      }
      const all = history.length > 0 ? [...history, ...input] : input;
      const system: string[] =
        typeof body.instructions === 'string' && body.instructions !== '' ? [body.instructions] : [];
      const messages: NormalMessage[] = [];
      const tools = toolNames(asArray(body.tools, 'tools'));
      for (const item of all) readItem(item as Item, messages, system, tools);
      nameToolResults(messages);
      const parsed: ParsedRequest = {
        model: asString(body.model, 'model'),
        stream: body.stream === true,
        system: system.join('\n\n'),
        messages,
        tools,
        items: all,
        ...(typeof body.prompt_cache_key === 'string' && { promptCacheKey: body.prompt_cache_key }),
      };
      return parsed;
    },

    json(reply, ctx) {
      return completedResponse(outputItems(reply, ctx), reply, ctx);
    },

    events(reply, ctx) {
      const output = outputItems(reply, ctx);
      const response = completedResponse(output, reply, ctx);
      let sequence = 0;
      const frame = (type: string, data: Record<string, unknown>) =>
        sseFrame({ type, sequence_number: sequence++, ...data }, type);
      const inProgress = { ...response, status: 'in_progress', output: [], usage: null };
      const frames = [
        frame('response.created', { response: inProgress }),
        frame('response.in_progress', { response: inProgress }),
      ];
      output.forEach((item, output_index) => {
        const item_id = item.id;
        if (item.type === 'message') {
          const text = reply.text;
          const part = { type: 'output_text', text: '', annotations: [] };
          frames.push(
            frame('response.output_item.added', {
              output_index,
              item: { ...item, status: 'in_progress', content: [] },
            }),
          );
          frames.push(
            frame('response.content_part.added', { item_id, output_index, content_index: 0, part }),
          );
          for (const delta of splitText(text)) {
            frames.push(
              frame('response.output_text.delta', {
                item_id,
                output_index,
                content_index: 0,
                delta,
                logprobs: [],
              }),
            );
          }
          frames.push(
            frame('response.output_text.done', {
              item_id,
              output_index,
              content_index: 0,
              text,
              logprobs: [],
            }),
          );
          frames.push(
            frame('response.content_part.done', {
              item_id,
              output_index,
              content_index: 0,
              part: { ...part, text },
            }),
          );
        } else if (item.type === 'custom_tool_call') {
          const input = String(item.input);
          frames.push(
            frame('response.output_item.added', {
              output_index,
              item: { ...item, status: 'in_progress', input: '' },
            }),
          );
          for (const delta of splitText(input)) {
            frames.push(frame('response.custom_tool_call_input.delta', { item_id, output_index, delta }));
          }
          frames.push(frame('response.custom_tool_call_input.done', { item_id, output_index, input }));
        } else if (item.type === 'tool_search_call' || item.type === 'web_search_call') {
          frames.push(
            frame('response.output_item.added', { output_index, item: { ...item, status: 'in_progress' } }),
          );
        } else {
          const args = String(item.arguments);
          frames.push(
            frame('response.output_item.added', {
              output_index,
              item: { ...item, status: 'in_progress', arguments: '' },
            }),
          );
          for (const delta of splitJson(args)) {
            frames.push(frame('response.function_call_arguments.delta', { item_id, output_index, delta }));
          }
          frames.push(
            frame('response.function_call_arguments.done', { item_id, output_index, arguments: args }),
          );
        }
        frames.push(frame('response.output_item.done', { output_index, item }));
      });
      frames.push(frame('response.completed', { response }));
      return frames;
    },

    errorBody: openaiErrorBody,
  };

  /** Builds the output items and remembers them, as the real API stores a response's output. */
  function outputItems(reply: ResolvedReply, ctx: ReplyContext): Item[] {
    const output: Item[] = reply.webSearch ? [responsesSearchItem(reply.webSearch, ctx.ids)] : [];
    if (reply.text !== '' || reply.toolCalls.length === 0) {
      output.push({
        id: ctx.ids.next('msg_'),
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [
          {
            type: 'output_text',
            text: reply.text,
            annotations: responsesCitations(reply.webSearch, reply.text),
            logprobs: [],
          },
        ],
      });
    }
    for (const call of reply.toolCalls) output.push(callItem(call, ctx));
    for (const item of output) items.set(item.id as string, item);
    return output;
  }

  function completedResponse(output: Item[], reply: ResolvedReply, ctx: ReplyContext) {
    const id = ctx.ids.next('resp_');
    conversations.set(id, [...(ctx.parsed.items ?? []), ...output]);
    const { inputTokens, outputTokens, cachedInputTokens } = reply.usage;
    return {
      id,
      object: 'response',
      created_at: ctx.created,
      status: 'completed',
      error: null,
      incomplete_details: null,
      model: ctx.req.model,
      output,
      parallel_tool_calls: true,
      usage: {
        input_tokens: inputTokens,
        input_tokens_details: { cached_tokens: cachedInputTokens },
        output_tokens: outputTokens,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: inputTokens + outputTokens,
      },
    };
  }
}

/** A tool call as a Responses output item: a function call, or one of Codex's custom or tool-search calls. */
function callItem(call: ResolvedToolCall, ctx: ReplyContext): Item {
  const common = { status: 'completed', call_id: call.id };
  if (call.kind === 'custom')
    return {
      id: ctx.ids.next('ctc_'),
      type: 'custom_tool_call',
      ...common,
      name: call.name,
      input: call.arguments,
    };
  if (call.kind === 'tool_search')
    return {
      id: ctx.ids.next('tsc_'),
      type: 'tool_search_call',
      ...common,
      execution: 'client',
      arguments: call.input,
    };
  return {
    id: ctx.ids.next('fc_'),
    type: 'function_call',
    ...common,
    arguments: call.arguments,
    name: call.name,
    ...(call.namespace !== undefined && { namespace: call.namespace }),
  };
}

function readItem(item: Item, messages: NormalMessage[], system: string[], tools: string[]): void {
  switch (item.type ?? 'message') {
    case 'message': {
      const text = contentText(item.content);
      if (item.role === 'system' || item.role === 'developer') system.push(text);
      else if (item.role === 'assistant') pushAssistant(messages, text);
      else messages.push({ role: 'user', text });
      return;
    }
    case 'function_call':
    case 'custom_tool_call':
      pushAssistant(messages, '', {
        id: String(item.call_id ?? ''),
        name: qualified(item.namespace, String(item.name ?? '')),
        input: parseArguments(item.arguments ?? item.input),
      });
      return;
    case 'tool_search_call':
      pushAssistant(messages, '', {
        id: String(item.call_id ?? ''),
        name: 'tool_search',
        input: parseArguments(item.arguments),
      });
      return;
    case 'function_call_output':
    case 'custom_tool_call_output':
      messages.push({
        role: 'tool',
        callId: String(item.call_id ?? ''),
        output: contentText(item.output),
        itemType: String(item.type),
      });
      return;
    // Codex: what a tool search found (one name a line), and the tools a code-mode request offers.
    case 'tool_search_output':
      messages.push({
        role: 'tool',
        callId: String(item.call_id ?? ''),
        output: toolNames(asArray(item.tools, 'tool_search_output.tools')).join('\n'),
        itemType: 'tool_search_output',
      });
      return;
    case 'additional_tools':
      tools.push(...toolNames(asArray(item.tools, 'additional_tools.tools')));
      return;
    default:
    // Reasoning items, configuration updates and hosted-tool items carry nothing a script matches on.
  }
}

/**
 * Function and custom tools have names; hosted tools (web_search, local_shell) only a type; a
 * namespace (Codex) contributes its tools as `<namespace>__<tool>`.
 */
function toolNames(tools: unknown[]): string[] {
  const names: string[] = [];
  for (const entry of tools) {
    const tool = asRecord(entry, 'tools[]');
    if (tool.type === 'namespace' && typeof tool.name === 'string') {
      names.push(...toolNames(asArray(tool.tools, 'namespace.tools')).map((n) => `${tool.name}__${n}`));
      continue;
    }
    const name = tool.name ?? tool.type;
    if (typeof name === 'string') names.push(name);
  }
  return names;
}

function qualified(namespace: unknown, name: string): string {
  return typeof namespace === 'string' && namespace !== '' ? `${namespace}__${name}` : name;
}
