import type { ServerResponse } from 'node:http';
import { CodexTaskError, type HttpErrorType } from '../errors/index.ts';

export interface Issue {
  /** Dotted path of the offending field (`tasks.1.prompt`), or '' for the body as a whole. */
  path: string;
  message: string;
}

/**
 * An error a client can act on: the status, a type to branch on, and what exactly was wrong. The
 * server answers it as `body()` (or the surface's own shape, e.g. the proxy's OpenAI one).
 */
export class HttpError extends CodexTaskError<{ status: number; issues: Issue[] | undefined }> {
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    type: HttpErrorType,
    message: string,
    extra: { issues?: Issue[]; hint?: string; headers?: Record<string, string> } = {},
  ) {
    super(type, message, extra.hint, { details: { status, issues: extra.issues } });
    this.headers = extra.headers ?? {};
  }

  get status(): number {
    return this.details.status;
  }

  get issues(): Issue[] | undefined {
    return this.details.issues;
  }

  /** The answer's JSON body: `{ error: { type, message, issues?, hint? } }`. */
  body() {
    return {
      error: {
        type: this.type,
        message: this.message,
        ...(this.issues ? { issues: this.issues } : {}),
        ...(this.hint ? { hint: this.hint } : {}),
      },
    };
  }
}

export const notFound = (what: string) => new HttpError(404, 'NotFound', `${what} not found`);

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}
