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

/** The fields a `Connection` header names are hop-by-hop for that message too. */
function connectionTokens(value: HeaderValue): Set<string> {
  const tokens = new Set<string>();
  for (const part of [value ?? []].flat()) {
    for (const token of part.split(',')) if (token.trim()) tokens.add(token.trim().toLowerCase());
  }
  return tokens;
}

function endToEnd(headers: Record<string, HeaderValue>, drop: readonly string[]): HeaderRecord {
  const named = connectionTokens(headers.connection);
  const out: HeaderRecord = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name) || drop.includes(name)) continue;
    out[name] = value;
  }
  return out;
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
  const drop = [
    'host',
    options.tokenHeader,
    ...(options.bodyRewritten ? ['content-length'] : []),
    // A stream the proxy reads (for Task calls) must come uncompressed.
    ...(options.readsResponse ? ['accept-encoding'] : []),
  ];
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
  return endToEnd(headers, options.bodyRewritten ? ['content-length'] : []);
}
