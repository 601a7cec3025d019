import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, onTestFinished } from 'vitest';
import type { TaskEngineOptions } from '../src/engine/index.ts';
import { startTestRedis, type TestRedis } from '../src/queue/testing.ts';
import { createRuntime, type Runtime, startWorkerRuntime, type WorkerRuntime } from '../src/runtime/index.ts';
import { providersFor, type useHarness } from './support.ts';

/**
 * A private redis-server for the test file (stopped after it, and killed with this process
 * whatever happens), and, per test, a queue of its own (a fresh key prefix), clients and in-process
 * workers on it that are closed when the test ends, passed or not.
 */
export function useQueue(h: ReturnType<typeof useHarness>, tuning: { stallTimeoutMs?: number } = {}) {
  const state = {} as { redis: TestRedis };
  beforeAll(async () => {
    state.redis = await startTestRedis();
  });
  afterAll(async () => {
    await state.redis?.stop();
  });
  let prefix = '';
  const queueOptions = () => ({
    url: state.redis.url,
    prefix,
    stallTimeoutMs: tuning.stallTimeoutMs ?? 1_000,
  });
  const engineOptions = (extra: TaskEngineOptions = {}): TaskEngineOptions => ({
    cwd: h.workspace,
    homeDir: h.workspace,
    providers: providersFor(h.model),
    env: {},
    callerModel: 'openai:gpt-5.5',
    agentRescanIntervalMs: 0,
    ...extra,
    queue: { ...queueOptions(), ...extra.queue },
  });
  return {
    get redis(): TestRedis {
      return state.redis;
    },
    get prefix(): string {
      return prefix;
    },
    /** A new queue (key prefix) for this test: call it first. */
    fresh(): void {
      prefix = `{t-${randomBytes(4).toString('hex')}}`;
    },
    engineOptions,
    /** A client runtime: root tasks go to the queue; its run store is in memory. */
    client(extra: TaskEngineOptions = {}): Runtime {
      const runtime = createRuntime({
        engine: engineOptions(extra),
        mcpClients: false,
        observe: { store: ':memory:', logger: false, metrics: false },
      });
      onTestFinished(() => runtime.close());
      return runtime;
    },
    /** A worker in this process (so coverage counts src/queue), closed at the test's end. */
    async worker(
      options: {
        concurrency?: number;
        name?: string;
        engine?: TaskEngineOptions;
        allowPaths?: string[];
      } = {},
    ): Promise<WorkerRuntime> {
      const running = await startWorkerRuntime({
        engine: engineOptions(options.engine),
        concurrency: options.concurrency ?? 2,
        ...(options.name ? { name: options.name } : {}),
        observe: false,
        // Every test's workspace (its home too, which the default would refuse) is a temporary directory.
        allowPaths: options.allowPaths ?? [tmpdir()],
      });
      onTestFinished(() => running.close(0));
      return running;
    },
  };
}

/** Polls `check` until it holds, every 20 ms, for at most `timeoutMs`; throws saying what did not happen. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export { processAlive as alive } from './support.ts';
