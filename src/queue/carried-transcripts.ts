import type { Transcript, TranscriptStore } from '../engine/index.ts';

/**
 * A worker engine's transcripts: the conversation a follow-up job carries is lent to the engine
 * while that task runs (the worker has no run store of the client's), and the one a finished task
 * leaves is kept for the job's answer. Kept ones also serve follow-ups between tasks of the same
 * worker (a subagent's SendMessage to its child). `inner` is the worker's run store, when it has one.
 */
export class CarriedTranscripts implements TranscriptStore {
  readonly #inner: TranscriptStore | undefined;
  readonly #lent = new Map<string, Transcript>();
  readonly #kept = new Map<string, Transcript>();
  readonly #limit: number;

  constructor(inner?: TranscriptStore, limit = 200) {
    this.#inner = inner;
    this.#limit = limit;
  }

  save(transcript: Transcript): void {
    this.#inner?.save(transcript);
    this.#kept.delete(transcript.taskId);
    this.#kept.set(transcript.taskId, transcript);
    if (this.#kept.size > this.#limit) this.#kept.delete(this.#kept.keys().next().value as string);
  }

  load(taskId: string): Transcript | undefined {
    return this.#lent.get(taskId) ?? this.#kept.get(taskId) ?? this.#inner?.load(taskId);
  }

  /** Lends a carried conversation until the returned function is called. */
  lend(transcript: Transcript): () => void {
    this.#lent.set(transcript.taskId, transcript);
    return () => this.#lent.delete(transcript.taskId);
  }

  /** The conversation a task left, for its job's answer. */
  kept(taskId: string): Transcript | undefined {
    return this.#kept.get(taskId);
  }
}
