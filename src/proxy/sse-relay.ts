import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { sseEvent } from './progress-events.ts';

type Json = Record<string, unknown>;

export interface RelayHooks {
  /**
   * A `response.output_item.done` went by (its bytes are already on their way to the client): every
   * one when `allItems` is set, else only those that may be function calls.
   */
  onItemDone(item: Json): void;
  allItems?: boolean;
  /** Whether the stream's final event must wait (subagents of this response still running). */
  mustHold(): boolean;
  /**
   * Runs once the upstream stream has ended with its final event held back: writes events (progress,
   * keep-alive) with `emit` until the work is done. `nextOutputIndex` is free for new output items.
   * What it returns, when it returns something, is written instead of the held final event.
   */
  settle(emit: (type: string, data: Json) => unknown, nextOutputIndex: number): Promise<string | undefined>;
}

/** End of one SSE event (after its blank line), from `from`; -1 when the event is not complete yet. */
function eventEnd(buf: Buffer, from: number): number {
  let i = buf.indexOf(0x0a, from);
  while (i !== -1) {
    if (buf[i + 1] === 0x0a) return i + 2;
    if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) return i + 3;
    i = buf.indexOf(0x0a, i + 1);
  }
  return -1;
}

const ITEM_DONE = 'response.output_item.done';
const FINAL_EVENTS = ['response.completed', 'response.incomplete'];
const EVENT_FIELD = Buffer.from('event:');

/**
 * The type an event names on its first line (`event: <type>`, as the Responses API sends every
 * event), or undefined when it does not start with one (then its bytes are searched instead).
 */
function leadingEventType(raw: Buffer): string | undefined {
  if (
    raw.length <= EVENT_FIELD.length ||
    raw.compare(EVENT_FIELD, 0, EVENT_FIELD.length, 0, EVENT_FIELD.length) !== 0
  )
    return undefined;
  let end = raw.indexOf(0x0a, EVENT_FIELD.length);
  if (end === -1) return undefined;
  if (raw[end - 1] === 0x0d) end--;
  const from = raw[EVENT_FIELD.length] === 0x20 ? EVENT_FIELD.length + 1 : EVENT_FIELD.length;
  return raw.toString('utf8', from, end);
}

/**
 * Relays an upstream Responses SSE stream to the client byte for byte, event by event: each
 * complete event is written as soon as its last byte arrives (only the unfinished tail of an event
 * waits for the rest of it). Events are parsed (eventsource-parser) only when they can matter — an
 * output item done, the final event. When the hooks say so, the final event and anything after it
 * are held back until `settle` is done, and what `settle` emits goes in before them.
 */
export async function relaySse(body: Readable, res: ServerResponse, hooks: RelayHooks): Promise<void> {
  let parsed: EventSourceMessage | undefined;
  const parser = createParser({
    onEvent: (event) => {
      parsed = event;
    },
  });
  let tail: Buffer | undefined;
  let held: Buffer[] | undefined;
  let nextOutputIndex = 0;

  const write = async (bytes: Buffer) => {
    if (bytes.length > 0 && !res.write(bytes)) await drained(res);
  };
  // Most events cannot matter (text deltas and the like): their `event:` line says so, and nothing
  // else is done with them. Only a done item that may be a function call is parsed, and the final
  // event only when it may have to be held.
  const inspect = (raw: Buffer): 'hold' | 'pass' => {
    const type = leadingEventType(raw);
    const done = type === undefined ? raw.includes(ITEM_DONE) : type === ITEM_DONE;
    const final =
      !done && (type === undefined ? FINAL_EVENTS.some((t) => raw.includes(t)) : FINAL_EVENTS.includes(type));
    if (done ? !hooks.allItems && !raw.includes('function_call') : !final || !hooks.mustHold()) return 'pass';
    const data = eventData(raw);
    if (!data) return 'pass';
    if (data.type === ITEM_DONE && typeof data.item === 'object' && data.item) {
      if (typeof data.output_index === 'number')
        nextOutputIndex = Math.max(nextOutputIndex, data.output_index + 1);
      hooks.onItemDone(data.item as Json);
      return 'pass';
    }
    if (!FINAL_EVENTS.includes(String(data.type)) || !hooks.mustHold()) return 'pass';
    // Done items that were not parsed (messages, reasoning) still hold output indexes: the final
    // event's output lists them all.
    const output = (data.response as Json | undefined)?.output;
    if (Array.isArray(output)) nextOutputIndex = Math.max(nextOutputIndex, output.length);
    return 'hold';
  };
  const eventData = (raw: Buffer): Json | undefined => {
    parsed = undefined;
    parser.feed(raw.toString('utf8'));
    if (!parsed) return undefined;
    try {
      const data: unknown = JSON.parse((parsed as EventSourceMessage).data);
      return typeof data === 'object' && data !== null ? (data as Json) : undefined;
    } catch {
      return undefined;
    }
  };

  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (held) {
      held.push(chunk);
      continue;
    }
    const buf = tail ? Buffer.concat([tail, chunk]) : chunk;
    let start = 0;
    let end = eventEnd(buf, 0);
    let sendUpTo = 0;
    while (end !== -1) {
      if (inspect(buf.subarray(start, end)) === 'hold') {
        held = [buf.subarray(start)];
        break;
      }
      sendUpTo = end;
      start = end;
      end = eventEnd(buf, start);
    }
    tail = held || start === buf.length ? undefined : buf.subarray(start);
    // A write per chunk (not per event): a chunk of ten events stays one write.
    await write(sendUpTo === buf.length ? buf : buf.subarray(0, sendUpTo));
  }
  if (held) {
    const replacement = await hooks.settle((type, data) => res.write(sseEvent(type, data)), nextOutputIndex);
    await write(replacement === undefined ? Buffer.concat(held) : Buffer.from(replacement));
  } else if (tail) {
    await write(tail);
  }
  res.end();
}

/** Resolves on 'drain', or on 'close' (a client gone never drains: the caller's abort ends the relay). */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
