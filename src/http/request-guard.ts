import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { CodexTaskError } from '../errors/index.ts';

/**
 * Who may talk to codex-task's servers (`serve`, `proxy`, `mcp --http`). Being on loopback is not
 * trust: any web page the user opens can send requests to 127.0.0.1, and a DNS-rebinding page can
 * even read the answers. So, beyond the token off loopback, every request must:
 * - name this server in its Host header (a loopback name; off loopback also an IP literal, the
 *   bound name or a configured one) — a rebinding page's requests carry its own domain;
 * - not come from another site's page (an Origin that is not this server's, or
 *   `Sec-Fetch-Site: cross-site`);
 * - declare a JSON body where one is required: text/plain, form and body-less-type POSTs are the
 *   ones a browser sends cross-origin without asking first (no CORS preflight).
 * Programs (Codex CLI, curl, SDKs) send a loopback Host, no Origin and `application/json`.
 */

/** Addresses a server may bind without a token: `localhost`, 127.0.0.0/8, ::1 (and its IPv4-mapped form). */
export function isLoopback(host: string): boolean {
  const h = bare(host);
  if (h === 'localhost' || h === '::1') return true;
  if (h.startsWith('::ffff:')) return isLoopback(h.slice(7));
  return isIP(h) === 4 && h.startsWith('127.');
}

/**
 * Names a browser only ever resolves to this machine: loopback addresses, `localhost`, and
 * `*.localhost` (RFC 6761; browsers pin the whole zone to loopback, so no page can rebind it).
 */
export function isLoopbackName(host: string): boolean {
  const h = bare(host);
  return isLoopback(h) || h.endsWith('.localhost');
}

/** Lower-case, without brackets or a trailing dot (`[::1]` → `::1`, `LOCALHOST.` → `localhost`). */
function bare(host: string): string {
  return host
    .trim()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
}

/** A server that would serve off loopback without a token: the same refusal for every surface. */
export class UnprotectedListenError extends CodexTaskError<{ host: string }> {
  constructor(host: string, tokenHint: string) {
    super(
      'UnprotectedListen',
      `Refusing to listen on ${host} without a token: anyone who can reach it could run subagents with your keys`,
      `${tokenHint}, or bind to 127.0.0.1.`,
      { details: { host } },
    );
  }
}

/**
 * The listen policy: off loopback a token is required. `tokenHint` says how this surface takes one
 * (`Set a token (--token or CODEX_TASK_API_TOKEN)`).
 */
export function requireTokenOffLoopback(host: string, token: string | undefined, tokenHint: string): void {
  if (!isLoopback(host) && !token) throw new UnprotectedListenError(host, tokenHint);
}

export interface RequestGuardOptions {
  /** Host names (no port) clients use to reach a server bound off loopback, besides IP literals. */
  allowedHosts?: readonly string[];
  /** Browser origins allowed to call (`https://tool.example`), besides this server's own. */
  allowedOrigins?: readonly string[];
}

export interface GuardedRequest {
  method?: string | undefined;
  headers: IncomingHttpHeaders;
}

export interface GuardRules extends RequestGuardOptions {
  /** The interface the server listens on: loopback or not decides which Host names pass. */
  listenHost: string;
  /** The port it listens on: a loopback Origin must name it to be this server's own. */
  port: number;
  /** Whether this request must declare a JSON body (the servers: POST, the proxy: POST /responses). */
  requireJson: boolean;
  /**
   * A GET of a static page that any navigation may open, from a file or another site too (the
   * dashboard's login page: it holds no data, and the code in its address is spent by its own
   * same-origin POST). Without an Origin, or `null`; the Host is checked as ever.
   */
  openPage?: boolean;
}

/** Why a request was refused: status, a type to branch on, and what to do instead. */
export interface GuardRefusal {
  status: 403 | 415;
  type: 'ForbiddenHost' | 'ForbiddenOrigin' | 'UnsupportedMediaType';
  message: string;
  hint: string;
}

/** `undefined` when the request may go on, else why not (each server answers in its own shape). */
export function checkRequest(req: GuardedRequest, rules: GuardRules): GuardRefusal | undefined {
  const host = req.headers.host;
  if (!hostAllowed(host, rules)) {
    return {
      status: 403,
      type: 'ForbiddenHost',
      message: host
        ? `The Host '${host}' is not this server's: only loopback names are served (DNS-rebinding protection)`
        : 'The request has no Host header',
      hint: `Call http://127.0.0.1:${rules.port} or http://localhost:${rules.port}.`,
    };
  }
  const origin = req.headers.origin;
  const listed = origin !== undefined && rules.allowedOrigins?.some((o) => sameOrigin(o, origin)) === true;
  const opened = rules.openPage === true && (origin === undefined || origin === 'null');
  if (!listed && !opened) {
    const site = req.headers['sec-fetch-site'];
    if (site === 'cross-site' || (origin !== undefined && !isOwnOrigin(origin, host, rules.port))) {
      return {
        status: 403,
        type: 'ForbiddenOrigin',
        message: `Cross-origin request refused: ${origin !== undefined ? `Origin '${origin}'` : 'Sec-Fetch-Site: cross-site'} is not this server`,
        hint: 'Web pages of other sites may not call codex-task; call it from a program (no Origin header).',
      };
    }
  }
  if (rules.requireJson && !isJsonType(req.headers['content-type'])) {
    const given = req.headers['content-type'];
    return {
      status: 415,
      type: 'UnsupportedMediaType',
      message: `The body must be JSON (content-type: application/json)${given ? `, not '${given}'` : ''}`,
      hint: 'Send `Content-Type: application/json`.',
    };
  }
  return undefined;
}

/** `application/json` or `application/<x>+json`, parameters (charset) allowed. */
export function isJsonType(value: string | undefined): boolean {
  const type = value?.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[\w.-]+\+json$/.test(type);
}

function hostAllowed(header: string | undefined, rules: GuardRules): boolean {
  const name = header === undefined ? undefined : hostName(header);
  if (name === undefined) return false;
  if (isLoopbackName(name)) return true;
  if (rules.allowedHosts?.some((h) => bare(h) === name)) return true;
  if (isLoopback(rules.listenHost)) return false;
  // Off loopback (a token is required there): an address literal cannot be rebound by DNS, and the
  // name the server was bound to is what its clients use.
  return isIP(name) !== 0 || name === bare(rules.listenHost);
}

/** The host part of a Host header (`[::1]:80` → `::1`), or undefined when it is malformed. */
function hostName(header: string): string | undefined {
  const value = header.trim();
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/i.exec(value);
  if (bracketed) return bare(bracketed[1]!);
  const plain = /^([a-z0-9.-]+)(?::\d{1,5})?$/i.exec(value);
  return plain ? bare(plain[1]!) : undefined;
}

/**
 * This server's own pages: `http://<loopback name>:<its port>`, or exactly the origin the request
 * was sent to (its Host, already accepted above). `null` (sandboxed frames, files) never is.
 */
export function isOwnOrigin(origin: string, host: string | undefined, port: number): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:') return false;
  if (isLoopbackName(url.hostname) && Number(url.port || 80) === port) return true;
  return host !== undefined && url.host === host.toLowerCase();
}

function sameOrigin(configured: string, origin: string): boolean {
  try {
    return new URL(configured).origin === new URL(origin).origin;
  } catch {
    return false;
  }
}
