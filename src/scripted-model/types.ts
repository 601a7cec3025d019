/** The wire formats the server speaks; every request is tagged with the one it arrived in. */
export type WireFormatName = 'anthropic' | 'openai-responses' | 'openai-chat' | 'gemini';

export interface NormalToolCall {
  /** The vendor's call id (Anthropic `toolu_…`, OpenAI `call_…`, Gemini's id or a synthetic one). */
  id: string;
  name: string;
  input: unknown;
}

/**
 * One conversation entry, the same shape whatever vendor format carried it. Consecutive assistant
 * items (Responses sends a message item and each function_call as separate items) are merged, so
 * one assistant message is one model turn in every format.
 */
export type NormalMessage =
  | { role: 'user'; text: string }
  | { role: 'assistant'; text: string; toolCalls: NormalToolCall[] }
  | {
      role: 'tool';
      callId: string;
      name?: string;
      output: string;
      /** Responses only: the input item it came in (`function_call_output`, `custom_tool_call_output`, …). */
      itemType?: string;
    };

export interface ToolResultInfo {
  name?: string;
  callId: string;
  output: string;
  /** Responses only: the input item it came in (`function_call_output`, `custom_tool_call_output`, …). */
  itemType?: string;
}

/** What a handler or script sees: one request, normalised across the vendor formats. */
export interface ScriptedRequest {
  format: WireFormatName;
  model: string;
  stream: boolean;
  /** All system/developer instructions, joined with blank lines. */
  system: string;
  messages: NormalMessage[];
  /**
   * Names of the tools offered (hosted Responses tools, which have no name, by their type). Tools
   * inside a namespace are named `<namespace>__<tool>`, whether offered in `tools` or in a Codex
   * `additional_tools` input item.
   */
  tools: string[];
  /** Assistant messages so far: 0 on the first call of a conversation. */
  turn: number;
  /** The latest user text message ('' when there is none). */
  lastUserText: string;
  /** Tool results sent since the last assistant message. */
  toolResults: ToolResultInfo[];
  /** Request headers, lower-cased (multi-valued ones joined with ', '). */
  headers: Record<string, string>;
  /** OpenAI only: the `prompt_cache_key` sent. */
  promptCacheKey?: string;
  /** Anthropic only: where `cache_control` was set, e.g. `tools[2]`, `system[0]`, `messages[1].content[0]`. */
  cacheBreakpoints?: string[];
  /**
   * When the server received the request (its headers parsed), as `performance.timeOrigin +
   * performance.now()`: ms since the epoch with sub-millisecond resolution, the same clock as that
   * sum in another process on this machine, so a client can time its request's arrival from
   * outside. Set by the server (absent on a request built elsewhere).
   */
  receivedAt?: number;
}

export interface ScriptedToolCall {
  name: string;
  /** The arguments, an object (default `{}`); for a `custom` call, the raw text it sends. */
  input?: unknown;
  /** Call id to send; generated in the vendor's style when omitted. */
  id?: string;
  /**
   * OpenAI Responses only (other formats send every call as a function call). `function` (default):
   * a `function_call`; `custom`: a `custom_tool_call` whose `input` is raw text (Codex's code-mode
   * `exec` tool takes JavaScript this way); `tool_search`: a client-executed `tool_search_call`
   * (how Codex's model finds deferred tools such as MCP tools).
   */
  kind?: 'function' | 'custom' | 'tool_search';
  /** OpenAI Responses only: the namespace of a namespaced function (Codex names MCP tools `mcp__<server>`). */
  namespace?: string;
}

export interface ScriptedUsage {
  /** Total input tokens, cached ones included (the wire adapters split them as each vendor does). */
  inputTokens?: number;
  outputTokens?: number;
  /** Read from the prompt cache (default: what the server's own prompt cache finds). */
  cachedInputTokens?: number;
  /** Written to the prompt cache: Anthropic's `cache_creation_input_tokens` (default: the server's cache). */
  cacheWriteTokens?: number;
}

export type Fault =
  /** An error status with the vendor's error body (or `body`), plus retry-after headers when set. */
  | { kind: 'status'; status: number; retryAfterSeconds?: number; retryAfterMs?: number; body?: unknown }
  /** The socket is destroyed before any response byte. */
  | { kind: 'reset' }
  /** The response is cut mid-way: the socket is destroyed after N SSE events (or part of a JSON body). */
  | { kind: 'cut'; afterEvents: number }
  /** 200 with a body that is not valid JSON, or a broken SSE event. */
  | { kind: 'malformed' }
  /** No answer at all; the request ends only when the client aborts (or the server closes). */
  | { kind: 'hang' };

export interface ScriptedReply {
  text?: string;
  toolCalls?: ScriptedToolCall[];
  /** Delay before the first byte. */
  latencyMs?: number;
  /** Delay between streamed events, to make progress visible; 0 (default) writes them back to back. */
  chunkDelayMs?: number;
  /** Reported usage; each missing field is estimated (~4 characters a token). */
  usage?: ScriptedUsage;
  /**
   * A web search the vendor ran server-side in this response (Anthropic web search, OpenAI
   * `web_search_call`, Gemini grounding); `text` is then the model's answer from its results.
   */
  webSearch?: ScriptedWebSearch;
  fault?: Fault;
}

export interface ScriptedWebSearch {
  query: string;
  results: { url: string; title: string; snippet?: string }[];
}

export type ScriptedHandler = (req: ScriptedRequest) => ScriptedReply | Promise<ScriptedReply>;

/** A regular expression in a script: a RegExp in code, or a string (`/pattern/flags` or a bare pattern). */
export type ScriptPattern = string | RegExp;

export interface ScriptWhen {
  system?: ScriptPattern;
  user?: ScriptPattern;
  /** Matches when any tool result since the last assistant message matches. */
  toolResult?: ScriptPattern;
  turn?: number;
  model?: ScriptPattern;
  /** Matches when any offered tool's name matches. */
  tool?: ScriptPattern;
}

export interface ScriptRule {
  when?: ScriptWhen;
  /** One reply, or several cycled through on successive matching requests. */
  reply: ScriptedReply | ScriptedReply[];
}

export interface ScriptFaults {
  /** Probability (0..1) that a request gets one of `kinds` instead of its reply. */
  rate: number;
  kinds: Fault[];
  /** Seed for the fault draw (default 1): the same seed replays the same fault sequence. */
  seed?: number;
}

/** Ordered rules over the request; the first matching rule answers. */
export interface Script {
  rules: ScriptRule[];
  default?: ScriptedReply;
  latencyMs?: number;
  faults?: ScriptFaults;
}

export interface ScriptedModelStats {
  requests: number;
  inFlight: number;
  maxInFlight: number;
  /** Sum over requests of the time spent serving them, latency included. */
  modelTimeMs: number;
}
