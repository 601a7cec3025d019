import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { z } from 'zod';
import { type ApiEnv, json } from './api-env.ts';
import { bearerOf, tokenMatches } from './auth.ts';
import { HttpError } from './http-error.ts';
import { readJson, validate } from './request-body.ts';
import type { DashboardSessions, StreamLease } from './sessions.ts';

/** The header the dashboard's page sends its session secret in (a page of another origin cannot). */
export const SESSION_HEADER = 'x-codex-task-session';

/** A login code as issued: 256 bits in base64url. Anything else is refused unread. */
export const LOGIN_CODE = /^[\w-]{43}$/;

export interface DashboardHomeOptions {
  sessions: DashboardSessions;
  /** The server's token. Without one (loopback only), anyone on this machine may ask for a link. */
  token: string | undefined;
  /** A header that may carry the token besides `Authorization: Bearer` (the proxy's x-codex-task-token). */
  tokenHeader?: string;
  /** The dashboard itself (src/dashboard), mounted at /ui; its API behind the session check. */
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
  'Run `codex-task ui` (add --url for another server; the token from CODEX_TASK_API_TOKEN or CODEX_TASK_PROXY_TOKEN): it asks the server for a one-time login link and opens it.';

const loginBody = z.object({ code: z.string().max(100) });

/**
 * The dashboard's home: `/` → `/ui/`, the one-time login links, the sessions, and the security
 * headers every dashboard response carries. The token never travels in a URL (URLs end up in logs,
 * history and Referer headers): a program with the token asks for a link, the link's code is good
 * once for a minute, and the page trades it (POST /ui/session) for a session secret it keeps in
 * its origin's localStorage and sends in a header with every API request. Nothing rides along
 * by itself: a cookie would go to every port of the host (cookies ignore ports), to whoever
 * listens there, and a program can replay it with any Origin it likes.
 */
export function dashboardHome(options: DashboardHomeOptions): Hono<ApiEnv> {
  const { sessions, token } = options;
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

  // A program with the token (the `ui` command) asks for a code; the link carries no token.
  app.post('/ui/session/link', (c) => {
    if (token && !hasToken(c)) {
      throw new HttpError(401, 'Unauthorized', "A login link needs the server's token", {
        hint: `Send it as \`Authorization: Bearer <token>\`${options.tokenHeader ? ` or \`${options.tokenHeader}: <token>\`` : ''}; \`codex-task ui\` does.`,
        headers: { 'www-authenticate': 'Bearer realm="codex-task"' },
      });
    }
    const issued = sessions.issueCode();
    if (!issued) throw tooManySessions();
    const url = `${new URL(c.req.url).origin}/ui/login?code=${issued.code}`;
    return json(c, 200, { code: issued.code, url, expiresAt: new Date(issued.expiresAt).toISOString() });
  });

  // The page at /ui/login (a static file, the code untouched) posts the code here, from its origin.
  app.post('/ui/session', async (c) => {
    const { code } = validate(loginBody, await readJson(c, 4096), 'The login');
    const redeemed = LOGIN_CODE.test(code) ? sessions.redeem(code) : undefined;
    if (!redeemed) {
      throw unauthorized('This login link is not valid: each link works once, within a minute of being made');
    }
    return json(c, 200, {
      session: redeemed.sessionId,
      expiresAt: new Date(redeemed.expiresAt).toISOString(),
    });
  });

  const guard: MiddlewareHandler<ApiEnv> = async (c, next) => {
    // A program may send the token itself: a header no page of another site can add.
    if (hasToken(c)) return next();
    const secret = c.req.header(SESSION_HEADER);
    if (secret === undefined || !sessions.valid(secret)) {
      throw unauthorized(
        secret === undefined ? 'The dashboard needs a session' : 'The dashboard session has ended',
      );
    }
    return next();
  };
  app.use('/ui/api/*', guard);
  app.use('/ui/session/logout', guard);

  app.post('/ui/session/logout', (c) => {
    const secret = c.req.header(SESSION_HEADER);
    if (secret !== undefined) sessions.end(secret);
    return c.body(null, 204);
  });

  app.route('/ui', options.dashboard);
  return app;
}

/**
 * Admits an event stream of the request's holder (its session, or the token's programs as one),
 * within the per-holder and overall limits: each stream holds a connection and a listener.
 */
export function streamAdmission(sessions: DashboardSessions): (c: Context) => StreamLease {
  return (c) => {
    const lease = sessions.openStream(c.req.header(SESSION_HEADER));
    if (typeof lease !== 'string') return lease;
    throw new HttpError(
      429,
      'TooManyRequests',
      lease === 'holder'
        ? 'This session has as many event streams open as it may'
        : 'The server has as many dashboard event streams open as it may',
      { hint: 'Close other dashboard tabs (or programs following /ui/api/events), then reload.' },
    );
  };
}

function unauthorized(message: string): HttpError {
  return new HttpError(401, 'Unauthorized', message, { hint: HOW_TO_LOG_IN });
}

function tooManySessions(): HttpError {
  return new HttpError(
    429,
    'TooManyRequests',
    'The dashboard has as many login links and sessions as it keeps',
    {
      hint: 'Wait a minute for unused links to expire, or log out of sessions no longer used (a restart ends them all).',
      headers: { 'retry-after': '60' },
    },
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
