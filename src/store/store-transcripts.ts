import type { TranscriptStore } from '../engine/index.ts';
import type { Redactor } from '../telemetry/index.ts';
import type { RunStore } from './run-store.ts';

/**
 * An engine's transcripts kept in the run store, so a follow-up (SendMessage, `runs resume`,
 * `POST /v1/tasks/:id/messages`) continues a conversation after a restart. Redacted as every other
 * record is: a secret a subagent read is not written to disk, and the follow-up sees it masked.
 */
export function storeTranscripts(store: RunStore, redactor: Redactor): TranscriptStore {
  return {
    save: (transcript) =>
      store.saveTranscript({ ...transcript, messages: redactor.value(transcript.messages) }),
    load: (taskId) => store.loadTranscript(taskId),
  };
}
