import { HttpError } from '../http/index.ts';
import { ProxyConfigError } from './proxy-errors.ts';

/** The one upstream a proxy forwards to, fixed at start-up: nothing in a request can change it. */
export interface UpstreamBase {
  /** `https://api.openai.com` */
  origin: string;
  /** `/v1` (no trailing slash; '' for the root). */
  basePath: string;
  /** As configured, for messages. */
  href: string;
}

/**
 * Checks the configured upstream: an http(s) URL without credentials, query or fragment, and one of
 * `allowed` when that list is configured (so a flag or env var cannot point the proxy elsewhere).
 */
export function parseUpstream(value: string, allowed?: readonly string[]): UpstreamBase {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ProxyConfigError(
      `The upstream '${value}' is not a URL`,
      'Give a base URL such as https://api.openai.com/v1.',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ProxyConfigError(
      `The upstream '${value}' must be http or https`,
      'Give a base URL such as https://api.openai.com/v1.',
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ProxyConfigError(
      `The upstream '${value}' must not carry credentials, a query or a fragment`,
      "Keys travel in the client's Authorization header; give only the base URL.",
    );
  }
  const basePath = url.pathname.replace(/\/+$/, '');
  const normalised = `${url.origin}${basePath}`;
  if (allowed && !allowed.some((a) => a.replace(/\/+$/, '') === normalised)) {
    throw new ProxyConfigError(
      `The upstream '${value}' is not in proxy.allowedUpstreams`,
      `Use one of ${allowed.join(', ')}, or add it to proxy.allowedUpstreams in .codex-task/config.json.`,
    );
  }
  return { origin: url.origin, basePath, href: normalised };
}

/**
 * The upstream path (and query) for a client's request target, or an HttpError. Only origin-form
 * targets under the client base path are accepted, and nothing that could climb out of the
 * upstream's base path once decoded (`..`, encoded slashes, backslashes): the Host header and the
 * target never choose where a request goes, only which path under the configured base.
 */
export function upstreamPath(target: string, clientBase: string, upstream: UpstreamBase): string {
  if (!target.startsWith('/') || target.startsWith('//')) {
    throw new HttpError(400, 'InvalidRequestTarget', 'The request target must be a path (origin-form)');
  }
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  const query = q === -1 ? '' : target.slice(q);
  if (path !== clientBase && !path.startsWith(`${clientBase}/`)) {
    throw new HttpError(404, 'NotFound', `No route for ${path}`, {
      hint: `The proxy forwards ${clientBase}/… to ${upstream.href}/…; set the client's base URL to http://<proxy>${clientBase}.`,
    });
  }
  const rest = path.slice(clientBase.length);
  // Without a dot, escape or backslash, nothing can climb out: the usual path skips the checks.
  if (!/[.%\\]/.test(rest)) return `${upstream.basePath}${rest}${query}`;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rest);
  } catch {
    throw new HttpError(400, 'InvalidRequestTarget', 'The request path is not valid percent-encoding');
  }
  if (
    /%2f|%5c/i.test(rest) ||
    decoded.includes('\\') ||
    decoded.split('/').some((s) => s === '..' || s === '.')
  ) {
    throw new HttpError(
      400,
      'InvalidRequestTarget',
      'The request path must not contain dot segments or encoded slashes',
    );
  }
  return `${upstream.basePath}${rest}${query}`;
}
