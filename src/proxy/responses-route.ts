import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../http/index.ts';
import { type ForwardContext, sendUpstreamResponse } from './forward.ts';
import { clientResponseHeaders, upstreamRequestHeaders } from './header-policy.ts';
import { keepAlive, progressItems, sseEvent, stripSynthetic } from './progress-events.ts';
import { relaySse } from './sse-relay.ts';
import type { CallerContext, RunningCall, TaskCalls } from './task-calls.ts';
import { clientHasTool, injectToolSlot, isInjectedCall, serializeBody } from './task-injection.ts';
import type { UpstreamResponse } from './upstream-pool.ts';

type Json = Record<string, unknown>;

export interface ResponsesContext extends ForwardContext {
  /** Absent when Task is disabled (`proxy.injectTask: false`): requests then pass through untouched. */
  task?: {
    calls: TaskCalls;
    name: string;
    /** The tool as a Responses function (JSON text), with the agents as they are now. */
    toolJson: () => string;
  };
  keepAliveMs: number;
  /** Rewrites the latest user message when it is a slash command; true when it changed the body. */
  expandCommands?: (body: Json) => boolean;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * POST /responses, where Task lives. The design (Codex answers the call, the proxy replaces the
 * answer) is explained in index.ts. Per request:
 * 1. the body is rewritten: the proxy's progress items removed, a slash command expanded, Task
 *    added to the tools, and Codex's "unsupported call" outputs of Task calls replaced by the real
 *    results (by call_id; from memory, the run records, or a run started now) — for calls that
 *    streamed from the upstream only; one a client wrote gets a refusal (task-calls.ts);
 * 2. the upstream's SSE is relayed byte for byte; each Task call starts its subagent as soon as its
 *    `output_item.done` passes, and the response's final event waits until they have all finished,
 *    with progress and keep-alive events in between — so Codex's next request finds every result
 *    ready, and Codex's own tool calls of that turn run meanwhile.
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
  const caller: CallerContext = {
    authorization: req.headers.authorization,
    model: typeof body?.model === 'string' ? body.model : undefined,
    threadId: header(req, 'thread-id') ?? header(req, 'session-id') ?? header(req, 'session_id'),
    signal: abort.signal,
  };
  // Task lives in streams (the calls are read as they stream): a non-streaming request passes as is.
  const task =
    body && body.stream === true && ctx.task && !clientHasTool(body, ctx.task.name) ? ctx.task : undefined;
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
      const answers = unsupportedAnswers(body, task.name);
      if (
        answers.some(
          ({ call }) =>
            !task.calls.ready({ callId: call.call_id, arguments: call.arguments }, caller.threadId),
        )
      ) {
        // A result is still being computed (this request came sooner than its response's end, or
        // after a restart): answer with a stream now and keep it alive while waiting.
        startStream(res);
        stopWaiting = keepAlive(emitter(res), ctx.keepAliveMs);
      }
      try {
        const texts = await Promise.all(
          answers.map(({ call }) =>
            task.calls.resultText({ callId: call.call_id, arguments: call.arguments }, caller),
          ),
        );
        answers.forEach(({ output }, i) => {
          output.output = texts[i];
        });
      } finally {
        stopWaiting?.();
      }
    }
  }
  const streamOpen = stopWaiting !== undefined;
  let response: UpstreamResponse;
  try {
    response = await ctx.upstream.request({
      method: 'POST',
      path,
      headers: upstreamRequestHeaders(req.headers, {
        tokenHeader: ctx.tokenHeader,
        bodyRewritten: changed,
        readsResponse: task !== undefined,
      }),
      body: changed ? Buffer.from(serializeBody(body as Json, task?.toolJson())) : raw,
      signal: abort.signal,
    });
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
  try {
    await relaySse(response.body, res, {
      onItemDone: (item) => {
        if (!isInjectedCall(item, task.name)) return;
        started.push(task.calls.fromUpstream({ callId: item.call_id, arguments: item.arguments }, caller));
      },
      mustHold: () => started.length > 0,
      settle: async (emit, outputIndex) => {
        const progress = progressItems(emit, outputIndex, ctx.keepAliveMs);
        progress.say(
          `Running ${started.length} subagent${started.length === 1 ? '' : 's'}: ${started.map((call) => call.label).join(', ')}`,
        );
        const unwatch = task.calls.watch(
          started.map((call) => call.callId),
          (line) => progress.say(line),
        );
        try {
          await Promise.all(started.map((call) => call.text));
        } finally {
          unwatch();
          progress.done();
        }
      },
    });
  } catch {
    // The client or the upstream went away mid-stream; `abort` has cancelled the rest.
    res.destroy();
  }
}

/** Codex's own answers to the injected tool's calls ("unsupported call: Task"), with their calls. */
function unsupportedAnswers(body: Json, name: string): { output: Json; call: Json & { call_id: string } }[] {
  if (!Array.isArray(body.input)) return [];
  const calls = new Map<string, Json & { call_id: string }>();
  for (const item of body.input) if (isInjectedCall(item, name)) calls.set(item.call_id, item);
  const answers: { output: Json; call: Json & { call_id: string } }[] = [];
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

/** After the stream was opened, a failure can only be an event: `response.failed`, which Codex reports. */
function failStream(res: ServerResponse, message: string): void {
  emitter(res)('response.failed', {
    response: {
      id: `resp_codextask_${Date.now().toString(36)}`,
      status: 'failed',
      error: { code: 'upstream_unavailable', message: `codex-task proxy: ${message}` },
    },
  });
  res.end();
}
