import { CodexTaskError } from './codex-task-error.ts';

/**
 * Redis (the queue's shared state) cannot be reached or did not answer in time. `url` is shown
 * without its password; `setting` names where it came from, so the message says what to fix.
 */
export class QueueUnavailableError extends CodexTaskError<{ url: string; problem: string }> {
  constructor(url: string, problem: string, hint?: string, cause?: unknown) {
    super(
      'QueueUnavailable',
      `The queue's Redis at ${url} is unavailable: ${problem}`,
      hint ??
        'Check that Redis runs and is reachable from here (`codex-task doctor` checks it), and the URL in CODEX_TASK_REDIS_URL, queue.url or --redis.',
      { cause, details: { url, problem } },
    );
  }
}

/**
 * A queued task's workspace cannot be made on this worker: a shared path it does not see, a git
 * remote it cannot fetch, a commit the remote does not have.
 */
export class WorkspaceUnavailableError extends CodexTaskError<{ workspace: string; problem: string }> {
  constructor(workspace: string, problem: string, hint: string, cause?: unknown) {
    super(
      'WorkspaceUnavailable',
      `The workspace ${workspace} is unavailable on this worker: ${problem}`,
      hint,
      {
        cause,
        details: { workspace, problem },
      },
    );
  }
}

/**
 * The client cannot send a task's directory as a git workspace (`queue.workspace: git`): not a git
 * checkout, no such remote, or a HEAD the remote does not have. Nothing was enqueued.
 */
export class WorkspaceNotSharedError extends CodexTaskError<{ directory: string; problem: string }> {
  constructor(directory: string, problem: string, hint: string, cause?: unknown) {
    super(
      'WorkspaceNotShared',
      `The directory ${directory} cannot be sent to the queue's workers as a git workspace (queue.workspace: git): ${problem}`,
      hint,
      { cause, details: { directory, problem } },
    );
  }
}
