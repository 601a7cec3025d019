import { spawn } from 'node:child_process';
import { EXIT } from './exit-codes.ts';
import { note, usageError } from './output.ts';

export interface UiFlags {
  url: string;
  token?: string;
  print?: boolean;
}

/**
 * `codex-task ui`: asks a running `serve` (or proxy) for a one-time dashboard login link and opens
 * it in the browser, or prints it where none can open. The token goes in headers, never in the
 * link: the link's code works once, for a minute, and the browser trades it for a session cookie.
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
  // Either server's token: `serve` reads the bearer one, the proxy also its own header.
  const apiToken = flags.token ?? process.env.CODEX_TASK_API_TOKEN;
  const proxyToken = flags.token ?? process.env.CODEX_TASK_PROXY_TOKEN;
  let response: Response;
  try {
    response = await fetch(new URL('/ui/session/link', base), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(apiToken ? { authorization: `Bearer ${apiToken}` } : {}),
        ...(proxyToken ? { 'x-codex-task-token': proxyToken } : {}),
      },
      body: '{}',
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    usageError(
      `No codex-task server answers at ${base.origin} (${cause})`,
      `Start one with \`codex-task serve\` (it listens on http://127.0.0.1:8790), or pass --url with the address of a running serve or proxy (the proxy: http://127.0.0.1:10000).`,
    );
    return EXIT.failed;
  }
  const body = (await response.json().catch(() => undefined)) as
    | { url?: string; expiresAt?: string; error?: { message?: string; hint?: string } }
    | undefined;
  if (response.status === 401) {
    usageError(
      `${base.origin} refused ${flags.token ? 'the token given with --token' : apiToken || proxyToken ? 'the token from CODEX_TASK_API_TOKEN / CODEX_TASK_PROXY_TOKEN' : 'the request: it has a token and none was given'}`,
      'Pass --token with the token the server was started with (serve: --token or CODEX_TASK_API_TOKEN; proxy: CODEX_TASK_PROXY_TOKEN).',
    );
    return EXIT.usage;
  }
  if (!response.ok || typeof body?.url !== 'string') {
    usageError(
      `${base.origin} did not give a login link (HTTP ${response.status}${body?.error?.message ? `: ${body.error.message}` : ''})`,
      'Is --url a codex-task serve or proxy of this version? `curl <url>/health` should answer {"status":"ok"}.',
    );
    return EXIT.failed;
  }
  const seconds = body.expiresAt
    ? Math.max(0, Math.round((Date.parse(body.expiresAt) - Date.now()) / 1000))
    : 60;
  const opener = flags.print ? undefined : browserCommand(body.url);
  if (opener && (await launched(opener))) {
    note(`Opened the dashboard in your browser (the one-time link works for ${seconds} s).`);
    return EXIT.ok;
  }
  process.stdout.write(`${body.url}\n`);
  note(`Open this link within ${seconds} s; it works once. Run \`codex-task ui\` again for another.`);
  return EXIT.ok;
}

/** A login link as the servers print it at start: the URL and how long it works. */
export function oneTimeLink(link: { url: string; expiresAt: Date }): string {
  const seconds = Math.max(0, Math.round((link.expiresAt.getTime() - Date.now()) / 1000));
  return `${link.url} (works once, for ${seconds} s)`;
}

/**
 * What opens a URL here: $BROWSER when set (the convention terminal tools share), else the
 * platform's opener; none in CI or on a Linux without a display, where the link is printed.
 */
function browserCommand(url: string): { command: string; args: string[] } | undefined {
  const browser = process.env.BROWSER?.trim();
  if (browser) return { command: browser, args: [url] };
  if (process.env.CI) return undefined;
  if (process.platform === 'darwin') return { command: 'open', args: [url] };
  // `start` is cmd's own; the empty title keeps it from taking the URL as the window title.
  if (process.platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""', url] };
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return undefined;
  return { command: 'xdg-open', args: [url] };
}

/** Starts the opener detached (the browser outlives us); false when it cannot start at all. */
function launched({ command, args }: { command: string; args: string[] }): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
