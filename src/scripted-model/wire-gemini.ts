import { splitText } from './chunking.ts';
import { contentText, type ParsedRequest, pushAssistant } from './conversation.ts';
import type { NormalMessage } from './types.ts';
import { geminiGrounding } from './web-search.ts';
import { asArray, asRecord, type ResolvedReply, sseFrame, type WireFormat } from './wire.ts';

/**
 * Gemini: `POST /v1beta/models/{model}:generateContent` and `:streamGenerateContent?alt=sse`.
 * The model and streaming are in the URL, not the body.
 */
export const geminiWire: WireFormat = {
  name: 'gemini',
  toolCallIdPrefix: 'fc_',

  parse(raw, route) {
    const body = asRecord(raw, 'body');
    const messages: NormalMessage[] = [];
    for (const [i, entry] of asArray(body.contents, 'contents').entries()) {
      const content = asRecord(entry, `contents[${i}]`);
      const parts = asArray(content.parts, `contents[${i}].parts`).map((part) =>
        asRecord(part, `contents[${i}].parts[]`),
      );
      if (content.role === 'model') readModel(parts, messages);
      else readUser(parts, messages);
    }
    const instruction = body.systemInstruction as { parts?: unknown } | undefined;
    const tools: string[] = [];
    for (const tool of asArray(body.tools, 'tools')) {
      if (asRecord(tool, 'tools[]').googleSearch) tools.push('google_search');
      for (const fn of asArray(
        asRecord(tool, 'tools[]').functionDeclarations,
        'tools[].functionDeclarations',
      )) {
        tools.push(String(asRecord(fn, 'functionDeclarations[]').name ?? ''));
      }
    }
    const parsed: ParsedRequest = {
      model: route.model ?? '',
      stream: route.stream === true,
      system: contentText(instruction?.parts),
      messages,
      tools,
    };
    return parsed;
  },

  json(reply, ctx) {
    return {
      candidates: [
        {
          content: { role: 'model', parts: parts(reply) },
          finishReason: 'STOP',
          index: 0,
          ...geminiGrounding(reply.webSearch),
        },
      ],
      usageMetadata: usageMetadata(reply),
      modelVersion: ctx.req.model,
      responseId: ctx.ids.next(''),
    };
  },

  events(reply, ctx) {
    const responseId = ctx.ids.next('');
    const chunks: Record<string, unknown>[][] = splitText(reply.text).map((text) => [{ text }]);
    if (reply.toolCalls.length > 0) chunks.push(toolCallParts(reply));
    if (chunks.length === 0) chunks.push([{ text: '' }]);
    // Like the real API, the last chunk carries the finish reason and the usage totals.
    return chunks.map((chunkParts, i) => {
      const last = i === chunks.length - 1;
      return sseFrame({
        candidates: [
          {
            content: { role: 'model', parts: chunkParts },
            ...(last && { finishReason: 'STOP', ...geminiGrounding(reply.webSearch) }),
            index: 0,
          },
        ],
        ...(last && { usageMetadata: usageMetadata(reply) }),
        modelVersion: ctx.req.model,
        responseId,
      });
    });
  },

  errorBody(status, message) {
    return { error: { code: status, message, status: errorStatus(status) } };
  },
};

function readUser(parts: Record<string, unknown>[], messages: NormalMessage[]): void {
  const texts: string[] = [];
  for (const part of parts) {
    if (typeof part.text === 'string') texts.push(part.text);
    else if (part.functionResponse) {
      const fn = asRecord(part.functionResponse, 'functionResponse');
      const name = String(fn.name ?? '');
      const response = fn.response as Record<string, unknown> | undefined;
      const output =
        response && 'content' in response
          ? response.content
          : response && 'error' in response
            ? response.error
            : response;
      // Gemini matches results to calls by name; the id is there only when the API sent one.
      messages.push({ role: 'tool', callId: String(fn.id ?? name), name, output: contentText(output) });
    }
  }
  if (texts.length > 0) messages.push({ role: 'user', text: texts.join('\n') });
}

function readModel(parts: Record<string, unknown>[], messages: NormalMessage[]): void {
  pushAssistant(messages, '');
  for (const part of parts) {
    if (typeof part.text === 'string' && part.thought !== true) pushAssistant(messages, part.text);
    else if (part.functionCall) {
      const call = asRecord(part.functionCall, 'functionCall');
      const name = String(call.name ?? '');
      pushAssistant(messages, '', { id: String(call.id ?? name), name, input: call.args ?? {} });
    }
  }
}

function parts(reply: ResolvedReply): Record<string, unknown>[] {
  return [
    ...(reply.text !== '' || reply.toolCalls.length === 0 ? [{ text: reply.text }] : []),
    ...toolCallParts(reply),
  ];
}

// Gemini 3 signs every functionCall part and expects the signature back with it; clients that
// drop it are warned (AI SDK) or refused (the real API), so the scripted model signs too.
function toolCallParts(reply: ResolvedReply): Record<string, unknown>[] {
  return reply.toolCalls.map((call) => ({
    functionCall: { id: call.id, name: call.name, args: call.input },
    thoughtSignature: `scripted-signature-${call.id}`,
  }));
}

/** Gemini's promptTokenCount includes cached tokens (cachedContentTokenCount is a subset). */
function usageMetadata(reply: ResolvedReply) {
  const { inputTokens, outputTokens, cachedInputTokens } = reply.usage;
  return {
    promptTokenCount: inputTokens,
    candidatesTokenCount: outputTokens,
    totalTokenCount: inputTokens + outputTokens,
    ...(cachedInputTokens > 0 && { cachedContentTokenCount: cachedInputTokens }),
  };
}

function errorStatus(status: number): string {
  const statuses: Record<number, string> = {
    400: 'INVALID_ARGUMENT',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED',
    404: 'NOT_FOUND',
    429: 'RESOURCE_EXHAUSTED',
    500: 'INTERNAL',
    503: 'UNAVAILABLE',
    504: 'DEADLINE_EXCEEDED',
  };
  return statuses[status] ?? 'UNKNOWN';
}
