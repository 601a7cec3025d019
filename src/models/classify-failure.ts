import {
  APICallError,
  EmptyResponseBodyError,
  InvalidResponseDataError,
  JSONParseError,
  TypeValidationError,
} from 'ai';
import { BrokenCircuitError, IsolatedCircuitError } from 'cockatiel';

/**
 * What a failed model call means for the retry loop:
 * - `availability`: the provider could not serve it now (408, 409, 429, 5xx, 529, connection
 *   errors, timeouts, a cut or malformed body, an open circuit). Retried, and may fail over.
 * - `request`: the request itself or its credentials are wrong (400, 401, 403, 404, 422, …). Never
 *   retried, never failed over: the same request fails the same way everywhere.
 * - `cancelled`: the caller aborted (task cancelled or timed out).
 */
export type FailureKind = 'availability' | 'request' | 'cancelled';

export interface Failure {
  kind: FailureKind;
  /** HTTP status when the provider answered. */
  status?: number;
  /** The provider's Retry-After, in ms from now (not yet capped). */
  retryAfterMs?: number;
  /** Short label for events and metrics: `429`, `503`, `connection`, `timeout`, `malformed`, `circuit-open`. */
  reason: string;
}

/**
 * One attempt of a model call ran past its own bound (total-per-call timeout). This and
 * IncompleteStreamError are signals for the retry loop, not CodexTaskErrors: classifyFailure reads
 * them, and one that is not retried away reaches a user only as the cause of a ProviderUnavailableError.
 */
export class CallTimeoutError extends Error {
  override readonly name = 'CallTimeoutError';
  constructor(timeoutMs: number, options?: { cause?: unknown }) {
    super(`The model call took longer than ${timeoutMs} ms`, options);
  }
}

/** A streamed reply that ended before any output and without a finish: cut on the way. */
export class IncompleteStreamError extends Error {
  override readonly name = 'IncompleteStreamError';
}

const RETRYABLE_STATUS = new Set([408, 409, 429]);
const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
]);
/** Socket-level failures (Node and undici codes): the request may not even have reached the provider. */
const NETWORK_CODES = new Set([
  ...TIMEOUT_CODES,
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

export function classifyFailure(error: unknown): Failure {
  if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError)
    return { kind: 'availability', reason: 'circuit-open' };
  if (error instanceof CallTimeoutError) return { kind: 'availability', reason: 'timeout' };
  if (error instanceof IncompleteStreamError) return { kind: 'availability', reason: 'cut' };
  if (APICallError.isInstance(error)) {
    const status = error.statusCode;
    if (status === undefined) return { kind: 'availability', reason: networkReason(error) };
    // A 2xx here is a body the client could not read: cut mid-way, gone quiet, or malformed.
    if (status < 300) return { kind: 'availability', status, reason: bodyReason(error) };
    if (RETRYABLE_STATUS.has(status) || status >= 500) {
      const retryAfterMs = retryAfterFromHeaders(error.responseHeaders);
      return {
        kind: 'availability',
        status,
        reason: String(status),
        ...(retryAfterMs !== undefined && { retryAfterMs }),
      };
    }
    return { kind: 'request', status, reason: String(status) };
  }
  if (isAbort(error)) return { kind: 'cancelled', reason: 'cancelled' };
  if (
    JSONParseError.isInstance(error) ||
    TypeValidationError.isInstance(error) ||
    EmptyResponseBodyError.isInstance(error) ||
    InvalidResponseDataError.isInstance(error)
  )
    return { kind: 'availability', reason: 'malformed' };
  const code = errorCode(error);
  if (code !== undefined && NETWORK_CODES.has(code))
    return { kind: 'availability', reason: TIMEOUT_CODES.has(code) ? 'timeout' : 'connection' };
  // Anything else is a bug or a misuse: retrying would only repeat it.
  return { kind: 'request', reason: error instanceof Error ? error.name : 'error' };
}

/** `retry-after-ms` (OpenAI, Anthropic) first, then `retry-after` as seconds or an HTTP date. */
export function retryAfterFromHeaders(
  headers: Record<string, string | undefined> | undefined,
  now = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const ms = headers['retry-after-ms'];
  if (ms !== undefined && ms.trim() !== '') {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const after = headers['retry-after']?.trim();
  if (!after) return undefined;
  if (/^\d+(\.\d+)?$/.test(after)) return Number(after) * 1000;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function bodyReason(error: APICallError): string {
  const code = errorCode(error.cause);
  if (code === undefined || !NETWORK_CODES.has(code)) return 'malformed';
  return TIMEOUT_CODES.has(code) ? 'timeout' : 'cut';
}

function networkReason(error: APICallError): string {
  const code = errorCode(error.cause) ?? errorCode(error);
  return code !== undefined && TIMEOUT_CODES.has(code) ? 'timeout' : 'connection';
}

/** The first `code` along the cause chain (undici and Node put it on the error or its cause). */
function errorCode(error: unknown): string | undefined {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return undefined;
}

function isAbort(error: unknown): boolean {
  return (
    (error instanceof Error || error instanceof DOMException) &&
    (error.name === 'AbortError' || error.name === 'TimeoutError' || error.name === 'ResponseAborted')
  );
}
