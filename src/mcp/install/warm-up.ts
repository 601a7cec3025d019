import { spawn } from 'node:child_process';

export interface ProbeResult {
  /** From spawn to the `initialize` answer. */
  initializeMs: number;
  /** From spawn to the `tools/list` answer: what Codex waits for (about a second, docs/compatibility.md). */
  toolsListMs: number;
  tools: string[];
}

export interface ProbeOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

/**
 * Starts an MCP server over stdio, does what Codex does first (`initialize`, `initialized`,
 * `tools/list`), times it from the spawn, and lets the server go. Bounded: rejects after `timeoutMs`.
 */
export function probeServer(
  command: string,
  args: readonly string[],
  options: ProbeOptions,
): Promise<ProbeResult> {
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'ignore'],
    ...(options.env ? { env: options.env } : {}),
  });
  const send = (message: unknown) => child.stdin.write(`${JSON.stringify(message)}\n`);
  return new Promise<ProbeResult>((resolve, reject) => {
    let initializeMs = 0;
    const timer = setTimeout(
      () => finish(new Error(`${command} did not list its tools within ${options.timeoutMs ?? 15_000} ms`)),
      options.timeoutMs ?? 15_000,
    );
    const finish = (outcome: ProbeResult | Error) => {
      clearTimeout(timer);
      child.stdin.end();
      // A server that ignores the end of its stdin is stopped.
      setTimeout(() => child.kill(), 2_000).unref();
      if (outcome instanceof Error) reject(outcome);
      else child.once('exit', () => resolve(outcome));
    };
    let buffer = '';
    child.on('error', (error) => finish(error));
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const message = JSON.parse(buffer.slice(0, nl)) as {
          id?: number;
          result?: { tools?: { name: string }[] };
        };
        buffer = buffer.slice(nl + 1);
        if (message.id === 1) {
          initializeMs = performance.now() - started;
          send({ jsonrpc: '2.0', method: 'notifications/initialized' });
          send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
        } else if (message.id === 2) {
          const toolsListMs = performance.now() - started;
          finish({ initializeMs, toolsListMs, tools: (message.result?.tools ?? []).map((t) => t.name) });
        }
      }
    });
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'codex-task-probe', version: '0' },
      },
    });
  });
}

/**
 * Starts the server once so V8's compile cache holds its code: Codex's first start of it (which
 * must be listed within about a second) then skips most compilation. Best effort.
 */
export async function warmUpServer(command: string, args: readonly string[], cwd: string): Promise<boolean> {
  return probeServer(command, args, { cwd }).then(
    () => true,
    () => false,
  );
}
