/**
 * Run records: every task from admission to end, with its transcript, in SQLite (`node:sqlite`).
 * `attachRunRecorder(engine, store, …)` writes them as they happen; the queries read them back.
 */
export { MIGRATIONS, SCHEMA_VERSION, StoreVersionError } from './migrations.ts';
export { resultOfRecord } from './record-result.ts';
export { AmbiguousTaskIdError } from './run-queries.ts';
export { attachRunRecorder, type RecorderOptions, type RunRecorder } from './run-recorder.ts';
export { defaultRunsDbPath, RunStore, type RunStoreOptions } from './run-store.ts';
export { storeTranscripts } from './store-transcripts.ts';
export type { SearchFilter, TaskPage, TimelineRow } from './task-search.ts';
export {
  LIVE_STATUSES,
  type ListFilter,
  type QueuedTask,
  RECORD_STATUSES,
  type RecordedWorkspace,
  type RecordStatus,
  type RetentionPolicy,
  type StepKind,
  type StepRecord,
  type TaskRecord,
} from './types.ts';
