import type { Readable } from 'node:stream';
import { createParser } from 'eventsource-parser';
import { sseEvent } from './progress-events.ts';

type Json = Record<string, unknown>;

/** The events that open a response: the client had them from the response this one continues. */
const OPENING = new Set(['response.created', 'response.in_progress']);
const FINAL = new Set(['response.completed', 'response.incomplete']);
const FAILED = new Set(['response.failed', 'error']);

export interface ContinuationOutcome {
  /** The final event's data (`response.completed` or `.incomplete`), held back: not written. */
  final?: Json;
  /** Set when the upstream failed it (`response.failed`, `error`): that event, not written either. */
  failed?: Json;
  nextOutputIndex: number;
}

/**
 * Relays a response the proxy asked for itself (a continuation: background-hold.ts) into the
 * stream of the response it continues, which the client is still reading: its opening events are
 * dropped, its output items numbered on from `firstOutputIndex`, each done item reported, and its
 * last event — final or failed — returned instead of written. Every event is parsed and written
 * again; continuations are rare, so the byte-for-byte path of sse-relay.ts is not worth it here.
 */
export async function relayContinuation(
  body: Readable,
  write: (text: string) => Promise<void>,
  firstOutputIndex: number,
  onItemDone: (item: Json) => void,
): Promise<ContinuationOutcome> {
  const outcome: ContinuationOutcome = { nextOutputIndex: firstOutputIndex };
  let out = '';
  const parser = createParser({
    onEvent: (event) => {
      let data: Json;
      try {
        const value: unknown = JSON.parse(event.data);
        if (typeof value !== 'object' || value === null) return;
        data = value as Json;
      } catch {
        return;
      }
      const type = typeof data.type === 'string' ? data.type : (event.event ?? 'message');
      if (outcome.final || outcome.failed || OPENING.has(type)) return;
      if (FINAL.has(type)) outcome.final = data;
      else if (FAILED.has(type)) outcome.failed = data;
      if (outcome.final || outcome.failed) return;
      if (typeof data.output_index === 'number') {
        data.output_index += firstOutputIndex;
        outcome.nextOutputIndex = Math.max(outcome.nextOutputIndex, data.output_index + 1);
      }
      if (type === 'response.output_item.done' && typeof data.item === 'object' && data.item)
        onItemDone(data.item as Json);
      out += sseEvent(type, data);
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of body as AsyncIterable<Buffer>) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (out !== '') {
      const text = out;
      out = '';
      await write(text);
    }
  }
  return outcome;
}
