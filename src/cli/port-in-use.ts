import { PortInUseError } from '../errors/index.ts';

/**
 * A server's listen error as a person should read it: EADDRINUSE becomes a PortInUseError naming
 * what holds the port, when a quick look at its /health tells, and `setBy` (the command's flag,
 * env var, config key) as the way out. Anything else is returned as it is.
 */
export async function explainListenError(error: unknown, setBy: readonly string[]): Promise<unknown> {
  const failure = error as NodeJS.ErrnoException & { port?: number; address?: string };
  if (failure?.code !== 'EADDRINUSE' || failure.port === undefined) return error;
  const host = failure.address ?? '127.0.0.1';
  return new PortInUseError({ port: failure.port, host, holder: await holderOf(failure.port, host), setBy });
}

/** Which codex-task server answers on the port, told apart by their /health bodies; undefined for anything else. */
async function holderOf(port: number, host: string): Promise<string | undefined> {
  const local = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  try {
    const response = await fetch(`http://${local.includes(':') ? `[${local}]` : local}:${port}/health`, {
      signal: AbortSignal.timeout(500),
    });
    const body = (await response.json()) as { status?: unknown; ok?: unknown };
    if (body.status === 'ok') return 'a codex-task server (serve or proxy)';
    if (body.ok === true) return 'a codex-task scripted model';
  } catch {
    // Not HTTP, not JSON, or no answer within half a second: some other program.
  }
  return undefined;
}
