import { spawn } from 'node:child_process';

/**
 * Starts the server once and lists its tools, then lets it go. The first start of a Node process
 * compiles every module; V8's compile cache keeps that work, so Codex's first start of the server
 * (which must be listed within about a second, COMPAT.md) finds it done. Best effort, bounded.
 */
export async function warmUpServer(
  command: string,
  args: readonly string[],
  cwd: string,
  timeoutMs = 15_000,
): Promise<boolean> {
  const child = spawn(command, args, { cwd, stdio: ['pipe', 'pipe', 'ignore'] });
  const send = (message: unknown) => child.stdin.write(`${JSON.stringify(message)}\n`);
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => finish(false), timeoutMs);
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      child.stdin.end();
      setTimeout(() => child.kill(), 2_000).unref();
      resolve(ok);
    };
    let buffer = '';
    child.on('error', () => finish(false));
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const id = (JSON.parse(line) as { id?: number }).id;
        if (id === 1) {
          send({ jsonrpc: '2.0', method: 'notifications/initialized' });
          send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
        } else if (id === 2) finish(true);
      }
    });
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'codex-task-install', version: '0' },
      },
    });
  });
}
