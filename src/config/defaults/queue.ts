/**
 * The queue's defaults (`codex-task worker` and clients that enqueue; docs/scaling-out.md). The
 * stall timeout is BullMQ's lockDuration: a worker killed mid-task is noticed within it (plus one
 * stall check), so the task runs again elsewhere within seconds; a live worker renews its locks
 * every half of it, from its event loop, which our tools never block (they are child processes).
 */
export const QUEUE_DEFAULTS = {
  /** Hash-tagged, so every key of the queue lands in one Redis Cluster slot (BullMQ's scripts need that). */
  prefix: '{codex-task}',
  stallTimeoutMs: 2_000,
  /** Runs of one task at most: the first and the re-runs after a worker died or failed. */
  attempts: 3,
  /** How long an enqueue or the first connection may take before QueueUnavailable. */
  connectTimeoutMs: 3_000,
  /** `path`: workers see the task's directory at the same path (one machine, or a shared volume). */
  workspace: 'path' as 'path' | 'git',
  gitRemote: 'origin',
  gitPush: false,
} as const;
