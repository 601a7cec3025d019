import { beforeEach, describe, expect, it } from 'vitest';
import type { TaskResult } from '../src/engine/index.ts';
import { freePort } from '../src/queue/testing.ts';
import { useInProcessCli } from './cli-in-process-support.ts';
import { waitFor } from './mcp-support.ts';
import { useQueue } from './queue-support.ts';
import { agentFile, useHarness } from './support.ts';

// The surfaces with `--redis`, in process: the flag sends their tasks to the queue (above
// CODEX_TASK_REDIS_URL), and `serve` and `proxy` show the queue's live workers on the dashboard.
const h = useHarness();
const t = useInProcessCli();
const q = useQueue(h);

const AGENTS = { '.claude/agents/echo.md': agentFile({ name: 'echo', description: 'echoes' }, 'ECHO') };

beforeEach(() => {
  process.env.OPENAI_API_KEY = 'sk-test-abcdefghijklmnop';
  process.env.OPENAI_BASE_URL = h.model.baseUrls.openai;
});

describe('--redis', () => {
  it('batch --redis enqueues on that Redis, over CODEX_TASK_REDIS_URL', async () => {
    q.fresh();
    const ws = await h.setup(AGENTS, (req) => ({ text: `echo: ${req.lastUserText}` }));
    const worker = await q.worker();
    process.env.CODEX_TASK_QUEUE_PREFIX = q.prefix;
    // Nothing listens there: the flag must win, or the batch fails with QueueUnavailable.
    process.env.CODEX_TASK_REDIS_URL = `redis://127.0.0.1:${await freePort()}`;
    const tasks = JSON.stringify([{ subagent_type: 'echo', description: 'a', prompt: 'one' }]);
    const run = await t.cli(['batch', '-', '--json', '--redis', q.redis.url], { cwd: ws, stdin: tasks });
    expect(run.code, run.stderr).toBe(0);
    const [result] = JSON.parse(run.stdout) as TaskResult[];
    expect(result).toMatchObject({ status: 'completed', content: 'echo: one' });
    expect(result!.queue?.workerId).toBe(worker.worker.id);
  });

  it('refuses a --redis that is no Redis URL, naming the flag, without echoing the value', async () => {
    const ws = await h.setup(AGENTS);
    const run = await t.cli(['run', 'echo', 'x', '--redis', 'http://:s3cret@host'], { cwd: ws });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--redis must be a redis://, rediss:// or redis+sentinel:// URL');
    expect(run.stderr).not.toContain('s3cret');
  });
});

describe('the dashboard of serve and proxy, on a queue', () => {
  it.each([
    ['serve', (redis: string) => ['serve', '--port', '0', '--token', 'tok-1234567890', '--redis', redis]],
    [
      'proxy',
      (redis: string) => [
        'proxy',
        '--port',
        '0',
        '--token',
        'tok-1234567890',
        '--upstream',
        h.model.baseUrls.openai,
        '--redis',
        redis,
      ],
    ],
  ])('%s --redis: /ui/api/queue shows the live worker', async (name, argv) => {
    q.fresh();
    const ws = await h.setup(AGENTS);
    const worker = await q.worker({ name: 'dash-worker' });
    process.env.CODEX_TASK_QUEUE_PREFIX = q.prefix;
    const serving = t.start(argv(q.redis.url), { cwd: ws });
    try {
      const url = await waitFor(
        // The proxy prints its base URL for Codex (…/v1); the dashboard is at the server's root.
        () => /codex-task (?:API|proxy) on (http:\/\/[^/\s]+)/.exec(serving.output().stderr)?.[1],
        10_000,
        `the ${name} URL`,
      );
      const response = await fetch(`${url}/ui/api/queue`, {
        headers: { authorization: 'Bearer tok-1234567890', 'x-codex-task-token': 'tok-1234567890' },
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { enabled: boolean; workers: { id: string; name: string }[] };
      expect(body.enabled).toBe(true);
      expect(body.workers).toContainEqual(
        expect.objectContaining({ id: worker.worker.id, name: 'dash-worker' }),
      );
    } finally {
      serving.interrupt();
      expect((await serving.done).code).toBe(0);
    }
  });
});

describe("the proxy's Task calls with a queue", () => {
  it("run in its own process (Codex's forwarded credentials never reach Redis), while its dashboard shows the queue", async () => {
    q.fresh();
    await h.setup(AGENTS, () => ({ text: 'answered here' }));
    const worker = await q.worker({ name: 'idle-worker' });
    const { createRuntime } = await import('../src/runtime/index.ts');
    const runtime = createRuntime({
      engine: q.engineOptions(),
      mcpClients: false,
      observe: false,
      queue: 'overview',
    });
    try {
      const result = await runtime.engine.run({ subagent_type: 'echo', description: 'd', prompt: 'p' });
      expect(result.status).toBe('completed');
      // Not a worker's: a queued task's result names its attempts and worker.
      expect(result.queue).toBeUndefined();
      const overview = await runtime.queue!.overview();
      expect(overview.counts.completed).toBe(0);
      expect(overview.workers.map((w) => w.id)).toEqual([worker.worker.id]);
    } finally {
      await runtime.close();
    }
  });
});
