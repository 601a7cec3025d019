import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { secureHeaders } from 'hono/secure-headers';
import { type ApiEnv, json } from './api-env.ts';
import { bearerOf, tokenMatches } from './auth.ts';
import { HttpError } from './http-error.ts';
import { isOwnOrigin } from './request-guard.ts';
import type { DashboardSessions } from './sessions.ts';

export interface DashboardHomeOptions {
  sessions: DashboardSessions;
  /** The server's token. Without one (loopback only), anyone on this machine may ask for a link. */
  token: string | undefined;
  /** A header that may carry the token besides `Authorization: Bearer` (the proxy's x-codex-task-token). */
  tokenHeader?: string;
  /** The port the server listens on: it names the cookie and the page's own origin. */
  port: () => number;
  sessionTtlMs: number;
  /** The dashboard itself (src/dashboard), mounted at /ui behind the session check. */
  dashboard: Hono;
}

/**
 * Strict: only our own files, no inline script or style, nothing framed, no form posts elsewhere,
 * no `<base>` tricks. A script injected into a task's text (the transcript shows model output)
 * cannot run, and cannot send what it read anywhere but back here.
 */
const CSP = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

const HOW_TO_LOG_IN =
  'Run `codex-task ui` (add --url for another server, --token if it has one): it asks the server for a one-time login link and opens it.';

/**
 * The dashboard's home: `/` → `/ui/`, the one-time login links, the session cookie, and the
 * security headers every dashboard response carries. The token never travels in a URL (URLs end
 * up in logs, history and Referer headers): a program with the token asks for a link, the link's
 * code is good once for a minute, and the browser trades it for an HttpOnly, SameSite=Strict
 * cookie whose session lives only in this server's memory.
 */
export function dashboardHome(options: DashboardHomeOptions): Hono<ApiEnv> {
  const { sessions, token } = options;
  const cookieName = () => `codex_task_ui_${options.port()}`;
  const hasToken = (c: Context<ApiEnv>) => {
    if (!token) return false;
    const headers = c.env.incoming.headers;
    const extra = options.tokenHeader ? headers[options.tokenHeader] : undefined;
    return (
      tokenMatches(bearerOf(headers), token) || (typeof extra === 'string' && tokenMatches(extra, token))
    );
  };

  const app = new Hono<ApiEnv>();
  const headers = dashboardHeaders();
  app.use('/', headers);
  app.use('/ui', headers);
  app.use('/ui/*', headers);
  app.get('/', (c) => c.redirect('/ui/', 302));
  app.get('/ui', (c) => c.redirect('/ui/', 302));

  // A program with the token (the `ui` command) asks for a link; the link itself carries no token.
  app.post('/ui/session/link', (c) => {
    if (token && !hasToken(c)) {
      throw new HttpError(401, 'Unauthorized', "A login link needs the server's token", {
        hint: `Send it as \`Authorization: Bearer <token>\`${options.tokenHeader ? ` or \`${options.tokenHeader}: <token>\`` : ''}; \`codex-task ui --token <token>\` does.`,
        headers: { 'www-authenticate': 'Bearer realm="codex-task"' },
      });
    }
    const { code, expiresAt } = sessions.issueCode();
    const url = `${new URL(c.req.url).origin}/ui/login?code=${code}`;
    return json(c, 200, { url, expiresAt: new Date(expiresAt).toISOString() });
  });

  app.get('/ui/login', (c) => {
    const redeemed = sessions.redeem(c.req.query('code') ?? '');
    if (!redeemed) {
      return refuse(c, 'This login link is not valid: each link works once, within a minute of being made');
    }
    setCookie(c, cookieName(), redeemed.sessionId, {
      path: '/',
      httpOnly: true,
      sameSite: 'Strict',
      secure: 'encrypted' in c.env.incoming.socket && c.env.incoming.socket.encrypted === true,
      maxAge: Math.floor(options.sessionTtlMs / 1000),
    });
    // 303: the browser fetches /ui/ with GET, and the code leaves the address bar.
    return c.redirect('/ui/', 303);
  });

  app.use('/ui/*', async (c, next) => {
    // A program may send the token itself: a header no page of another site can add.
    if (hasToken(c)) return next();
    const id = getCookie(c, cookieName());
    if (id === undefined || !sessions.valid(id)) {
      if (id !== undefined) deleteCookie(c, cookieName(), { path: '/' });
      return refuse(c, 'The dashboard needs a session');
    }
    checkFetchSite(c, options.port());
    return next();
  });

  app.post('/ui/session/logout', (c) => {
    const id = getCookie(c, cookieName());
    if (id !== undefined) sessions.end(id);
    deleteCookie(c, cookieName(), { path: '/' });
    return c.body(null, 204);
  });

  app.route('/ui', options.dashboard);
  return app;
}

/**
 * A cookie rides along with every request the browser sends here, whoever asked for it. Pages of
 * other sites are refused by the request guard already; this refuses the rest of the family:
 * pages of this *site* (another port of 127.0.0.1 is same-site, and SameSite does not keep the
 * cookie from it), and state-changing requests that do not prove they come from our own page.
 */
function checkFetchSite(c: Context<ApiEnv>, port: number): void {
  const site = c.req.header('sec-fetch-site');
  const navigation = c.req.method === 'GET' && c.req.header('sec-fetch-mode') === 'navigate';
  if (site === 'same-site' && !navigation) {
    throw new HttpError(
      403,
      'ForbiddenOrigin',
      'Requests from other pages of this site may not use the session',
      {
        hint: "Use the dashboard's own page.",
      },
    );
  }
  if (['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) return;
  const origin = c.req.header('origin');
  if (origin === undefined || !isOwnOrigin(origin, c.req.header('host'), port)) {
    throw new HttpError(
      403,
      'ForbiddenOrigin',
      `A ${c.req.method} with the dashboard's session must come from its own page (${origin === undefined ? 'no Origin header' : `Origin '${origin}'`})`,
      { hint: 'Programs send the token in a header instead of the cookie.' },
    );
  }
}

/** 401, as a page for a browser (what to run) and as JSON for the dashboard's own requests. */
function refuse(c: Context<ApiEnv>, message: string) {
  const error = new HttpError(401, 'Unauthorized', message, { hint: HOW_TO_LOG_IN });
  if (!c.req.header('accept')?.includes('text/html')) return json(c, 401, error.body());
  return c.html(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>codex-task: log in</title></head>` +
      `<body><h1>codex-task dashboard</h1><p>${message}.</p>` +
      '<p>Run <code>codex-task ui</code> in a terminal: it asks this server for a one-time login link and opens it ' +
      '(<code>--url</code> for another server, <code>--token</code> when it has one). ' +
      '<code>codex-task serve</code> also prints a link when it starts.</p></body></html>',
    401,
  );
}

/** The security headers of every dashboard answer (Hono's secureHeaders), and no-store on pages and data. */
function dashboardHeaders(): MiddlewareHandler<ApiEnv> {
  const secure = secureHeaders({
    contentSecurityPolicy: CSP,
    xFrameOptions: 'DENY',
    referrerPolicy: 'no-referrer',
    // Only meaningful over HTTPS, which a loopback server does not speak.
    strictTransportSecurity: false,
  });
  return async (c, next) => {
    await secure(c, async () => {
      await next();
      const type = c.res.headers.get('content-type') ?? '';
      if (type === '' || /html|json/.test(type)) c.res.headers.set('cache-control', 'no-store');
    });
  };
}
