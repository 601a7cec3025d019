import type { IncomingHttpHeaders } from 'node:http';

type HeaderValue = string | string[] | undefined;
export type HeaderRecord = Record<string, string | string[]>;

/** Hop-by-hop fields (RFC 9110 §7.6.1): they describe one connection and are never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * The fields a `Connection` header names are hop-by-hop for that message too. Undefined when it
 * names none beyond the fixed ones (`Connection: keep-alive`, the usual case).
 */
function connectionTokens(value: HeaderValue): Set<string> | undefined {
  if (value === undefined) return undefined;
  let tokens: Set<string> | undefined;
  for (const part of typeof value === 'string' ? [value] : value) {
    for (const raw of part.split(',')) {
      const token = raw.trim().toLowerCase();
      if (token === '' || HOP_BY_HOP.has(token)) continue;
      tokens ??= new Set();
      tokens.add(token);
    }
  }
  return tokens;
}

function endToEnd(headers: Record<string, HeaderValue>, drop: ReadonlySet<string>): HeaderRecord {
  const named = connectionTokens(headers.connection);
  const out: HeaderRecord = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || drop.has(name) || named?.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** The few sets of fields dropped, built once each (a header policy runs on every request). */
const dropSets = new Map<string, ReadonlySet<string>>();
function dropSet(key: string, names: () => (string | false | undefined)[]): ReadonlySet<string> {
  let set = dropSets.get(key);
  if (!set) {
    set = new Set(names().filter((n): n is string => typeof n === 'string'));
    dropSets.set(key, set);
  }
  return set;
}

/**
 * What goes upstream: every end-to-end field as the client sent it (Authorization included), minus
 * `host` (the upstream's own is set by the connection), the proxy's token, `content-length` when
 * the proxy rewrote the body (the new length is set from the bytes sent), and `accept-encoding`
 * when the proxy must read the response.
 */
export function upstreamRequestHeaders(
  headers: IncomingHttpHeaders,
  options: { tokenHeader: string; bodyRewritten: boolean; readsResponse?: boolean },
): HeaderRecord {
  const { tokenHeader, bodyRewritten, readsResponse } = options;
  const drop = dropSet(`up ${bodyRewritten} ${readsResponse === true} ${tokenHeader}`, () => [
    'host',
    tokenHeader,
    bodyRewritten && 'content-length',
    // A stream the proxy reads (for Task calls) must come uncompressed.
    readsResponse && 'accept-encoding',
  ]);
  return endToEnd(headers, drop);
}

/**
 * What goes back to the client: the upstream's end-to-end fields; `content-length` is dropped when
 * the proxy adds events to the body (an SSE stream it rewrites).
 */
export function clientResponseHeaders(
  headers: Record<string, HeaderValue>,
  options: { bodyRewritten: boolean },
): HeaderRecord {
  return endToEnd(
    headers,
    dropSet(`down ${options.bodyRewritten}`, () => [options.bodyRewritten && 'content-length']),
  );
}
