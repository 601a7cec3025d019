import { once } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BudgetExceededError, QueueUnavailableError } from '../src/errors/index.ts';
import {
  newBudgetScope,
  SharedBudget,
  type SharedBudgetSpec,
  sharedBudgetSpec,
} from '../src/queue/shared-budget.ts';
import { startTestRedis, type TestRedis } from '../src/queue/testing.ts';
import { agentFile, useHarness } from './support.ts';

// Two engines in one process stand for two workers: each has its own Redis connection and makes a
// SharedBudget per task (as a worker does per job); only Redis connects them.
const h = useHarness();
let server: TestRedis;
const clients: Redis[] = [];

function connect(url: string, options: { lazyConnect?: boolean } = {}): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, ...options });
  redis.on('error', () => {});
  clients.push(redis);
  return redis;
}

beforeAll(async () => {
  server = await startTestRedis();
});
afterEach(() => {
  for (const redis of clients.splice(0)) redis.disconnect();
});
afterAll(async () => {
  await server?.stop();
});

const input = (prompt = 'go') => ({ description: 'd', prompt });

describe('a budget shared by several workers', () => {
  it('lets exactly maxTasks tasks start across two workers, nested ones counted in the same scope', async () => {
    await h.setup(
      {
        '.claude/agents/lead.md': agentFile({ name: 'lead', description: 'delegates' }, 'You are LEAD.'),
      },
      (req) => {
        if (!req.system.includes('LEAD')) return { text: 'ok' };
        if (req.turn === 0)
          return { toolCalls: [{ name: 'Task', input: { description: 'c', prompt: 'child' } }] };
        return { text: `lead saw: ${req.toolResults[0]?.output.split('\n')[0]}` };
      },
    );
    const spec = sharedBudgetSpec(newBudgetScope(), { maxTasks: 4, maxCostUsd: Number.POSITIVE_INFINITY });
    const workers = [h.engine(), h.engine()].map((engine) => ({ engine, redis: connect(server.url) }));
    const run = (w: (typeof workers)[number], task: object) =>
      w.engine.run(task, { budget: new SharedBudget({ redis: w.redis, spec }) });

    // The lead and its child take 2 of the 4; then 8 tasks race for the other 2, 4 on each worker.
    const lead = await run(workers[0]!, { ...input(), subagent_type: 'lead' });
    expect(lead).toMatchObject({ status: 'completed', content: 'lead saw: ok' });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => run(workers[i % 2]!, input(`task ${i}`))),
    );
    expect(results.filter((r) => r.status === 'completed')).toHaveLength(2);
    const refused = results.filter((r) => r.status === 'failed');
    expect(refused).toHaveLength(6);
    for (const r of refused)
      expect(r.error).toMatchObject({
        type: 'BudgetExceeded',
        details: { budget: 'maxTasks', limit: 4, spent: 4 },
      });
    expect(h.model.stats.requests).toBe(3 + 2);
    // The scope counts what both ran; each engine's own usage still counts what it ran itself.
    const [a, b] = workers.map((w) => w.engine.usage());
    const spent = await new SharedBudget({ redis: workers[1]!.redis, spec }).spent();
    expect(spent.tasks).toBe(4);
    expect(a!.tasks + b!.tasks).toBe(4);
    expect(spent.costUsd).toBeGreaterThan(0);
    expect(spent.costUsd).toBeCloseTo(a!.knownCostUsd + b!.knownCostUsd, 10);
  });

  it('stops a task on one worker once the run has spent its money on both', async () => {
    await h.setup({ 'a.txt': 'A' }, (req) => {
      const usage = { inputTokens: 600, outputTokens: 0 };
      if (req.lastUserText.includes('first') || req.turn > 0) return { text: 'done', usage };
      return { toolCalls: [{ name: 'Read', input: { file_path: 'a.txt' } }], usage };
    });
    // $1 per 1,000 input tokens: each turn spends $0.60 of the $1 budget.
    const prices = { 'openai:gpt-5.5': { input: 1000, output: 0 } };
    const spec = sharedBudgetSpec(newBudgetScope(), { maxTasks: 10, maxCostUsd: 1 });
    const [a, b] = [h.engine({ prices }), h.engine({ prices })];
    const budgetA = () => new SharedBudget({ redis: connect(server.url), spec });
    const budgetB = () => new SharedBudget({ redis: connect(server.url), spec });

    expect(await a.run(input('first'), { budget: budgetA() })).toMatchObject({ status: 'completed' });
    // B has spent nothing itself: only the shared total ($1.20 after its first turn) stops its second.
    const second = await b.run(input('second'), { budget: budgetB() });
    expect(second).toMatchObject({
      status: 'failed',
      turns: 1,
      error: { type: 'BudgetExceeded', details: { budget: 'maxCostUsd', limit: 1 } },
    });
    expect(second.error!.details!.spent).toBeCloseTo(1.2, 10);
    const third = await a.run(input('third'), { budget: budgetA() });
    expect(third.error).toMatchObject({
      type: 'BudgetExceeded',
      message: expect.stringContaining('Task refused'),
    });
    expect(h.model.stats.requests).toBe(2);
    expect(await budgetB().spent()).toEqual({ tasks: 2, costUsd: expect.closeTo(1.2, 10) });
  });

  it('keeps scopes apart, carries no limit as null, and makes no round trip for a cost check without a limit', async () => {
    const redis = connect(server.url);
    const unlimited = sharedBudgetSpec('run-a', { maxTasks: Infinity, maxCostUsd: Infinity });
    expect(unlimited).toEqual({ scope: 'run-a', maxTasks: null, maxCostUsd: null });
    expect(JSON.parse(JSON.stringify(unlimited))).toEqual(unlimited);
    const a = new SharedBudget({ redis, spec: unlimited, prefix: '{test-scopes}' });
    const b = new SharedBudget({ redis, spec: { ...unlimited, scope: 'run-b' }, prefix: '{test-scopes}' });
    await Promise.all([a.reserveTask(), a.reserveTask(), a.addCost(0.25), a.addCost(0), b.reserveTask()]);
    expect(a.checkCost()).toBeUndefined();
    expect(await a.spent()).toEqual({ tasks: 2, costUsd: 0.25 });
    expect(await b.spent()).toEqual({ tasks: 1, costUsd: 0 });
    expect(await redis.ttl('{test-scopes}:budget:run-a')).toBeGreaterThan(6 * 24 * 3600);
    expect(
      () => new SharedBudget({ redis, spec: { scope: '', maxTasks: -1 } as unknown as SharedBudgetSpec }),
    ).toThrow();
  });

  it('refuses over the cost budget before a task starts, with the same error as one engine', async () => {
    const redis = connect(server.url);
    const spec: SharedBudgetSpec = { scope: newBudgetScope(), maxTasks: null, maxCostUsd: 0.5 };
    const budget = new SharedBudget({ redis, spec });
    await budget.addCost(0.5);
    await expect(budget.reserveTask()).rejects.toThrow(BudgetExceededError);
    await expect(budget.checkCost('Stopped')).rejects.toMatchObject({
      message: expect.stringMatching(/^Stopped: this run has spent \$0\.5000 of its \$0\.5 budget/),
    });
  });
});

