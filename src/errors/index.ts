/**
 * Errors are values with a type and a remedy. The types (`ErrorType`) are listed here, all of them;
 * the classes of failures that belong to one concept live with it and extend CodexTaskError
 * (ConfigError in config/, HttpError in http/, StoreVersionError in store/…). docs/errors.md is the table.
 */
export {
  CodexTaskError,
  type ErrorDetails,
  reviveErrorInfo,
  type TaskErrorInfo,
  toErrorInfo,
} from './codex-task-error.ts';
export {
  currentErrorType,
  ERROR_TYPES,
  type ErrorType,
  FOREIGN_ERROR_TYPE,
  type ForeignErrorType,
  HTTP_ERROR_TYPES,
  type HttpErrorType,
  RENAMED_ERROR_TYPES,
  type RenamedErrorType,
} from './error-types.ts';
export { QueueUnavailableError, WorkspaceNotSharedError, WorkspaceUnavailableError } from './queue-errors.ts';
export {
  AgentConfigError,
  AgentNotFoundError,
  BackgroundLimitError,
  BudgetExceededError,
  EmptyResultError,
  InvalidTaskInputError,
  MaxTurnsExceededError,
  ModelConfigError,
  ProviderError,
  ProviderUnavailableError,
  type SkippedAgentFileInfo,
  SpawnDepthError,
  SpawnDepthExceededError,
  TaskCancelledError,
  TaskInterruptedError,
  TaskNotFoundError,
  TaskTimeoutError,
  ToolDeniedError,
  ToolExecutionError,
  WorktreeUnavailableError,
} from './task-errors.ts';
export {
  InputFileError,
  PortInUseError,
  UnknownProviderError,
  WorkingDirectoryError,
} from './usage-errors.ts';
