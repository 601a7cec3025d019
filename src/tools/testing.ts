import { mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { SandboxSettings } from '../sandbox/index.ts';
import { createToolContext } from './context.ts';
import type { ToolContext, ToolLimits } from './types.ts';

/** A real temporary workspace for the tools' tests, with a sibling `outside` directory to escape to. */
export interface TestWorkspace {
  /** Real path of the workspace root. */
  root: string;
  /** Real path of a directory next to the workspace, holding `secret.txt`. */
  outside: string;
  ctx: ToolContext;
  /** Writes a file under the workspace (creating directories); returns its absolute path. */
  file(rel: string, content: string | Uint8Array): Promise<string>;
  cleanup(): Promise<void>;
}

export async function makeWorkspace(
  options: { limits?: Partial<ToolLimits>; signal?: AbortSignal; sandbox?: SandboxSettings } = {},
): Promise<TestWorkspace> {
  const base = await realpath(await mkdtemp(path.join(os.tmpdir(), 'codex-task-tools-')));
  const root = path.join(base, 'ws');
  const outside = path.join(base, 'outside');
  await mkdir(root);
  await mkdir(outside);
  await writeFile(path.join(outside, 'secret.txt'), 'top secret\n');
  return {
    root,
    outside,
    ctx: createToolContext({
      workspaceRoot: root,
      ...(options.sandbox ? { sandbox: options.sandbox } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    }),
    async file(rel, content) {
      const full = path.join(root, rel);
      await mkdir(path.dirname(full), { recursive: true });
      await writeFile(full, content);
      return full;
    },
    cleanup: () => rm(base, { recursive: true, force: true }),
  };
}

/** Every file under `dir` with its content: to assert that nothing changed there. */
export async function snapshotTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, full)] = await readFile(full, 'utf8');
  }
  return out;
}

/** A web server on loopback (IPv4 and IPv6) for WebFetch's tests, counting every connection it sees. */
export interface TestSite {
  port: number;
  /** `http://127.0.0.1:PORT` (`https://` with `tls`) */
  url: string;
  /** TCP connections accepted, whether or not a request (or a TLS handshake) followed. */
  connections: number;
  /** Paths requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

export type TestRoute = (req: IncomingMessage, res: ServerResponse) => void;

/** `tls`: serve https with this key and certificate (PEM). */
export async function startTestSite(
  routes: Record<string, TestRoute>,
  options: { tls?: { key: string; cert: string } } = {},
): Promise<TestSite> {
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    site.requests.push(req.url ?? '');
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (route) route(req, res);
    else res.writeHead(404).end('not found');
  };
  const server = options.tls ? createTlsServer(options.tls, handle) : createServer(handle);
  server.on('connection', () => {
    site.connections++;
  });
  // A client refusing the certificate is what some tests are about, not a server error.
  server.on('tlsClientError', () => {});
  // '::' accepts IPv4 too (as ::ffff:127.0.0.1), so 127.0.0.1, [::1] and localhost all reach it.
  await new Promise<void>((resolve) => server.listen(0, '::', resolve));
  const { port } = server.address() as AddressInfo;
  const site: TestSite = {
    port,
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    connections: 0,
    requests: [],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return site;
}
