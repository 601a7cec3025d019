import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from '../config/index.ts';
import type { TaskEngineOptions } from '../engine/index.ts';
import type { ObserveOptions } from '../observe/index.ts';
import type { QueueWorker } from '../queue/index.ts';
import { storeTranscripts } from '../store/index.ts';
import { createRedactor, secretsFromEnv } from '../telemetry/index.ts';
import { createRuntime, type Runtime } from './create-runtime.ts';
import { queueSettingsOf } from './queue-remote.ts';

export interface WorkerRuntimeOptions {
  /** The engine's settings (the worker's config, env and flags; `queue.url` required). */
  engine: TaskEngineOptions;
  /** Tasks taken from the queue at once. */
  concurrency: number;
  /** Shown on the dashboard; default the host name. */
  name?: string;
  /** Run records and logs of this worker (observe's defaults when omitted); false = none. */
  observe?: ObserveOptions | false;
  /** `--allow-path`: directories a task's path workspace may be in, besides `queue.allowPaths`. */
  allowPaths?: readonly string[];
}

export interface WorkerRuntime {
  readonly runtime: Runtime;
  readonly worker: QueueWorker;
  /** Stops taking tasks, lets running ones finish for `graceMs`, hands the rest back, then closes. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Where a worker keeps its git workspaces (caches of remotes, the tasks' worktrees): the user's cache
 * directory, not ~/.codex-task, which is on the secret deny list (run records, credentials) — a task
 * there could not read or write a single file of its own checkout.
 */
export function workspaceCacheDir(engine: TaskEngineOptions): string {
  const env = engine.env ?? process.env;
  const cache = env.XDG_CACHE_HOME?.trim() || join(engine.homeDir ?? homedir(), '.cache');
  return join(cache, 'codex-task');
}

/**
 * The real paths of the directories a job's path workspace may be in: those named (flag, config),
 * else the worker's working directory — the tree its operator started it in — unless that is `/` or
 * the home directory, whose private files a job could otherwise name (then none: git workspaces
 * only). A named directory that does not exist is an error, not silently nothing.
 */
export function allowedRoots(engine: TaskEngineOptions, named: readonly string[]): string[] {
  const real = (dir: string) => {
    try {
      return realpathSync(resolve(engine.cwd ?? process.cwd(), dir));
    } catch {
      throw new ConfigError(
        `--allow-path ${dir}: no such directory on this worker`,
        'Name a directory that exists (the shared volume tasks work in).',
      );
    }
  };
  if (named.length > 0) return [...new Set(named.map(real))];
  const cwd = real(engine.cwd ?? process.cwd());
  const home = realpathSync(engine.homeDir ?? homedir());
  return cwd === '/' || cwd === home ? [] : [cwd];
}

/**
 * A queue worker with its engine: the composition of `codex-task worker`. Its engine runs every
 * task in this process (nested Task calls included: a parent waits on its children holding a slot,
 * so children as jobs of their own would add queue latency and could deadlock a worker whose slots
 * are all held by waiting parents). Throws a ConfigError when no queue is configured and a
 * QueueUnavailableError when Redis cannot be reached.
 */
export async function startWorkerRuntime(options: WorkerRuntimeOptions): Promise<WorkerRuntime> {
  const settings = queueSettingsOf(options.engine);
  if (!settings) {
    throw new ConfigError(
      'codex-task worker needs a queue: no Redis URL is set',
      'Give one with --redis redis://host:6379, CODEX_TASK_REDIS_URL or queue.url in the config file.',
    );
  }
  const roots = allowedRoots(options.engine, [...(options.allowPaths ?? []), ...(settings.allowPaths ?? [])]);
  const queue = await import('../queue/index.ts');
  const engine = {
    ...options.engine,
    concurrency: Math.max(options.engine.concurrency ?? 0, options.concurrency),
    // Other clients' repositories and worktrees: no task sees them, but its own worktree.
    privateRoots: [...(options.engine.privateRoots ?? []), workspaceCacheDir(options.engine)],
  };
  const runtime = createRuntime({
    engine,
    queue: false,
    ...(options.observe !== undefined ? { observe: options.observe } : {}),
  });
  const observed = runtime.observability;
  const transcripts = new queue.CarriedTranscripts(
    observed?.store ? storeTranscripts(observed.store, observed.redactor) : undefined,
  );
  runtime.engine.useTranscripts(transcripts);
  const worker = new queue.QueueWorker({
    settings,
    engine: runtime.engine,
    transcripts,
    concurrency: options.concurrency,
    ...(options.name ? { name: options.name } : {}),
    dataDir: workspaceCacheDir(options.engine),
    allowedRoots: roots,
    // What goes to Redis is redacted as the run store is (every client of the queue reads it).
    redactor:
      observed?.redactor ??
      createRedactor({
        secrets: [
          ...secretsFromEnv(options.engine.env ?? process.env),
          ...runtime.engine.providers.map((p) => p.apiKey),
        ],
      }),
  });
  try {
    await worker.start();
  } catch (error) {
    await worker.close();
    await runtime.close();
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    runtime,
    worker,
    close: (graceMs) => {
      closed ??= (async () => {
        await worker.close(graceMs);
        await runtime.close();
      })();
      return closed;
    },
  };
}
