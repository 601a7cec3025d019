/**
 * Every `type` a codex-task error has: what scripts match on in `TaskResult.error.type`, in JSON
 * output and in the HTTP API's answers (docs/errors.md lists each with its class, fields and fix).
 * One per error class, named as the class without `Error` (AgentNotFoundError → 'AgentNotFound').
 */
export const ERROR_TYPES = [
  // What a TaskResult can carry.
  'AgentNotFound',
  'AgentConfig',
  'InvalidTaskInput',
  'ToolDenied',
  'ToolExecution',
  'ModelConfig',
  'Provider',
  'ProviderUnavailable',
  'BudgetExceeded',
  'TaskTimeout',
  'TaskCancelled',
  'TaskInterrupted',
  'MaxTurnsExceeded',
  'EmptyResult',
  'SpawnDepthExceeded',
  'TaskNotFound',
  'BackgroundLimit',
  'WorktreeUnavailable',
  'WorkspaceUnavailable',
  'WorkspaceNotShared',
  'QueueUnavailable',
  // What commands and servers refuse before any task runs.
  'Config',
  'PermissionConfig',
  'ProxyConfig',
  'McpConfig',
  'CodexConfig',
  'Script',
  'BatchInput',
  'InputFile',
  'WorkingDirectory',
  'UnknownProvider',
  'PortInUse',
  'UnprotectedListen',
  'StoreVersion',
  'AmbiguousTaskId',
] as const;

/**
 * The HTTP surfaces' refusals, all carried by one class (HttpError, with the status): each names
 * what the client must change. `upstream_unavailable` keeps OpenAI's spelling, because the proxy
 * answers in OpenAI's error shape and reports the same failure mid-stream under that code.
 */
export const HTTP_ERROR_TYPES = [
  'InvalidRequest',
  'InvalidJson',
  'InvalidRequestTarget',
  'PayloadTooLarge',
  'UnsupportedMediaType',
  'ForbiddenHost',
  'ForbiddenOrigin',
  'Unauthorized',
  'NotFound',
  'MethodNotAllowed',
  'Conflict',
  'TooManyRequests',
  'InternalError',
  'upstream_unavailable',
] as const;

export type HttpErrorType = (typeof HTTP_ERROR_TYPES)[number];
export type ErrorType = (typeof ERROR_TYPES)[number] | HttpErrorType;

/**
 * The type of anything thrown that is not a CodexTaskError (a bug, or a library's error we did not
 * anticipate): its own name, when it has one, goes in `details.name`.
 */
export const FOREIGN_ERROR_TYPE = 'Error';
export type ForeignErrorType = typeof FOREIGN_ERROR_TYPE;

/**
 * Types renamed in this version (old → new), so they follow the class names. Records an earlier
 * version stored are read with the new names; a script that must work with both versions can map
 * what it reads through this table.
 */
export const RENAMED_ERROR_TYPES = {
  InvalidInput: 'InvalidTaskInput',
  ToolError: 'ToolExecution',
  ProviderError: 'Provider',
  Timeout: 'TaskTimeout',
  Cancelled: 'TaskCancelled',
  Interrupted: 'TaskInterrupted',
  ConfigError: 'Config',
  ProxyConfigError: 'ProxyConfig',
  ScriptedModelScript: 'Script',
} as const satisfies Record<string, ErrorType>;

export type RenamedErrorType = keyof typeof RENAMED_ERROR_TYPES;

const KNOWN = new Set<string>([...ERROR_TYPES, ...HTTP_ERROR_TYPES]);

/** The current name of a type read from elsewhere (a stored record, an older version), or undefined if it is none of ours. */
export function currentErrorType(type: string): ErrorType | undefined {
  if (Object.hasOwn(RENAMED_ERROR_TYPES, type)) return RENAMED_ERROR_TYPES[type as RenamedErrorType];
  return KNOWN.has(type) ? (type as ErrorType) : undefined;
}
