import type { Transcript, TranscriptStore } from './types.ts';

/**
 * Transcripts kept in the engine's memory when no run store is attached (the library without
 * `observe()`): the latest `limit` ones, so a long-lived engine does not grow without bound. A
 * follow-up of an older one says it is gone (TaskNotFound) rather than continuing something else.
 */
export class MemoryTranscripts implements TranscriptStore {
  readonly #limit: number;
  readonly #byId = new Map<string, Transcript>();

  constructor(limit = 500) {
    this.#limit = limit;
  }

  save(transcript: Transcript): void {
    this.#byId.delete(transcript.taskId);
    this.#byId.set(transcript.taskId, transcript);
    if (this.#byId.size > this.#limit) {
      const oldest = this.#byId.keys().next().value;
      if (oldest !== undefined) this.#byId.delete(oldest);
    }
  }

  load(taskId: string): Transcript | undefined {
    return this.#byId.get(taskId);
  }
}
