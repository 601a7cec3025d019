import type { ServerResponse } from 'node:http';

export interface Issue {
  /** Dotted path of the offending field (`tasks.1.prompt`), or '' for the body as a whole. */
  path: string;
  message: string;
}

/** An error a client can act on: the status, a type to branch on, and what exactly was wrong. */
export class HttpError extends Error {
  readonly status: number;
  readonly type: string;
  readonly issues: Issue[] | undefined;
  readonly hint: string | undefined;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    type: string,
    message: string,
    extra: { issues?: Issue[]; hint?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.status = status;
    this.type = type;
    this.issues = extra.issues;
    this.hint = extra.hint;
    this.headers = extra.headers ?? {};
  }

  toJSON() {
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
