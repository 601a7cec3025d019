import {
  currentErrorType,
  type ErrorType,
  FOREIGN_ERROR_TYPE,
  type ForeignErrorType,
  RENAMED_ERROR_TYPES,
  type RenamedErrorType,
} from './error-types.ts';

/** An error's structured fields: plain JSON data (names, paths, limits), never secrets. */
export type ErrorDetails = Readonly<Record<string, unknown>>;

/** The plain-data form of an error, as it appears in a TaskResult, JSON output and the run store. */
export interface TaskErrorInfo {
  type: ErrorType | ForeignErrorType;
  message: string;
  hint?: string;
  /** The error's structured fields (its class's `details`), when it has any. */
  details?: ErrorDetails;
}

/**
 * Errors are values with a type and a remedy: each subclass is a failure a user must be able to
 * tell apart (its `type`), carries the hint a person needs to fix it, and the facts behind the
 * message as `details` (the agent asked for, the file, the limit…), which reach TaskResult.error.
 */
export abstract class CodexTaskError<D extends ErrorDetails = ErrorDetails> extends Error {
  readonly type: ErrorType;
  readonly hint: string | undefined;
  readonly details: D;

  /**
   * `type` may also be a name renamed in this version: a subclass written against the old names
   * (in another module, or a library user's) keeps working and reports the new one.
   */
  constructor(
    type: ErrorType | RenamedErrorType,
    message: string,
    hint?: string,
    options?: { cause?: unknown; details?: D },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.type = Object.hasOwn(RENAMED_ERROR_TYPES, type)
      ? RENAMED_ERROR_TYPES[type as RenamedErrorType]
      : (type as ErrorType);
    this.hint = hint;
    this.details = options?.details ?? ({} as D);
  }

  toJSON(): TaskErrorInfo {
    const details = Object.entries(this.details).filter(([, value]) => value !== undefined);
    return {
      type: this.type,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      ...(details.length > 0 ? { details: Object.fromEntries(details) } : {}),
    };
  }
}

/** Normalises anything thrown into the plain-data error of a TaskResult (foreign errors as `Error`, their name in details). */
export function toErrorInfo(error: unknown): TaskErrorInfo {
  if (error instanceof CodexTaskError) return error.toJSON();
  if (!(error instanceof Error)) return { type: FOREIGN_ERROR_TYPE, message: String(error) };
  return {
    type: FOREIGN_ERROR_TYPE,
    message: error.message,
    ...(error.name && error.name !== 'Error' ? { details: { name: error.name } } : {}),
  };
}

/**
 * An error read back from JSON written earlier (the run store, possibly by an older version): a
 * renamed type gets its current name, a type that is none of ours (an older foreign error's name)
 * becomes `Error` with that name in `details.name`.
 */
export function reviveErrorInfo(value: unknown): TaskErrorInfo | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { type, message, hint, details } = value as Record<string, unknown>;
  const text = typeof message === 'string' ? message : '';
  const known = typeof type === 'string' ? currentErrorType(type) : undefined;
  const more = typeof details === 'object' && details !== null ? (details as ErrorDetails) : undefined;
  const name = !known && typeof type === 'string' && type !== FOREIGN_ERROR_TYPE ? { name: type } : undefined;
  return {
    type: known ?? FOREIGN_ERROR_TYPE,
    message: text,
    ...(typeof hint === 'string' ? { hint } : {}),
    ...(more || name ? { details: { ...more, ...name } } : {}),
  };
}
