import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { ConfigError } from '../src/config/index.ts';
import { newBudgetScope, QueueClient, sharedBudgetSpec } from '../src/queue/index.ts';
import { runsKey } from '../src/queue/outcome-record.ts';
import { allowedRoots, startWorkerRuntime } from '../src/runtime/worker-runtime.ts';
import { until, useQueue } from './queue-support.ts';
import { useHarness } from './support.ts';

// Finding 5 of the queue review: whoever can write to the queue's Redis ran tasks as the worker
// anywhere on its disk (a job's `cwd` = the worker's home), replaced the worker's own budgets with
// the job's, and settled a client's task with a forged three-field result that crashed it later.
const h = useHarness();
const q = useQueue(h);

let scratch: string;
beforeEach(async () => {
  scratch = await realpath(await mkdtemp(join(tmpdir(), 'codex-task-limits-')));
});
afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const run = () => ({ emit: () => {}, signal: new AbortController().signal });
const task = (taskId: string, cwd: string, prompt = 'hi') => ({
  taskId,
  cwd,
  input: { description: 'd', prompt, subagent_type: 'general-purpose' },
});

function client(budget?: ReturnType<typeof sharedBudgetSpec>) {
  const made = new QueueClient({
    settings: { ...q.engineOptions().queue!, attempts: 1 } as never,
    ...(budget ? { budget } : {}),
  });
  onTestFinished(() => made.close());
  return made;
}

describe('the directories a worker runs path workspaces in', () => {
  it('refuses a job whose cwd is outside them, naming --allow-path; runs it once allowed', async () => {
    q.fresh();
    await h.setup();
    const home = join(scratch, 'worker-home');
    await mkdir(home);
    const shared = join(scratch, 'shared');
    await mkdir(shared);
    // The worker's working directory is the harness's workspace: the default allowed tree.
    const worker = await startWorkerRuntime({
      engine: q.engineOptions({ homeDir: home }),
      concurrency: 1,
      observe: false,
    });
    onTestFinished(() => worker.close(0));
    for (const cwd of [home, shared])
      await expect(client().execute(task(`out-${cwd.length}`, cwd), run())).rejects.toMatchObject({
        type: 'WorkspaceUnavailable',
        message: expect.stringContaining('outside the directories this worker allows'),
        hint: expect.stringContaining('--allow-path'),
      });
    expect((await client().execute(task('in', h.workspace), run())).result.status).toBe('completed');
    // Each refused job is listed as a run: a client that missed the failure must not add it again.
    const raw = new Redis(q.redis.url);
    onTestFinished(() => raw.disconnect());
    for (const cwd of [home, shared])
      expect(await raw.exists(runsKey(q.prefix, `out-${cwd.length}`))).toBe(1);
    await worker.close(0);

    const allowing = await startWorkerRuntime({
      engine: q.engineOptions({ homeDir: home }),
      concurrency: 1,
      observe: false,
      allowPaths: [shared],
    });
    onTestFinished(() => allowing.close(0));
    expect((await client().execute(task('shared', shared), run())).result.status).toBe('completed');
    await expect(client().execute(task('home', home), run())).rejects.toMatchObject({
      type: 'WorkspaceUnavailable',
    });
  });

  it('defaults to the working directory, except the home directory or /, and names a missing one', async () => {
    const home = join(scratch, 'home');
    await mkdir(join(home, 'project'), { recursive: true });
    expect(allowedRoots({ cwd: join(home, 'project'), homeDir: home }, [])).toEqual([join(home, 'project')]);
    expect(allowedRoots({ cwd: home, homeDir: home }, [])).toEqual([]);
    expect(allowedRoots({ cwd: '/', homeDir: home }, [])).toEqual([]);
    expect(allowedRoots({ cwd: home, homeDir: home }, ['project', '/tmp'])).toEqual([
      join(home, 'project'),
      await realpath('/tmp'),
    ]);
    expect(() => allowedRoots({ cwd: home, homeDir: home }, ['missing'])).toThrow(ConfigError);
  });
});

describe("a worker's own budgets", () => {
  it('hold whatever budget a job carries: the smaller wins', async () => {
    q.fresh();
    await h.setup();
    await q.worker({ engine: { maxTasks: 1 }, concurrency: 1 });
    const unlimited = client(
      sharedBudgetSpec(newBudgetScope(), {
        maxTasks: Number.POSITIVE_INFINITY,
        maxCostUsd: Number.POSITIVE_INFINITY,
      }),
    );
    const results = [];
    for (const id of ['b1', 'b2', 'b3'])
      results.push((await unlimited.execute(task(id, h.workspace), run())).result);
    expect(results.map((r) => r.status)).toEqual(['completed', 'failed', 'failed']);
    expect(results[1]!.error).toMatchObject({
      type: 'BudgetExceeded',
      details: { budget: 'maxTasks', limit: 1 },
    });
  });
});

describe('an end published on a client’s channel', () => {
  it('is not taken when it is not a whole task result: the job’s own answer settles the task', async () => {
    q.fresh();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await h.setup({}, async () => {
      await held;
      return { text: 'the real answer' };
    });
    await q.worker();
    const look = new Queue('tasks', { connection: { url: q.redis.url }, prefix: q.prefix });
    const pub = new Redis(q.redis.url);
    onTestFinished(async () => {
      pub.disconnect();
      await look.close();
    });
    const pending = client().execute(task('victim', h.workspace), run());
    await until('the task runs', async () => (await look.getJobState('victim')) === 'active');
    const replyTo = (await look.getJob('victim'))!.data.replyTo as string;
    const forged = { taskId: 'victim', status: 'completed', agentType: 'general-purpose', content: 'FORGED' };
    await pub.publish(
      `${q.prefix}:events:${replyTo}`,
      JSON.stringify({ task: 'victim', attempt: 999, done: { result: forged } }),
    );
    release();
    const { result } = await pending;
    expect(result).toMatchObject({ status: 'completed', content: 'the real answer', agentId: 'victim' });
  });
});
