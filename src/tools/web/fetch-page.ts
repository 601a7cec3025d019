import { type Dispatcher, fetch, type Response } from 'undici';
import { CodexTaskError, ToolExecutionError } from '../../errors/index.ts';
import { bareHost } from './address-policy.ts';
import { checkLiteralHost, createGuardedAgent, type ResolveHost } from './guarded-agent.ts';

export interface FetchLimits {
  /** Body bytes read at most; the rest is never downloaded. */
  maxBytes: number;
  /** The whole fetch, redirects included. */
  timeoutMs: number;
  connectTimeoutMs: number;
  maxRedirects: number;
}

export interface FetchPageOptions {
  limits: FetchLimits;
  allowsPrivateHost(host: string): boolean;
  signal: AbortSignal;
  resolve?: ResolveHost;
  /** Certificates (PEM) trusted besides the default CAs (see GuardOptions). */
  trustedCertificates?: readonly string[];
  userAgent: string;
  /** Called before following each redirect; throws to refuse it (the permission policy's rules). */
  beforeRedirect?: (to: URL, from: URL) => Promise<void>;
}

export interface FetchedPage {
  /** The URL finally read, after redirects. */
  url: string;
  status: number;
  /** The media type without parameters (`text/html`), '' when the server sent none. */
  mediaType: string;
  kind: 'html' | 'text';
  text: string;
  /** The body was longer than `maxBytes` and was cut there. */
  truncated: boolean;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Parses and checks a URL the model gave: absolute, http(s), no credentials. */
export function parseWebUrl(raw: string, what = 'url'): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ToolExecutionError(
      `${what} '${raw}' is not a valid URL.`,
      'Pass a complete URL such as https://example.com/page.',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ToolExecutionError(
      `${what} '${raw}' uses the ${url.protocol.slice(0, -1)}: scheme; WebFetch reads http and https URLs only.`,
      'Use an http:// or https:// URL; read local files with Read.',
    );
  }
  if (url.username || url.password) {
    throw new ToolExecutionError(
      `${what} '${url.host}…' carries credentials (user:password@); WebFetch never sends credentials.`,
      'Remove the user name and password from the URL.',
    );
  }
  return url;
}

/**
 * GETs a page within the limits, following redirects itself so every hop goes through the SSRF
 * guard again (a public page may redirect to http://169.254.169.254/). Only text is read: a binary
 * media type is refused before its body is downloaded.
 */
export async function fetchPage(rawUrl: string, options: FetchPageOptions): Promise<FetchedPage> {
  const { limits } = options;
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const signal = AbortSignal.any([options.signal, timeout]);
  const agent = createGuardedAgent({
    allowsPrivateHost: options.allowsPrivateHost,
    connectTimeoutMs: limits.connectTimeoutMs,
    ...(options.resolve ? { resolve: options.resolve } : {}),
    ...(options.trustedCertificates ? { trustedCertificates: options.trustedCertificates } : {}),
  });
  let url = parseWebUrl(rawUrl);
  try {
    for (let hop = 0; ; hop++) {
      // Refused before a dispatcher is involved; the connector checks again (and checks names).
      checkLiteralHost(url.hostname, options);
      const response = await send(url, agent, signal, options.userAgent);
      const location = response.headers.get('location');
      if (REDIRECTS.has(response.status) && location) {
        await response.body?.cancel();
        if (hop >= limits.maxRedirects) {
          throw new ToolExecutionError(
            `${rawUrl} redirected more than ${limits.maxRedirects} times; WebFetch stopped at ${url.href}.`,
            'Fetch the final URL directly if you know it.',
          );
        }
        const next = parseWebUrl(new URL(location, url).href, `The redirect from ${url.href} to`);
        await options.beforeRedirect?.(next, url);
        url = next;
        continue;
      }
      return await readPage(url, response, limits.maxBytes);
    }
  } catch (error) {
    throw explain(error, url, { options: options.signal, timeout, timeoutMs: limits.timeoutMs });
  } finally {
    void agent.destroy().catch(() => {});
  }
}

async function send(url: URL, dispatcher: Dispatcher, signal: AbortSignal, userAgent: string) {
  return fetch(url, {
    dispatcher,
    signal,
    redirect: 'manual',
    headers: {
      'user-agent': userAgent,
      accept: 'text/markdown, text/html;q=0.9, text/*;q=0.8, application/json;q=0.8, */*;q=0.1',
    },
  });
}

