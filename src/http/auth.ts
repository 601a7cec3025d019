import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { HttpError } from './http-error.ts';

/** Whether `given` is `token`, compared in constant time. */
export function tokenMatches(given: string | undefined, token: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header, if the request has one. */
export function bearerOf(headers: IncomingHttpHeaders): string | undefined {
  return /^Bearer\s+(.+)$/i.exec((headers.authorization ?? '').trim())?.[1];
}

/** Throws 401 unless the request carries `Authorization: Bearer <token>` (compared in constant time). */
export function requireBearer(req: { headers: IncomingHttpHeaders }, token: string): void {
  const given = bearerOf(req.headers);
  if (!tokenMatches(given, token)) {
    throw new HttpError(
      401,
      'Unauthorized',
      given !== undefined ? 'The bearer token is not valid' : 'A bearer token is required',
      {
        hint: 'Send `Authorization: Bearer <token>` with the token the server was started with.',
        headers: { 'www-authenticate': 'Bearer realm="codex-task"' },
      },
    );
  }
}
