import type { ServerResponse } from 'node:http';
import type { BackgroundNotices } from './background-notices.ts';
import { relayContinuation } from './continuation-relay.ts';
import { progressItems, sseEvent } from './progress-events.ts';
import type { ProxyRuntime } from './proxy-runtime.ts';
import { drained } from './sse-relay.ts';
import type { CallerContext, RunningCall, TaskCalls } from './task-calls.ts';
import { injectedCall, serializeBody } from './task-injection.ts';
import type { UpstreamResponse } from './upstream-pool.ts';

type Json = Record<string, unknown>;
type Emit = (type: string, data: Json) => unknown;

/**
 * Output items after which Codex has nothing to run: a response made only of these ends its turn
 * (and `codex exec` exits). Anything else — a function call, a custom tool call, a type we do not
 * know — means Codex comes back with outputs, so such a response is never held.
 */
const TURN_ENDING_ITEMS = new Set([
  'message',
  'reasoning',
  // Hosted tools: the upstream ran them itself.
  'web_search_call',
  'file_search_call',
  'code_interpreter_call',
  'image_generation_call',
]);

/** Whether a done output item leaves Codex something to run (so its response does not end the turn). */
export function leavesWork(item: Json): boolean {
  return !TURN_ENDING_ITEMS.has(String(item.type));
}

/**
 * Waits for the Task and SendMessage calls of a response, showing their progress as reasoning items
 * from `outputIndex` (keep-alive events between them); returns the next free output index.
 */
export async function awaitCalls(
  calls: TaskCalls,
  started: readonly RunningCall[],
  emit: Emit,
  outputIndex: number,
  keepAliveMs: number,
): Promise<number> {
  if (started.length === 0) return outputIndex;
  const progress = progressItems(emit, outputIndex, keepAliveMs);
  const background = started.filter((call) => call.background);
  const foreground = started.filter((call) => !call.background);
  if (foreground.length > 0) progress.say(`Running ${count(foreground.length)}: ${labels(foreground)}`);
  if (background.length > 0)
    progress.say(`Started ${count(background.length)} in the background: ${labels(background)}`);
  const unwatch = calls.watch(
    foreground.map((call) => call.callId),
    (line) => progress.say(line),
  );
  try {
    await Promise.all(started.map((call) => call.text));
  } finally {
    unwatch();
    progress.done();
  }
  return progress.nextOutputIndex();
}

export interface HoldContext {
  res: ServerResponse;
  emit: Emit;
  calls: TaskCalls;
  notices: BackgroundNotices;
  conversation: string;
  caller: CallerContext;
  /** The injected tools' names in this request (their calls in a continuation run too). */
  toolNames: readonly string[];
  /** The request body as it went upstream (the tool placeholder in it) and the tools' JSON. */
  body: Json & { input: unknown[] };
  toolJson: string;
  /** Sends a continuation body upstream with the original request's headers and path. */
  request(body: Buffer): Promise<UpstreamResponse>;
  keepAliveMs: number;
  /** The longest the held response waits for background Tasks (the task timeout). */
  holdMs: number;
  signal: AbortSignal;
  logger?: ProxyRuntime['observability']['logger'];
}

/**
 * The upstream answered with a final response (nothing for Codex to run) while background Tasks of
 * this conversation still run: Codex would end its turn, and `codex exec` exit, before their
 * notifications could reach the model. So the response's final event is held (its items have
 * streamed already) and, as each Task finishes, the proxy asks the upstream itself: the same
 * request with the held response's items and the `<task-notification>` messages appended. That
 * answer streams on in the same response (items numbered on, progress between); if it is final
 * again and Tasks still run, again — until none runs, one has calls for Codex, or `holdMs` passed.
 * Returns the final event to write instead of the held one (its `output` listing every item), or
 * undefined to write the held one after all (a timeout, the client gone, a failed continuation:
 * the notifications not sent then stay due and go with Codex's next request).
 */
export async function holdForBackground(
  ctx: HoldContext,
  heldItems: readonly Json[],
  firstOutputIndex: number,
): Promise<string | undefined> {
  const deadline = Date.now() + ctx.holdMs;
  const input = [...ctx.body.input, ...heldItems];
  const output: Json[] = [...heldItems];
  let next = firstOutputIndex;
  let replacement: string | undefined;
  for (;;) {
    const running = ctx.notices.running(ctx.conversation);
    if (running.length > 0) {
      const progress = progressItems(ctx.emit, next, ctx.keepAliveMs);
      progress.say(
        `Waiting for ${count(running.length)} in the background: ${running.map((t) => t.label).join(', ')}`,
      );
      const unwatch = ctx.calls.watch(
        running.map((t) => t.callId),
        (line) => progress.say(line),
      );
      const outcome = await ctx.notices.nextFinished(ctx.conversation, deadline, ctx.signal);
      unwatch();
      progress.done();
      next = progress.nextOutputIndex();
      if (outcome !== 'finished') return replacement;
    }
    if (ctx.notices.deliverFinished(ctx.conversation, input) === 0) return replacement;
    let response: UpstreamResponse;
    try {
      response = await ctx.request(Buffer.from(serializeBody({ ...ctx.body, input }, ctx.toolJson)));
    } catch (error) {
      ctx.logger?.warn({ error: (error as Error).message }, 'background notification: continuation failed');
      return replacement;
    }
    if (response.status !== 200 || !String(response.headers['content-type']).includes('text/event-stream')) {
      await response.body.dump().catch(() => {});
      ctx.logger?.warn(
        { status: response.status },
        'background notification: the upstream refused the continuation',
      );
      return replacement;
    }
    const items: Json[] = [];
    const started: RunningCall[] = [];
    let work = false;
    const outcome = await relayContinuation(
      response.body,
      (text) => write(ctx.res, text),
      next,
      (item) => {
        items.push(item);
        if (leavesWork(item)) work = true;
        const call = injectedCall(item, ctx.toolNames);
        if (call) started.push(ctx.calls.fromUpstream(call, ctx.caller));
      },
    );
    next = outcome.nextOutputIndex;
    if (!outcome.final) {
      const error = outcome.failed ? JSON.stringify(outcome.failed).slice(0, 500) : 'no final event';
      ctx.logger?.warn({ error }, 'background notification: the continuation failed');
      return replacement;
    }
    next = await awaitCalls(ctx.calls, started, ctx.emit, next, ctx.keepAliveMs);
    output.push(...items);
    const final = outcome.final;
    replacement = sseEvent(String(final.type), {
      ...final,
      response: { ...(final.response as Json | undefined), output },
    });
    if (work || !ctx.notices.pending(ctx.conversation)) return replacement;
    input.push(...items);
  }
}

async function write(res: ServerResponse, text: string): Promise<void> {
  if (!res.write(text)) await drained(res);
}

const count = (n: number) => `${n} subagent${n === 1 ? '' : 's'}`;
const labels = (calls: readonly RunningCall[]) => calls.map((call) => call.label).join(', ');
