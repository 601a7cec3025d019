import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isLoopback } from '../http/index.ts';
import { EXIT } from './exit-codes.ts';
import { note, usageError } from './output.ts';

export interface UiFlags {
  url: string;
  token?: string;
  print?: boolean;
  /** Allow plain http to a host off loopback (the token and the link cross the network in clear). */
  insecure?: boolean;
}

/** A login code as servers issue it (256 bits, base64url): nothing else goes into the link. */
const LOGIN_CODE = /^[\w-]{43}$/;

/**
 * How long the opener's file is kept: until the opener exits, then `graceMs` for the browser to
 * read it, `maxWaitMs` at most (a browser started cold may not exit until closed). Tests shorten it.
 */
export const openerTiming = { graceMs: 2_000, maxWaitMs: 10_000 };

type Kind = 'serve' | 'proxy';

/** Each server's token, and where it goes: one token, to the kind of server that takes it. */
const TOKENS: Record<Kind, { env: string; header: (token: string) => Record<string, string> }> = {
  serve: { env: 'CODEX_TASK_API_TOKEN', header: (t) => ({ authorization: `Bearer ${t}` }) },
  proxy: { env: 'CODEX_TASK_PROXY_TOKEN', header: (t) => ({ 'x-codex-task-token': t }) },
};

/**
 * `codex-task ui`: asks a running `serve` (or proxy) for a one-time dashboard login code and opens
 * the link in the browser, or prints it where none can open. The token goes in one header to the
 * server named by --url (never followed through a redirect), never in the link; the link is built
 * here from --url and the code, and handed to the browser inside a private file, not on a command
 * line (other users can read every process's arguments).
 */
export async function uiCommand(flags: UiFlags): Promise<number> {
  let base: URL;
  try {
    base = new URL(flags.url);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new Error('not http');
  } catch {
    usageError(
      `--url must be the server's http(s) URL, got '${flags.url}'`,
      'Pass e.g. --url http://127.0.0.1:8790.',
    );
    return EXIT.usage;
  }
  if (base.protocol === 'http:' && !isLoopback(base.hostname) && !flags.insecure) {
    usageError(
      `${base.origin} is plain http off this machine: the token and the login link would cross the network in clear`,
      'Use https (TLS in front of the server), or pass --insecure if the network is yours alone.',
    );
    return EXIT.usage;
  }
  const call = async (path: string, init: RequestInit = {}) =>
    fetch(new URL(path, base.origin), {
      ...init,
      // A redirect could take the token to another origin (fetch re-sends custom headers).
      redirect: 'error',
      signal: AbortSignal.timeout(10_000),
    });

  let kind: Kind | undefined;
  try {
    const health = (await (await call('/health')).json().catch(() => undefined)) as
      | { service?: string; kind?: string }
      | undefined;
    if (health?.service === 'codex-task' && (health.kind === 'serve' || health.kind === 'proxy'))
      kind = health.kind;
  } catch (error) {
    if (redirected(error)) return refuseRedirect(base);
    usageError(
      `No codex-task server answers at ${base.origin} (${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name})`,
      `Start one with \`codex-task serve\` (it listens on http://127.0.0.1:8790), or pass --url with the address of a running serve or proxy (the proxy: http://127.0.0.1:10000).`,
    );
    return EXIT.failed;
  }
  if (!kind) {
    usageError(
      `${base.origin} is not a codex-task serve or proxy of this version (its /health does not say so)`,
      'Pass --url with the address of a running `codex-task serve` or `codex-task proxy`.',
    );
    return EXIT.failed;
  }
  const { env, header } = TOKENS[kind];
  const token = flags.token ?? process.env[env];
  let response: Response;
  try {
    response = await call('/ui/session/link', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? header(token) : {}) },
      body: '{}',
    });
  } catch (error) {
    if (redirected(error)) return refuseRedirect(base);
    usageError(
      `${base.origin} did not give a login link (${(error as Error).message})`,
      'Is --url a codex-task serve or proxy of this version?',
    );
    return EXIT.failed;
  }
  const body = (await response.json().catch(() => undefined)) as
    | { code?: unknown; expiresAt?: string; error?: { message?: string; hint?: string } }
    | undefined;
  if (response.status === 401) {
    usageError(
      `${base.origin} refused ${flags.token ? 'the token given with --token' : token ? `the token from ${env}` : 'the request: it has a token and none was given'}`,
      `Set ${env} to the token the ${kind} was started with (or pass --token; the environment keeps it out of the process list).`,
    );
    return EXIT.usage;
  }
  if (!response.ok || typeof body?.code !== 'string' || !LOGIN_CODE.test(body.code)) {
    usageError(
      `${base.origin} did not give a login link (HTTP ${response.status}${body?.error?.message ? `: ${body.error.message}` : ''})`,
      body?.error?.hint ?? 'Is --url a codex-task serve or proxy of this version?',
    );
    return EXIT.failed;
  }
  const link = `${base.origin}/ui/login?code=${body.code}`;
  const expiresAt = body.expiresAt ? Date.parse(body.expiresAt) : Number.NaN;
  const seconds = Number.isNaN(expiresAt) ? 60 : Math.max(0, Math.round((expiresAt - Date.now()) / 1000));
  if (!flags.print && (await openInBrowser(link, seconds * 1000))) {
    return EXIT.ok;
  }
  process.stdout.write(`${link}\n`);
  note(`Open this link within ${seconds} s; it works once. Run \`codex-task ui\` again for another.`);
  return EXIT.ok;
}

