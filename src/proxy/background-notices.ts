import { createHash } from 'node:crypto';
import { formatTaskNotification, type TaskEngine, type TaskResult } from '../engine/index.ts';

type Json = Record<string, unknown>;

/** A background Task of one conversation whose notification has not been delivered yet. */
interface Launched {
  callId: string;
  taskId: string;
  /** `<description> (<agent>)`, as progress lines name it. */
  label: string;
  result: TaskResult | undefined;
  done: Promise<TaskResult>;
}

/** A notification already delivered, and the history item it follows. */
interface Delivered {
  after: string;
  message: Json;
}

interface Conversation {
  launched: Launched[];
  delivered: Delivered[];
}

const MAX_CONVERSATIONS = 1_000;
const MAX_DELIVERED = 100;

/**
 * The background Tasks (`run_in_background`) of each conversation (Codex's thread) and the
 * `<task-notification>` user messages that tell its model they finished, in Claude Code's words
 * (docs/compatibility.md).
 *
 * A notification is delivered once: appended to the input of the first request of its conversation
 * that goes upstream after the task finished (a request of Codex's, or the proxy's own
 * continuation of a held response: responses-route.ts). Codex never sees it — it is no item of
 * Codex's history — so to keep the history the model reads true and its prompt cache warm, every
 * later request gets it again at the same place: after the item it followed when it was delivered
 * (by the item's `id`, which Codex gives every item; by its JSON otherwise). A history that no
 * longer has that item (compacted) no longer has the notification.
 *
 * In memory only: a restarted proxy has lost the background tasks themselves (the engine
 * interrupts them), and earlier notifications are missing from later requests; the tool output
 * that launched each one still says what was launched.
 */
export class BackgroundNotices {
  readonly #engine: Pick<TaskEngine, 'backgroundResult'>;
  readonly #conversations = new Map<string, Conversation>();

  constructor(engine: Pick<TaskEngine, 'backgroundResult'>) {
    this.#engine = engine;
  }

  /** A background Task started for a call of this conversation. */
  launched(
    conversation: string,
    task: { callId: string; taskId: string; label: string; result: Promise<TaskResult> },
  ): void {
    const entry: Launched = { ...task, result: undefined, done: task.result };
    void task.result.then((result) => {
      entry.result = result;
    });
    this.#touch(conversation).launched.push(entry);
  }

  /** Whether the conversation has background Tasks not delivered yet (running, or finished since). */
  pending(conversation: string | undefined): boolean {
    return conversation !== undefined && (this.#conversations.get(conversation)?.launched.length ?? 0) > 0;
  }

  /** The conversation's background Tasks still running. */
  running(conversation: string): { callId: string; label: string }[] {
    return (this.#conversations.get(conversation)?.launched ?? []).filter((t) => !t.result);
  }

  /**
   * Puts the conversation's delivered notifications back where they were (see the class comment)
   * and appends those of Tasks finished since; the new input, or undefined when it is unchanged.
   */
  prepare(conversation: string | undefined, input: readonly unknown[]): unknown[] | undefined {
    const known = conversation === undefined ? undefined : this.#conversations.get(conversation);
    if (!known) return undefined;
    const placed = known.delivered.length > 0 ? this.#place(known, input) : [...input];
    const added = this.deliverFinished(conversation as string, placed);
    return added > 0 || placed.length !== input.length ? placed : undefined;
  }

  /**
   * Appends the notifications of the conversation's finished background Tasks to `input` (each
   * once; remembered with the item it follows) and marks their results read in the engine.
   * Returns how many it appended.
   */
  deliverFinished(conversation: string, input: unknown[]): number {
    const known = this.#conversations.get(conversation);
    const finished = known?.launched.filter((t) => t.result) ?? [];
    if (!known || finished.length === 0) return 0;
    const notes = new Set(known.delivered.map((d) => d.message));
    const anchor = input.findLast((item) => !notes.has(item as Json));
    const after = anchor === undefined ? '' : itemKey(anchor);
    for (const task of finished) {
      const message = userMessage(formatTaskNotification(task.result as TaskResult, task.callId));
      known.delivered.push({ after, message });
      input.push(message);
      // Read: it no longer counts against the engine's background.maxUnread.
      void this.#engine.backgroundResult(task.taskId);
    }
    known.launched = known.launched.filter((t) => !t.result);
    if (known.delivered.length > MAX_DELIVERED)
      known.delivered.splice(0, known.delivered.length - MAX_DELIVERED);
    return finished.length;
  }

  /**
   * Resolves when one of the conversation's running background Tasks has finished (`finished`), at
   * `deadline` (epoch ms) or when `signal` aborts.
   */
  async nextFinished(
    conversation: string,
    deadline: number,
    signal: AbortSignal,
  ): Promise<'finished' | 'timeout' | 'aborted'> {
    const launched = this.#conversations.get(conversation)?.launched ?? [];
    if (launched.length === 0 || launched.some((t) => t.result)) return 'finished';
    if (signal.aborted) return 'aborted';
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      return await Promise.race([
        Promise.race(launched.map((t) => t.done)).then(() => 'finished' as const),
        new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
        }),
        new Promise<'aborted'>((resolve) => {
          onAbort = () => resolve('aborted');
          signal.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  /** `input` with each delivered notification after the item it followed (in delivery order). */
  #place(known: Conversation, input: readonly unknown[]): unknown[] {
    const byAnchor = new Map<string, Json[]>();
    for (const { after, message } of known.delivered) {
      const list = byAnchor.get(after) ?? [];
      list.push(message);
      byAnchor.set(after, list);
    }
    const out: unknown[] = [...(byAnchor.get('') ?? [])];
    for (const item of input) {
      out.push(item);
      const notes = byAnchor.get(itemKey(item));
      if (notes) {
        out.push(...notes);
        // Once: an item repeated later in the history does not repeat its notifications.
        byAnchor.delete(itemKey(item));
      }
    }
    return out;
  }

  #touch(conversation: string): Conversation {
    let known = this.#conversations.get(conversation);
    if (known) this.#conversations.delete(conversation);
    else known = { launched: [], delivered: [] };
    this.#conversations.set(conversation, known);
    // Bounded: the least recently used conversations without running tasks go first.
    if (this.#conversations.size > MAX_CONVERSATIONS) {
      for (const [id, c] of this.#conversations) {
        if (this.#conversations.size <= MAX_CONVERSATIONS) break;
        if (c.launched.length === 0) this.#conversations.delete(id);
      }
    }
    return known;
  }
}

function userMessage(text: string): Json {
  return { type: 'message', role: 'user', content: [{ type: 'input_text', text }] };
}

function itemKey(item: unknown): string {
  const id = (item as Json | null)?.id;
  if (typeof id === 'string') return `id:${id}`;
  return `json:${createHash('sha256')
    .update(JSON.stringify(item) ?? '')
    .digest('base64url')}`;
}
