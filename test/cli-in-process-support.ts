import { rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, vi } from 'vitest';
import { main } from '../src/cli/main.ts';
import { makeWorkspace } from './support.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Variables of the machine that would change what a command sees (keys, base URLs, our settings). */
const MACHINE_ONLY = /(_API_KEY|_BASE_URL)$|^CODEX_TASK_|^CODEX_HOME$|^OTEL_/;

/**
 * The subprocess tests (cli-*.test.ts) prove the real binary; the in-process ones run the same
 * `main(argv)` here, so coverage sees it. Each test gets a temp HOME and its own working directory,
 * an environment without the machine's provider keys or CODEX_TASK_* settings, and everything
 * (env, cwd, spies) put back afterwards.
 */
export function useInProcessCli() {
  const state = { env: {} as NodeJS.ProcessEnv, cwd: '', home: '', dirs: [] as string[] };

  beforeEach(async () => {
    state.env = { ...process.env };
    state.cwd = process.cwd();
    state.home = await makeWorkspace();
    state.dirs = [state.home];
    for (const name of Object.keys(process.env)) if (MACHINE_ONLY.test(name)) delete process.env[name];
    process.env.HOME = state.home;
    process.env.NO_COLOR = '1';
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    process.chdir(state.cwd);
    for (const name of Object.keys(process.env)) if (!(name in state.env)) delete process.env[name];
    Object.assign(process.env, state.env);
    for (const dir of state.dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  return {
    /** This test's HOME (os.homedir() answers it). */
    get home(): string {
      return state.home;
    },
    /** A temp workspace (a repository root with these files), removed after the test. */
    async workspace(files: Record<string, string> = {}): Promise<string> {
      const dir = await makeWorkspace(files);
      state.dirs.push(dir);
      return dir;
    },
    /** Runs the command line in this process, in `cwd`, with `stdin` as its standard input. */
    cli(argv: string[], options: { cwd?: string; stdin?: string } = {}): Promise<CliRun> {
      return start(argv, options).done;
    },
    /**
     * Starts a command that runs until interrupted (a server): `output()` is what it wrote so far,
     * `interrupt()` is Ctrl-C, delivered to the SIGINT listeners the command added (no real signal).
     */
    start,
  };
}

function start(argv: string[], options: { cwd?: string; stdin?: string } = {}) {
  if (options.cwd) process.chdir(options.cwd);
  const restoreStdin = options.stdin === undefined ? undefined : replaceStdin(options.stdin);
  const signals = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
  const out: string[] = [];
  const err: string[] = [];
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(collect(out));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(collect(err));
  const output = () => ({ stdout: out.join(''), stderr: err.join('') });
  const done = main(argv)
    .then((code) => ({ code, ...output() }))
    .finally(() => {
      stdout.mockRestore();
      stderr.mockRestore();
      restoreStdin?.();
      // A server listens for both signals once and is stopped by one: the other stays behind.
      for (const [signal, before] of Object.entries(signals))
        for (const listener of process.listeners(signal as NodeJS.Signals))
          if (!before.includes(listener)) process.off(signal, listener);
    });
  return {
    done,
    output,
    interrupt(): void {
      for (const listener of process.listeners('SIGINT'))
        if (!signals.SIGINT.includes(listener)) (listener as () => void)();
    },
  };
}

/** A stream's `write` that keeps the text and, as a stream does, calls back once it is "written" (Ink waits for that). */
function collect(into: string[]) {
  return (chunk: string | Uint8Array, encoding?: unknown, callback?: unknown): boolean => {
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done as () => void);
    return true;
  };
}

/** Puts `text` on process.stdin (as a pipe would) until the returned function is called. */
function replaceStdin(text: string): () => void {
  const original = Object.getOwnPropertyDescriptor(process, 'stdin')!;
  const piped = Readable.from([text]);
  Object.defineProperty(process, 'stdin', { configurable: true, enumerable: true, get: () => piped });
  return () => Object.defineProperty(process, 'stdin', original);
}

/**
 * Ports a test holds on loopback: `listen(server)` (a plain TCP listener by default) returns the
 * port; after the test each server is closed, with whatever connected to it (a probe's keep-alive
 * socket) cut.
 */
export function useLoopbackServers(): (server?: Server) => Promise<number> {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    for (const server of servers.splice(0)) await new Promise((done) => server.close(done));
  });
  return async (server = createServer()) => {
    servers.push(server);
    server.on('connection', (socket: Socket) => sockets.add(socket));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return (server.address() as { port: number }).port;
  };
}

/** An HTTP server answering every request with this status and JSON body. */
export function jsonServer(status: number, body: unknown): Server {
  return createHttpServer((_req, res) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
  );
}