/** fetch's `redirect: 'error'` refusal (undici: a TypeError whose cause says so). */
const redirected = (error: unknown) =>
  /redirect/i.test((error as { cause?: { message?: string } }).cause?.message ?? '');

function refuseRedirect(base: URL): number {
  usageError(
    `${base.origin} answered with a redirect: not followed (it could take the token elsewhere)`,
    'Pass --url with the address of the codex-task serve or proxy itself.',
  );
  return EXIT.failed;
}

/** A login link as the servers print it at start: the URL and how long it works. */
export function oneTimeLink(link: { url: string; expiresAt: Date }): string {
  const seconds = Math.max(0, Math.round((link.expiresAt.getTime() - Date.now()) / 1000));
  return `${link.url} (works once, for ${seconds} s)`;
}

/**
 * Opens `link` through a file only this user can read (a 0600 page in a fresh 0700 directory that
 * redirects to it): the opener's arguments name the file, not the link. False when nothing here
 * can open it (the caller prints the link). The file goes once the browser has had time to read it.
 */
async function openInBrowser(link: string, lifetimeMs: number): Promise<boolean> {
  const opener = browserCommand();
  if (!opener) return false;
  const dir = mkdtempSync(join(tmpdir(), 'codex-task-ui-'));
  const file = join(dir, 'open-dashboard.html');
  try {
    writeFileSync(file, redirectPage(link), { mode: 0o600, flag: 'wx' });
    const child = await launched(opener.command, [...opener.args, file]);
    if (!child) return false;
    note(
      `Opened the dashboard in your browser (the one-time link works for ${Math.round(lifetimeMs / 1000)} s).`,
    );
    const waited = new AbortController();
    await Promise.race([
      child.exited,
      sleep(Math.min(openerTiming.maxWaitMs, lifetimeMs), undefined, { signal: waited.signal }).catch(
        () => {},
      ),
    ]);
    waited.abort();
    await sleep(openerTiming.graceMs);
    return true;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The page the browser opens: a redirect to the link (a local file: no CSP applies; no script needed). */
export function redirectPage(link: string): string {
  const href = link.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="referrer" content="no-referrer">' +
    `<meta http-equiv="refresh" content="0;url=${href}">` +
    '<title>codex-task dashboard</title></head>' +
    `<body><p>Opening the dashboard… <a href="${href}">continue</a></p></body></html>\n`
  );
}

/**
 * What opens a file here: $BROWSER when set (the convention terminal tools share), else the
 * platform's opener; none in CI or on a Linux without a display, where the link is printed.
 */
function browserCommand(): { command: string; args: string[] } | undefined {
  const browser = process.env.BROWSER?.trim();
  if (browser) return { command: browser, args: [] };
  if (process.env.CI) return undefined;
  if (process.platform === 'darwin') return { command: 'open', args: [] };
  // Not `cmd /c start`: cmd.exe would parse the argument (& | ^ run commands); rundll32 does not.
  if (process.platform === 'win32') return { command: 'rundll32', args: ['url.dll,FileProtocolHandler'] };
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return undefined;
  return { command: 'xdg-open', args: [] };
}

/**
 * Starts the opener detached (the browser outlives us): its exit once it started, undefined when
 * it cannot start at all.
 */
function launched(command: string, args: string[]): Promise<{ exited: Promise<void> } | undefined> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.once('error', () => resolve(undefined));
    child.once('spawn', () => {
      child.unref();
      resolve({ exited });
    });
  });
}