async function readPage(url: URL, response: Response, maxBytes: number): Promise<FetchedPage> {
  const contentType = response.headers.get('content-type') ?? '';
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  if (!response.ok) {
    await response.body?.cancel();
    throw new ToolExecutionError(
      `${url.href} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`,
      response.status === 404
        ? 'Check the URL; the page does not exist.'
        : 'Try again later or another source.',
    );
  }
  let kind = kindOf(mediaType);
  if (kind === 'binary') {
    await response.body?.cancel();
    throw binaryRefusal(url, mediaType);
  }
  const { bytes, truncated } = await readLimited(response, maxBytes);
  // A NUL byte never occurs in text: this is a binary file sent with a text (or no) media type.
  if (bytes.subarray(0, 8192).includes(0)) throw binaryRefusal(url, mediaType || 'unlabelled binary data');
  const text = decode(bytes, contentType);
  if (kind === undefined) kind = /^\s*(<!doctype html|<html)/i.test(text) ? 'html' : 'text';
  return { url: url.href, status: response.status, mediaType, kind, text, truncated };
}

function kindOf(mediaType: string): 'html' | 'text' | 'binary' | undefined {
  if (mediaType === '') return undefined;
  if (mediaType === 'text/html' || mediaType === 'application/xhtml+xml') return 'html';
  if (mediaType.startsWith('text/')) return 'text';
  if (
    /^application\/([\w.-]+\+)?(json|xml|javascript|ecmascript|x-yaml|yaml|toml|x-sh|ld\+json)$/.test(
      mediaType,
    )
  )
    return 'text';
  return 'binary';
}

function binaryRefusal(url: URL, mediaType: string): ToolExecutionError {
  return new ToolExecutionError(
    `${url.href} is ${mediaType}, not text; WebFetch reads web pages and other text only.`,
    'Fetch an HTML or text page instead (for a document, look for its HTML version).',
  );
}

async function readLimited(response: Response, maxBytes: number) {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  const reader = response.body?.getReader();
  if (reader) {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = maxBytes - size;
      if (value.byteLength > room) {
        chunks.push(value.subarray(0, room));
        size = maxBytes;
        truncated = true;
        await reader.cancel();
        break;
      }
      chunks.push(value);
      size += value.byteLength;
    }
  }
  return { bytes: Buffer.concat(chunks, size), truncated };
}

function decode(bytes: Uint8Array, contentType: string): string {
  const charset = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType)?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** OpenSSL's and Node's codes for a certificate chain or name that does not check out. */
const TLS_TRUST_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** undici reports every network failure as `fetch failed` with the real reason as its cause. */
function explain(
  error: unknown,
  url: URL,
  signals: { options: AbortSignal; timeout: AbortSignal; timeoutMs: number },
): unknown {
  if (signals.options.aborted) return signals.options.reason ?? error;
  if (signals.timeout.aborted) {
    return new ToolExecutionError(
      `Fetching ${url.href} took longer than ${signals.timeoutMs} ms and was stopped.`,
      'Try again later, or fetch a smaller or faster page.',
    );
  }
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof CodexTaskError) return cause;
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'UND_ERR_CONNECT_TIMEOUT') {
      return new ToolExecutionError(`Connecting to ${bareHost(url.hostname)} timed out.`, 'Try again later.');
    }
    if (code && TLS_TRUST_ERRORS.has(code)) {
      return new ToolExecutionError(
        // Node appends its own advice after a ';' (--use-system-ca): the hint gives it.
        `The certificate of ${bareHost(url.hostname)} is not trusted (${cause.message.split(';')[0]}); WebFetch did not read ${url.href}.`,
        'Check the URL (an https site must present a certificate from a public CA for its name). For a site with a private CA, start codex-task with NODE_EXTRA_CA_CERTS=/path/to/ca.pem (or NODE_OPTIONS=--use-system-ca when the CA is installed in the system store).',
      );
    }
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      return new ToolExecutionError(
        `The host ${bareHost(url.hostname)} could not be resolved.`,
        'Check the URL for typos.',
      );
    }
  }
  const reason =
    error instanceof Error
      ? error.cause instanceof Error
        ? error.cause.message
        : error.message
      : String(error);
  return new ToolExecutionError(
    `Fetching ${url.href} failed: ${reason}`,
    'Check the URL, or try again later.',
  );
}
