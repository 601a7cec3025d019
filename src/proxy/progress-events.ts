import { randomBytes } from 'node:crypto';

type Json = Record<string, unknown>;
type Emit = (type: string, data: Json) => unknown;

/**
 * Ids of the reasoning items the proxy adds to a response. Codex keeps them in its history and
 * sends them back; they are removed from every request before it goes upstream (the upstream never
 * made them).
 */
export const SYNTHETIC_ID_PREFIX = 'rs_codextask_';

/** One SSE event in the Responses format (`event:` line, then the JSON with its `type`). */
export function sseEvent(type: string, data: Json): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

/** Event Codex ignores (unknown type) but counts as stream activity: SSE comments do not reset its idle timer. */
export const KEEPALIVE_EVENT = 'codex_task.keepalive';

/**
 * Subagent progress as reasoning items with a summary, the one thing `codex exec` and the TUI show
 * between tool calls. One small item per line, each complete at once: `codex exec` prints a
 * reasoning item when it is done, so one item per line is what makes progress live there. A
 * keep-alive event goes out every `keepAliveMs` in between.
 */
export function progressItems(emit: Emit, firstOutputIndex: number, keepAliveMs: number) {
  let outputIndex = firstOutputIndex;
  const timer = setInterval(() => emit(KEEPALIVE_EVENT, { running: true }), keepAliveMs);
  return {
    say(line: string): void {
      const id = `${SYNTHETIC_ID_PREFIX}${randomBytes(8).toString('hex')}`;
      const output_index = outputIndex++;
      emit('response.output_item.added', { output_index, item: { id, type: 'reasoning', summary: [] } });
      emit('response.reasoning_summary_text.delta', {
        item_id: id,
        output_index,
        summary_index: 0,
        delta: line,
      });
      emit('response.output_item.done', {
        output_index,
        item: { id, type: 'reasoning', summary: [{ type: 'summary_text', text: line }] },
      });
    },
    done(): void {
      clearInterval(timer);
    },
    /** The first output index after the items said so far. */
    nextOutputIndex(): number {
      return outputIndex;
    },
  };
}

/** Keep-alive events only (waiting before the upstream answers: no output item may come first). */
export function keepAlive(emit: Emit, keepAliveMs: number): () => void {
  emit(KEEPALIVE_EVENT, { waiting: true });
  const timer = setInterval(() => emit(KEEPALIVE_EVENT, { waiting: true }), keepAliveMs);
  return () => clearInterval(timer);
}

/** Removes the proxy's own reasoning items from a request's input; true when any was there. */
export function stripSynthetic(body: Json): boolean {
  if (!Array.isArray(body.input)) return false;
  const kept = body.input.filter(
    (item) =>
      !(
        typeof (item as Json)?.id === 'string' &&
        ((item as Json).id as string).startsWith(SYNTHETIC_ID_PREFIX)
      ),
  );
  if (kept.length === body.input.length) return false;
  body.input = kept;
  return true;
}
