import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startCli } from './cli-support.ts';

export interface TapRecord {
  method: string;
  path: string;
  requestBody: string;
  status: number;
  /** The response body exactly as it went through, bytes in order. */
  responseBody: Buffer;
}

/**
 * A recording pass-through in front of a server: every request is piped to `target` and the
 * response piped back chunk by chunk while its bytes are kept — what a client received, or what an
 * upstream sent, byte for byte.
 */
export async function startTap(target: string) {
  const base = new URL(target);
  const records: TapRecord[] = [];
  const server = createServer((req, res) => {
    const requestChunks: Buffer[] = [];
    req.on('data', (c: Buffer) => requestChunks.push(c));
    const upstream = request(
      { host: base.hostname, port: base.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => {
          chunks.push(c);
          res.write(c);
        });
        // Recorded at the end of the response, or when it is cut short: Codex may hang up as soon
        // as it has `response.completed`, before the chunked body's terminator reaches the tap.
        let recorded = false;
        const record = () => {
          if (recorded) return;
          recorded = true;
          records.push({
            method: req.method ?? '',
            path: req.url ?? '',
            requestBody: Buffer.concat(requestChunks).toString('utf8'),
            status: up.statusCode ?? 0,
            responseBody: Buffer.concat(chunks),
          });
        };
        up.on('end', () => {
          record();
          res.end();
        });
        up.on('close', record);
        up.on('error', () => res.destroy());
      },
    );
    upstream.on('error', () => res.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    records,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `codex-task proxy` as a real process; resolves once it listens (its base URL read from stderr). */
export async function startProxyProcess(
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<{ baseUrl: string; port: number; output: () => string; stop: () => Promise<void> }> {
  const proc = startCli(['proxy', ...args], { ...options, timeoutMs: 300_000 });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`proxy did not start:\n${proc.output().stderr}`)),
      20_000,
    );
    const look = () => {
      const match = /codex-task proxy on (\S+)/.exec(proc.output().stderr);
      if (match) {
        clearTimeout(timer);
        proc.child.stderr.off('data', look);
        resolve(match[1]!);
      }
    };
    proc.child.stderr.on('data', look);
    proc.done.then(() => reject(new Error(`proxy exited:\n${proc.output().stderr}`)));
  });
  return {
    baseUrl,
    port: Number(new URL(baseUrl).port),
    output: () => proc.output().stderr,
    stop: async () => {
      proc.child.kill('SIGTERM');
      await proc.done;
    },
  };
}
