import { Problem } from './problem.ts';

/** The dashboard's request bodies are a message or nothing: anything larger is refused, unread. */
export const BODY_LIMIT_BYTES = 256 * 1024;

/** Reads a JSON body of at most `limit` bytes (counted as it arrives: a chunked body has no length). */
export async function readJson(request: Request, limit = BODY_LIMIT_BYTES): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > limit) throw tooLarge(limit);
      chunks.push(chunk);
    }
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new Problem(400, 'InvalidRequest', 'The body must be JSON');
  }
}

const tooLarge = (limit: number) =>
  new Problem(413, 'PayloadTooLarge', `The body is larger than ${limit / 1024} KiB`);
