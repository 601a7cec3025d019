import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.ts';

/** Throws 401 unless the request carries `Authorization: Bearer <token>` (compared in constant time). */
export function requireBearer(req: IncomingMessage, token: string): void {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  const given = Buffer.from(match?.[1] ?? '');
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new HttpError(
      401,
      'Unauthorized',
      match ? 'The bearer token is not valid' : 'A bearer token is required',
      {
        hint: 'Send `Authorization: Bearer <token>` with the token the server was started with.',
        headers: { 'www-authenticate': 'Bearer realm="codex-task"' },
      },
    );
  }
}
