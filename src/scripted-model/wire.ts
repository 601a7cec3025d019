import type { ParsedRequest } from './conversation.ts';
import type { IdGenerator } from './ids.ts';
import type { CacheUsage } from './prompt-cache.ts';
import type { ScriptedReply, ScriptedRequest, ScriptedWebSearch, WireFormatName } from './types.ts';
import { type ResolvedUsage, resolveUsage } from './usage.ts';

/** The contract each vendor adapter (`wire-*.ts`) fulfils; the server knows nothing vendor-specific. */
export interface WireFormat {
  readonly name: WireFormatName;
  /** Prefix of generated tool call ids, in the vendor's style. */
  readonly toolCallIdPrefix: string;
  /** `route` carries what the URL says (Gemini puts the model and streaming there). */
  parse(body: unknown, route: RouteInfo): ParsedRequest;
  json(reply: ResolvedReply, ctx: ReplyContext): unknown;
  /** The whole stream as encoded SSE frames, in order (the server paces and cuts them). */
  events(reply: ResolvedReply, ctx: ReplyContext): string[];
  /** The vendor's error body for a status, so clients parse it as they would the real thing. */
  errorBody(status: number, message: string): unknown;
}

export interface RouteInfo {
  model?: string;
  stream?: boolean;
}

export interface ResolvedToolCall {
  id: string;
  name: string;
  input: unknown;
  /** `input` as JSON, computed once for every adapter that sends arguments as a string (a custom call's raw text). */
  arguments: string;
  kind: 'function' | 'custom' | 'tool_search';
  namespace?: string;
}

export interface ResolvedReply {
  text: string;
  toolCalls: ResolvedToolCall[];
  usage: ResolvedUsage;
  webSearch?: ScriptedWebSearch;
}

export interface ReplyContext {
  req: ScriptedRequest;
  parsed: ParsedRequest;
  ids: IdGenerator;
  /** Unix seconds, as vendors stamp responses. */
  created: number;
}

/**
 * A request body the adapter cannot read: answered with 400 in the vendor's error shape. Not a
 * CodexTaskError: the scripted model plays a vendor, so its client sees what the vendor would send.
 */
export class WireInputError extends Error {
  override readonly name = 'WireInputError';
}

export function resolveReply(
  reply: ScriptedReply,
  req: ScriptedRequest,
  wire: WireFormat,
  ids: IdGenerator,
  cache?: CacheUsage,
): ResolvedReply {
  const text = reply.text ?? '';
  let outputChars = text.length;
  const toolCalls = (reply.toolCalls ?? []).map((call) => {
    const kind = call.kind ?? 'function';
    const input = call.input ?? (kind === 'custom' ? '' : {});
    const args = kind === 'custom' && typeof input === 'string' ? input : JSON.stringify(input);
    outputChars += call.name.length + args.length;
    return {
      id: call.id ?? ids.next(wire.toolCallIdPrefix),
      name: call.name,
      input,
      arguments: args,
      kind,
      ...(call.namespace !== undefined && { namespace: call.namespace }),
    };
  });
  return {
    text,
    toolCalls,
    usage: resolveUsage(req, outputChars, reply.usage, cache),
    ...(reply.webSearch && { webSearch: reply.webSearch }),
  };
}

export function sseFrame(data: unknown, event?: string): string {
  const json = JSON.stringify(data);
  return event === undefined ? `data: ${json}\n\n` : `event: ${event}\ndata: ${json}\n\n`;
}

/** Narrowing helpers for untrusted bodies: adapters read what they need and ignore the rest. */
export function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new WireInputError(`${what} must be an object`);
  }
  return value as Record<string, unknown>;
}

export function asArray(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new WireInputError(`${what} must be an array`);
  return value;
}

export function asString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new WireInputError(`${what} must be a string`);
  return value;
}
