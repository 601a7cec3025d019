import type { ErrorType } from '../errors/index.ts';

/** Exit codes shared by every command: scripts and CI branch on them. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** Why a task stopped by Ctrl-C stopped: its result's error reads `TaskCancelled: cancelled by Ctrl-C`. */
export const INTERRUPTED_REASON = 'cancelled by Ctrl-C';

/**
 * Error types fixed by changing the command, its flags or the configuration, not by retrying: a
 * port in use is one (the fix is `--port`), whichever server command met it.
 */
const USAGE_ERRORS: ReadonlySet<string> = new Set<ErrorType>([
  'AgentNotFound',
  'BatchInput',
  'Config',
  'InputFile',
  'InvalidTaskInput',
  'ModelConfig',
  'PortInUse',
  'ProxyConfig',
  'Script',
  'UnknownProvider',
  'UnprotectedListen',
  'WorkingDirectory',
]);

/** The exit code of a command that ended with this error type (a CodexTaskError's `type`). */
export function exitCodeOf(errorType: string | undefined): number {
  return errorType !== undefined && USAGE_ERRORS.has(errorType) ? EXIT.usage : EXIT.failed;
}