describe('a shared budget without Redis', () => {
  it('fails with QueueUnavailable within its timeout, naming the server but never its password', async () => {
    const gone = await startTestRedis({ args: ['--requirepass', 'hunter2-secret'] });
    const redis = connect(`redis://:hunter2-secret@127.0.0.1:${gone.port}/0`);
    await redis.ping();
    await gone.stop();
    const budget = new SharedBudget({
      redis,
      spec: { scope: 's', maxTasks: 5, maxCostUsd: 1 },
      timeoutMs: 300,
    });
    const error = await budget.reserveTask().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueUnavailableError);
    expect(error).toMatchObject({
      type: 'QueueUnavailable',
      message: expect.stringContaining(`redis://127.0.0.1:${gone.port}/0`),
      hint: expect.stringContaining('CODEX_TASK_REDIS_URL'),
    });
    expect(JSON.stringify((error as QueueUnavailableError).toJSON())).not.toContain('hunter2');

    // A cost that could not be added is reported by the next check, so the task does not run on unbudgeted.
    await budget.addCost(0.1);
    await expect(budget.checkCost()).rejects.toBeInstanceOf(QueueUnavailableError);

    // A task with it fails at once with that error, in a result.
    await h.setup({}, () => ({ text: 'ok' }));
    const result = await h
      .engine()
      .run(input(), { budget: new SharedBudget({ redis, spec: budget.spec, timeoutMs: 200 }) });
    expect(result).toMatchObject({ status: 'failed', error: { type: 'QueueUnavailable' } });
    expect(h.model.stats.requests).toBe(0);

    // A connection closed for good fails without waiting.
    redis.disconnect();
    if (redis.status !== 'end') await once(redis, 'end');
    await expect(new SharedBudget({ redis, spec: budget.spec }).spent()).rejects.toMatchObject({
      details: { problem: expect.stringContaining('closed') },
    });
  });

  it('waits for a Redis being restarted rather than failing the task', async () => {
    const restarting = await startTestRedis();
    try {
      // As the worker's own connections are: connected on first use, no offline queue, quick reconnects.
      const redis = new Redis(restarting.url, {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        retryStrategy: () => 50,
      });
      redis.on('error', () => {});
      clients.push(redis);
      const budget = new SharedBudget({ redis, spec: { scope: 'r', maxTasks: 10, maxCostUsd: null } });
      await budget.reserveTask();
      await restarting.restart();
      await budget.reserveTask();
      // This test's Redis keeps nothing on disk: the count starts again (with AOF it would not).
      expect(await budget.spent()).toEqual({ tasks: 1, costUsd: 0 });
    } finally {
      await restarting.stop();
    }
  });

  it('does not wait longer than its timeout on a Redis that stopped answering', async () => {
    const redis = connect(server.url);
    const admin = connect(server.url);
    await admin.client('PAUSE', 5_000, 'WRITE');
    try {
      const budget = new SharedBudget({
        redis,
        spec: { scope: newBudgetScope(), maxTasks: 1, maxCostUsd: null },
        timeoutMs: 200,
      });
      await expect(budget.reserveTask()).rejects.toMatchObject({
        type: 'QueueUnavailable',
        details: { problem: 'no answer within 200 ms (taking a task from the shared budget)' },
      });
    } finally {
      await admin.client('UNPAUSE');
    }
  });

  it('does not hold a task of a run without limits on its count', async () => {
    const redis = connect(server.url);
    const admin = connect(server.url);
    const budget = new SharedBudget({
      redis,
      spec: { scope: newBudgetScope(), maxTasks: null, maxCostUsd: null },
    });
    await admin.client('PAUSE', 5_000, 'WRITE');
    try {
      // Resolves while Redis takes no writes: the count waits, the task does not.
      await budget.reserveTask();
    } finally {
      await admin.client('UNPAUSE');
    }
    expect(await budget.spent()).toEqual({ tasks: 1, costUsd: 0 });
  });

  it('passes on what Redis itself refused as QueueUnavailable', async () => {
    const redis = connect(server.url);
    await redis.set('{test-wrongtype}:budget:s', 'a string, not a hash');
    const budget = new SharedBudget({
      redis,
      prefix: '{test-wrongtype}',
      spec: { scope: 's', maxTasks: 1, maxCostUsd: null },
    });
    await expect(budget.reserveTask()).rejects.toMatchObject({
      type: 'QueueUnavailable',
      message: expect.stringContaining('WRONGTYPE'),
    });
  });
});
