import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/**
 * A private `redis-server` for one test file or bench: its own free port on loopback, no
 * persistence, stopped by `stop()` and, whatever happens to the test, when this process exits.
 * Debian's `redis-server` (apt) is the only requirement; `REDIS_SERVER` names another binary.
 */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Kills the server (SIGKILL unless told otherwise) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Stops it and starts a fresh one on the same port (Redis restarted: everything unsaved is gone). */
  restart(): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

export function redisServerBinary(env: NodeJS.ProcessEnv = process.env): string {
  return env.REDIS_SERVER?.trim() || 'redis-server';
}

/** A free TCP port on 127.0.0.1 (bound then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startTestRedis(options: { port?: number; args?: string[] } = {}): Promise<TestRedis> {
  installExitHook();
  const port = options.port ?? (await freePort());
  let child = await spawnRedis(port, options.args ?? []);
  const stop = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get process() {
      return child;
    },
    stop,
    restart: async () => {
      await stop();
      child = await spawnRedis(port, options.args ?? []);
    },
  };
}

/** A test Redis, a client on it, and a subscriber on `channel` that keeps every message it hears. */
export interface RedisWithListener {
  readonly server: TestRedis;
  readonly redis: Redis;
  /** The messages published before now and not yet taken (Redis answers the listener in order). */
  take(): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startRedisWithListener(channel: string): Promise<RedisWithListener> {
  const server = await startTestRedis();
  const redis = new Redis(server.url);
  const listener = new Redis(server.url);
  const messages: string[] = [];
  listener.on('message', (_channel, text: string) => messages.push(text));
  await listener.subscribe(channel);
  return {
    server,
    redis,
    take: async () => {
      await listener.call('PING');
      return messages.splice(0);
    },
    stop: async () => {
      redis.disconnect();
      listener.disconnect();
      await server.stop();
    },
  };
}

/** A Redis Sentinel watching the test Redis on `primaryPort` as `name`; `url` is its redis+sentinel:// URL. */
export interface TestSentinel {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts `redis-server --sentinel` (its config in a temporary directory, removed on stop). */
export async function startTestSentinel(primaryPort: number, name = 'tasks'): Promise<TestSentinel> {
  installExitHook();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'codex-task-test-sentinel-'));
  const conf = join(dir, 'sentinel.conf');
  // Sentinel rewrites its config file: it must be its own, and writable.
  writeFileSync(
    conf,
    `port ${port}\nbind 127.0.0.1\ndaemonize no\nsentinel monitor ${name} 127.0.0.1 ${primaryPort} 1\n`,
  );
  const child = await spawnServer([conf, '--sentinel'], `+monitor master ${name}`);
  return {
    url: `redis+sentinel://127.0.0.1:${port}/${name}`,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

function spawnRedis(port: number, args: string[]): Promise<ChildProcess> {
  return spawnServer(
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      '--maxmemory-policy',
      'noeviction',
      ...args,
    ],
    'Ready to accept connections',
  );
}

/** Spawns redis-server with `args` and resolves once its output says `readyText`. */
async function spawnServer(args: string[], readyText: string): Promise<ChildProcess> {
  const child = spawn(redisServerBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(readyText)) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', (error) =>
      reject(
        new Error(
          `cannot start ${redisServerBinary()} (install it: apt-get install redis-server): ${error.message}`,
        ),
      ),
    );
    child.once('exit', (code) =>
      reject(new Error(`redis-server exited (${code}) before it was ready:\n${output}`)),
    );
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  try {
    await ready;
  } finally {
    clearTimeout(timer);
  }
  return child;
}

/** A `codex-task worker` process of a test or bench, killed with this process whatever happens. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Its worker id, as it printed it once it took jobs. */
  readonly id: string;
  /** Everything it wrote on stderr so far (for a failing test's message). */
  stderr(): string;
  /** Sends `signal` (SIGKILL unless told) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `codex-task worker` (src/cli/bin.ts on this Node) with `args` and `env`, and resolves once
 * it says it takes jobs. Rejects with its output when it exits first or is not ready within 15 s.
 */
export async function startWorkerProcess(options: {
  args: string[];
  env: Record<string, string>;
  cwd: string;
}): Promise<WorkerProcess> {
  const bin = new URL('../cli/bin.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, [bin, 'worker', ...options.args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  const id = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`codex-task worker was not ready within 15 s:\n${output}`));
    }, 15_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /codex-task worker (\S+) on /.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]!);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`codex-task worker exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
  return {
    child,
    id,
    stderr: () => output,
    stop: async (signal = 'SIGKILL') => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill(signal);
      await exited;
    },
  };
}

/** git in `cwd` with a fixed identity (tests make commits in throwaway repositories), its output trimmed. */
export function gitTest(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();
}
