import { randomBytes } from 'node:crypto';

type Json = Record<string, unknown>;
type Emit = (type: string, data: Json) => void;

/**
 * Ids of the reasoning items the proxy adds to a response. Codex keeps them in its history and
 * sends them back; they are removed from every request before it goes upstream (the upstream never
 * made them).
 */
export const SYNTHETIC_ID_PREFIX = 'rs_codextask_';

/** Event Codex ignores (unknown type) but counts as stream activity: SSE comments do not reset its idle timer. */
export const KEEPALIVE_EVENT = 'codex_task.keepalive';

/**
 * Subagent progress as a reasoning item with a summary, the one thing `codex exec` and the TUI show
 * between tool calls: each line streams as a summary delta, and the done item carries them all
 * (that is what `codex exec` prints). A keep-alive event goes out every `keepAliveMs` in between.
 */
export function progressItem(emit: Emit, outputIndex: number, keepAliveMs: number) {
  const id = `${SYNTHETIC_ID_PREFIX}${randomBytes(8).toString('hex')}`;
  const lines: string[] = [];
  emit('response.output_item.added', {
    output_index: outputIndex,
    item: { id, type: 'reasoning', summary: [] },
  });
  const timer = setInterval(() => emit(KEEPALIVE_EVENT, { running: true }), keepAliveMs);
  return {
    say(line: string): void {
      emit('response.reasoning_summary_text.delta', {
        item_id: id,
        output_index: outputIndex,
        summary_index: 0,
        delta: lines.length === 0 ? line : `\n${line}`,
      });
      lines.push(line);
    },
    done(): void {
      clearInterval(timer);
      emit('response.output_item.done', {
        output_index: outputIndex,
        item: { id, type: 'reasoning', summary: [{ type: 'summary_text', text: lines.join('\n') }] },
      });
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
