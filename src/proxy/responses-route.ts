import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../http/index.ts';
import { awaitCalls, type HoldContext, holdForBackground, leavesWork } from './background-hold.ts';
import type { BackgroundNotices } from './background-notices.ts';
import { type ForwardContext, sendUpstreamResponse } from './forward.ts';
import { clientResponseHeaders, upstreamRequestHeaders } from './header-policy.ts';
import { keepAlive, sseEvent, stripSynthetic } from './progress-events.ts';
import type { ProxyRuntime } from './proxy-runtime.ts';
import { SEND_MESSAGE_TOOL } from './send-message-tool.ts';
import { relaySse } from './sse-relay.ts';
import type { CallerContext, RunningCall, TaskCall, TaskCalls } from './task-calls.ts';
import { clientHasTool, injectedCall, injectToolSlot, serializeBody } from './task-injection.ts';
import type { UpstreamResponse } from './upstream-pool.ts';

type Json = Record<string, unknown>;

export interface ResponsesContext extends ForwardContext {
  /** Absent when Task is disabled (`proxy.injectTask: false`): requests then pass through untouched. */
  task?: {
    calls: TaskCalls;
    notices: BackgroundNotices;
    name: string;
    /**
     * The tools as Responses functions (JSON text: Task, with the agents as they are now, then
     * SendMessage unless `withSendMessage` is false — the client has its own).
     */
    toolJson: (withSendMessage: boolean) => string;
    /** How long a final response may be held for background Tasks (background-hold.ts). */
    holdMs: number;
    logger?: ProxyRuntime['observability']['logger'];
  };
  keepAliveMs: number;
  /** Rewrites the latest user message when it is a slash command; true when it changed the body. */
  expandCommands?: (body: Json) => boolean;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * POST /responses, where Task lives. The design (Codex answers the call, the proxy replaces the
 * answer) is explained in index.ts. Per request:
 * 1. the body is rewritten: the proxy's progress items removed, a slash command expanded, Task and
 *    SendMessage added to the tools, Codex's "unsupported call" outputs of their calls replaced by
 *    the real results (by call_id; from memory, the run records, or a run started now) — for calls
 *    that streamed from the upstream only; one a client wrote gets a refusal (task-calls.ts) — and
 *    the conversation's `<task-notification>` messages put in (background-notices.ts);
 * 2. the upstream's SSE is relayed byte for byte; each call starts its subagent as soon as its
 *    `output_item.done` passes, and the response's final event waits until they have all finished
 *    (a background Task's at once: its output is its launch text), with progress and keep-alive
 *    events in between — so Codex's next request finds every result ready, and Codex's own tool
 *    calls of that turn run meanwhile;
 * 3. a final response (nothing for Codex to run) while background Tasks of the conversation still
 *    run is held, and continued with their notifications as they finish (background-hold.ts).
 */
export async function handleResponses(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  ctx: ResponsesContext,
  abort: AbortController,
): Promise<void> {
  const raw = await readBody(req, ctx.bodyLimitBytes);
  let body: Json | undefined;
  try {
    const value: unknown = JSON.parse(raw.toString('utf8'));
    if (isObject(value)) body = value;
  } catch {
    // Not ours to judge: the upstream answers a broken body with its own error.
  }
  const threadId = header(req, 'thread-id') ?? header(req, 'session-id') ?? header(req, 'session_id');
  const caller: CallerContext = {
    authorization: req.headers.authorization,
    model: typeof body?.model === 'string' ? body.model : undefined,
    threadId,
    conversation:
      threadId ?? (typeof body?.prompt_cache_key === 'string' ? body.prompt_cache_key : undefined),
    signal: abort.signal,
  };
  // Task lives in streams (the calls are read as they stream): a non-streaming request passes as is.
  const task =
    body && body.stream === true && ctx.task && !clientHasTool(body, ctx.task.name) ? ctx.task : undefined;
  // SendMessage goes beside Task unless the client has a tool of that name itself.
  const toolNames =
    !task || !body ? [] : [task.name, ...(clientHasTool(body, SEND_MESSAGE_TOOL) ? [] : [SEND_MESSAGE_TOOL])];
  let changed = false;
  let stopWaiting: (() => void) | undefined;
  if (body) {
    changed = stripSynthetic(body);
    if (ctx.expandCommands?.(body)) changed = true;
    // A slash command may have set the turn's model: the subagents inherit that one.
    if (typeof body.model === 'string') caller.model = body.model;
    if (task) {
      injectToolSlot(body);
      changed = true;
      const answers = unsupportedAnswers(body, toolNames);
      if (answers.some(({ call }) => !task.calls.ready(call, caller.threadId))) {
        // A result is still being computed (this request came sooner than its response's end, or
        // after a restart): answer with a stream now and keep it alive while waiting.
        startStream(res);
        stopWaiting = keepAlive(emitter(res), ctx.keepAliveMs);
      }
      try {
        const texts = await Promise.all(answers.map(({ call }) => task.calls.resultText(call, caller)));
        answers.forEach(({ output }, i) => {
          output.output = texts[i];
        });
      } finally {
        stopWaiting?.();
      }
      if (Array.isArray(body.input)) {
        const input = task.notices.prepare(caller.conversation, body.input);
        if (input) body.input = input;
      }
    }
  }
  const streamOpen = stopWaiting !== undefined;
  const toolJson = task?.toolJson(toolNames.length > 1);
  const send = (bytes: Buffer) =>
    ctx.upstream.request({
      method: 'POST',
      path,
      headers: upstreamRequestHeaders(req.headers, {
        tokenHeader: ctx.tokenHeader,
        bodyRewritten: changed,
        readsResponse: task !== undefined,
      }),
      body: bytes,
      signal: abort.signal,
    });
  let response: UpstreamResponse;
  try {
    response = await send(changed ? Buffer.from(serializeBody(body as Json, toolJson)) : raw);
  } catch (error) {
    if (!streamOpen) throw error;
    return failStream(res, (error as Error).message);
  }
  const sse =
    response.status === 200 && String(response.headers['content-type']).includes('text/event-stream');
  if (streamOpen && !sse) {
    const text = await response.body.text().catch(() => '');
    return failStream(res, `upstream answered ${response.status}: ${text.slice(0, 2_000)}`);
  }
  if (!task || !sse) return sendUpstreamResponse(res, response);
  if (!streamOpen) {
    // Headers leave with the first event (one write, not two).
    res.writeHead(response.status, clientResponseHeaders(response.headers, { bodyRewritten: true }));
  }
  const started: RunningCall[] = [];
  // With background Tasks of this conversation still due, every item is read: a response with none
  // that leaves Codex work is final, and is held for them (background-hold.ts).
  const conversation = task.notices.pending(caller.conversation) ? caller.conversation : undefined;
  const items: Json[] = [];
  let work = false;
  try {
    await relaySse(response.body, res, {
      allItems: conversation !== undefined,
      onItemDone: (item) => {
        if (conversation) {
          items.push(item);
          if (leavesWork(item)) work = true;
        }
        const call = injectedCall(item, toolNames);
        if (call) started.push(task.calls.fromUpstream(call, caller));
      },
      mustHold: () => started.length > 0 || (conversation !== undefined && !work),
      settle: async (emit, outputIndex) => {
        const next = await awaitCalls(task.calls, started, emit, outputIndex, ctx.keepAliveMs);
        if (!conversation || work || !Array.isArray(body?.input)) return undefined;
        const hold: HoldContext = {
          res,
          emit,
          calls: task.calls,
          notices: task.notices,
          conversation,
          caller,
          toolNames,
          body: body as Json & { input: unknown[] },
          toolJson: toolJson as string,
          request: send,
          keepAliveMs: ctx.keepAliveMs,
          holdMs: task.holdMs,
          signal: abort.signal,
          logger: task.logger,
        };
        return holdForBackground(hold, items, next);
      },
    });
  } catch {
    // The client or the upstream went away mid-stream; `abort` has cancelled the rest.
    res.destroy();
  }
}

/** Codex's own answers to the injected tools' calls ("unsupported call: Task"), with their calls. */
function unsupportedAnswers(body: Json, names: readonly string[]): { output: Json; call: TaskCall }[] {
  if (!Array.isArray(body.input)) return [];
  const calls = new Map<string, TaskCall>();
  for (const item of body.input) {
    const call = injectedCall(item, names);
    if (call) calls.set(call.callId, call);
  }
  const answers: { output: Json; call: TaskCall }[] = [];
  for (const item of body.input) {
    if (!isObject(item) || item.type !== 'function_call_output' || typeof item.call_id !== 'string') continue;
    const call = calls.get(item.call_id);
    if (call && outputText(item.output).startsWith('unsupported call')) answers.push({ output: item, call });
  }
  return answers;
}

function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  if (isObject(output) && typeof output.content === 'string') return output.content;
  return '';
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function startStream(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
}

function emitter(res: ServerResponse) {
  return (type: string, data: Json) => res.write(sseEvent(type, data));
}

/**
 * After the stream was opened, a failure can only be an event: `response.failed`, which Codex reports.
 * The message says it comes from the proxy once (the pool's errors already do).
 */
function failStream(res: ServerResponse, message: string): void {
  const prefix = 'codex-task proxy: ';
  emitter(res)('response.failed', {
    response: {
      id: `resp_codextask_${Date.now().toString(36)}`,
      status: 'failed',
      error: {
        code: 'upstream_unavailable',
        message: message.startsWith(prefix) ? message : `${prefix}${message}`,
      },
    },
  });
  res.end();
}
