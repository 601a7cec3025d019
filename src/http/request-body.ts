import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import type { ApiContext } from './api-env.ts';
import { HttpError, type Issue } from './http-error.ts';
import { isJsonType } from './request-guard.ts';

/**
 * The JSON body, parsed (validate it with `validate`). Sizes are checked as bytes arrive: a missing
 * or lying content-length cannot make us buffer more than the limit. Not Hono's bodyLimit: it
 * re-wraps a chunked request in the global Request, which cannot read node-server's own Request
 * class while the globals are left alone (`overrideGlobalObjects: false`, as the MCP SDK does too).
 */
export async function readJson(c: ApiContext, limitBytes: number): Promise<unknown> {
  if (!isJsonType(c.req.header('content-type'))) {
    throw new HttpError(
      415,
      'UnsupportedMediaType',
      'The body must be JSON (content-type: application/json)',
    );
  }
  if (Number(c.req.header('content-length')) > limitBytes) throw tooLarge(limitBytes);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of c.req.raw.body ?? []) {
    size += chunk.byteLength;
    if (size > limitBytes) throw tooLarge(limitBytes);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks, size).toString('utf8'));
  } catch (error) {
    throw new HttpError(400, 'InvalidJson', `The body is not valid JSON: ${(error as Error).message}`);
  }
}

/** The whole body as bytes, refused with 413 as soon as it passes `limitBytes` (the proxy's raw route). */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limitBytes) throw tooLarge(limitBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw tooLarge(limitBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

export function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'PayloadTooLarge', `The body is larger than ${limit} bytes`);
}

/** Parses `value` with `schema`, or throws a 400 naming every field and its problem. */
export function validate<T>(schema: z.ZodType<T>, value: unknown, what: string, pathPrefix = ''): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .map((issue) => toIssue(issue, value))
    .map((i) => ({
      ...i,
      path: i.path ? pathPrefix + i.path : pathPrefix.replace(/\.$/, ''),
    }));
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  throw new HttpError(
    400,
    'InvalidRequest',
    `Invalid ${what}: ${first.path ? `\`${first.path}\` ` : ''}${first.message}${more}`,
    { issues },
  );
}

function toIssue(issue: z.core.$ZodIssue, value: unknown): Issue {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return { path, message: `unknown field(s): ${issue.keys.join(', ')}` };
  }
  // zod 4 does not report the offending input: look it up, so "missing" and "wrong type" differ.
  const given = issue.path.reduce<unknown>(
    (v, key) => (v as Record<PropertyKey, unknown> | undefined)?.[key],
    value,
  );
  if (issue.code === 'invalid_type' && given === undefined) return { path, message: 'is required' };
  return { path, message: issue.message };
}
