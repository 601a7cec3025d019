import { describe, expect, it, onTestFinished } from 'vitest';
import type { TaskEvents } from '../src/engine/index.ts';
import { alive, until, useQueue } from './queue-support.ts';
import { agentFile, useHarness } from './support.ts';

// Tasks through the queue with workers in this process: what a client sees is what it would see in
// process (same ids, events, results, records), and the run record says which worker ran it.
const h = useHarness();
const q = useQueue(h);

const AGENTS = {
  '.claude/agents/lead.md': agentFile(
    { name: 'lead', description: 'delegates', tools: 'Task, Read' },
    'LEAD',
  ),
  '.claude/agents/helper.md': agentFile({ name: 'helper', description: 'helps', tools: 'Read' }, 'HELPER'),
};

describe('tasks on queue workers', () => {
  it('runs a root task on a worker: same id, its events on the client, one result naming the worker', async () => {
    q.fresh();
    await h.setup(AGENTS, (req) => ({ text: `done: ${req.lastUserText}` }));
    const worker = await q.worker({ name: 'w1' });
    const client = q.client();
    const seen: string[] = [];
    for (const name of ['task.queued', 'task.started', 'task.turn', 'task.finished'] as const)
      client.engine.events.on(name, (e: TaskEvents[typeof name][0]) => seen.push(`${name} ${e.taskId}`));
    const handle = client.start({ description: 'greet', prompt: 'hello', subagent_type: 'helper' });
    const result = await handle.result;
    expect(result.status, JSON.stringify(result.error)).toBe('completed');
    expect(result.content).toBe('done: hello');
    expect(result.taskId).toBe(handle.id);
    expect(result.queue).toEqual({ attempts: 1, workerId: worker.worker.id, workers: [worker.worker.id] });
    expect(seen).toEqual([
      `task.queued ${handle.id}`,
      `task.started ${handle.id}`,
      `task.turn ${handle.id}`,
      `task.finished ${handle.id}`,
    ]);
    const record = client.observability!.store!.get(handle.id)!;
    expect(record).toMatchObject({ status: 'completed', content: 'done: hello', agentType: 'helper' });
    expect(client.engine.usage().tasks).toBe(1);
  });

  it('runs nested Task calls in the same worker; their events reach the client with their parent', async () => {
    q.fresh();
    await h.setup(AGENTS, (req) => {
      if (req.system.includes('HELPER')) return { text: `helped with ${req.lastUserText}` };
      if (req.turn === 0)
        return {
          toolCalls: [
            { name: 'Task', input: { description: 'sub', prompt: 'part', subagent_type: 'helper' } },
          ],
        };
      return { text: `lead got: ${req.toolResults[0]!.output.split('\n')[0]}` };
    });
    await q.worker();
    const client = q.client();
    const nested: { taskId: string; parentTaskId?: string }[] = [];
    client.engine.events.on('task.finished', (e) => {
      if (e.parentTaskId) nested.push({ taskId: e.taskId, parentTaskId: e.parentTaskId });
    });
    const handle = client.start({ description: 'lead', prompt: 'go', subagent_type: 'lead' });
    const result = await handle.result;
    expect(result.status, JSON.stringify(result.error)).toBe('completed');
    expect(result.content).toBe('lead got: helped with part');
    expect(nested).toHaveLength(1);
    expect(nested[0]!.parentTaskId).toBe(handle.id);
    expect(client.observability!.store!.get(nested[0]!.taskId)).toMatchObject({
      status: 'completed',
      parentId: handle.id,
    });
  });

  it('refuses bad input on the client, as in process, without enqueueing it', async () => {
    q.fresh();
    await h.setup(AGENTS);
    const client = q.client();
    const result = await client.engine.run({ description: 'no prompt' });
    expect(result.status).toBe('failed');
    expect(result.error?.type).toBe('InvalidTaskInput');
    expect((await client.queue!.overview()).counts.waiting).toBe(0);
  });

  it('a task added twice under one id runs once; both callers get the same result', async () => {
    q.fresh();
    let calls = 0;
    await h.setup(AGENTS, (req) => {
      calls++;
      return { text: `once: ${req.lastUserText}`, latencyMs: 100 };
    });
    await q.worker();
    const a = q.client();
    const b = q.client();
    const input = { description: 'same', prompt: 'x', subagent_type: 'helper' };
    const [ra, rb] = await Promise.all([
      a.engine.run(input, { taskId: 'same-task-id-1' }),
      b.engine.run(input, { taskId: 'same-task-id-1' }),
    ]);
    expect(ra.status).toBe('completed');
    expect(rb).toEqual(ra);
    expect(calls).toBe(1);
  });

  it('continues a task with sendMessage: the conversation travels with the job', async () => {
    q.fresh();
    await h.setup(AGENTS, (req) => ({
      text: `turns seen: ${req.messages.length}; last: ${req.lastUserText}`,
    }));
    await q.worker();
    const client = q.client();
    const first = await client.engine.run({ description: 'one', prompt: 'first', subagent_type: 'helper' });
    expect(first.status).toBe('completed');
    const second = await client.engine.sendMessage(first.taskId, 'second').result;
    expect(second.status, JSON.stringify(second.error)).toBe('completed');
    expect(second.continuesTaskId).toBe(first.taskId);
    expect(second.content).toMatch(/last: second$/);
    expect(second.content).not.toBe('turns seen: 1; last: second');
  });

  it('runs a background task: the handle returns at once and its result is read later', async () => {
    q.fresh();
    await h.setup(AGENTS, () => ({ text: 'bg done', latencyMs: 50 }));
    await q.worker();
    const client = q.client();
    const handle = client.start({
      description: 'bg',
      prompt: 'x',
      subagent_type: 'helper',
      run_in_background: true,
    });
    const result = await client.engine.backgroundResult(handle.id, { wait: true });
    expect(result?.content).toBe('bg done');
    expect(result?.background).toBe(true);
  });

  it('cancels a waiting job: it is removed from the queue and never runs', async () => {
    q.fresh();
    let calls = 0;
    await h.setup(AGENTS, () => {
      calls++;
      return { text: 'ran' };
    });
    const client = q.client();
    const handle = client.start({ description: 'wait', prompt: 'x', subagent_type: 'helper' });
    // Enqueued once the overview counts it waiting (no worker yet).
    await until('the job waits', async () => (await client.queue!.overview()).counts.waiting === 1);
    handle.cancel('not needed');
    const result = await handle.result;
    expect(result.status).toBe('cancelled');
    expect(result.error?.message).toContain('not needed');
    await q.worker();
    const after = await client.queue!.overview();
    expect(after.counts.waiting + after.counts.active + after.counts.completed).toBe(0);
    expect(calls).toBe(0);
  });

  it('cancels a running task on the worker: its tool process group dies and the result is cancelled once', async () => {
    q.fresh();
    const ws = await h.setup(
      {
        '.claude/agents/sleeper.md': agentFile(
          { name: 'sleeper', description: 'sleeps', tools: 'Bash' },
          'SLEEPER',
        ),
      },
      (req) =>
        req.turn === 0
          ? { toolCalls: [{ name: 'Bash', input: { command: 'echo $$ > sleeper.pid; sleep 30' } }] }
          : { text: 'woke' },
    );
    // No sandbox: its PID namespace would hide the shell's real pid.
    const worker = await q.worker({ engine: { sandbox: { mode: 'off' } } });
    const client = q.client();
    const handle = client.start({ description: 'sleep', prompt: 'x', subagent_type: 'sleeper' });
    await new Promise<void>((resolve) =>
      handle.events.on('task.tool', (e) => {
        if (e.phase === 'started') resolve();
      }),
    );
    const { readFile } = await import('node:fs/promises');
    let pid = '';
    await until('the tool wrote its pid', async () => {
      pid = await readFile(`${ws}/sleeper.pid`, 'utf8').catch(() => '');
      return /^\d+\n/.test(pid);
    });
    handle.cancel('stop sleeping');
    const result = await handle.result;
    expect(result.status).toBe('cancelled');
    expect(result.queue?.workerId).toBe(worker.worker.id);
    await until('the tool process is gone', () => !alive(Number(pid)));
  });

  it('hands running tasks back when a worker stops: another worker finishes them, and the record names both', async () => {
    q.fresh();
    const { promise: released, resolve: release } = Promise.withResolvers<void>();
    let runs = 0;
    await h.setup(AGENTS, async () => {
      runs++;
      if (runs === 1) await released;
      return { text: `run ${runs}` };
    });
    const first = await q.worker({ name: 'first' });
    const client = q.client();
    const handle = client.start({ description: 'long', prompt: 'x', subagent_type: 'helper' });
    await new Promise((resolve) => handle.events.once('task.started', resolve));
    await first.close(0);
    release();
    const second = await q.worker({ name: 'second' });
    const result = await handle.result;
    expect(result.status, JSON.stringify(result.error)).toBe('completed');
    expect(result.content).toBe('run 2');
    expect(result.queue).toEqual({
      attempts: 2,
      workerId: second.worker.id,
      workers: [first.worker.id, second.worker.id],
    });
    expect(client.observability!.store!.get(handle.id)).toMatchObject({
      status: 'completed',
      attempts: 2,
      workerId: second.worker.id,
      workers: [first.worker.id, second.worker.id],
    });
  });

  it('shows the queue: job counts and live workers', async () => {
    q.fresh();
    await h.setup(AGENTS, () => ({ text: 'ok' }));
    const worker = await q.worker({ name: 'dash', concurrency: 3 });
    const client = q.client();
    await client.engine.run({ description: 'one', prompt: 'x', subagent_type: 'helper' });
    // The result reaches the client before BullMQ moves the job to completed (queue-worker.ts).
    await expect
      .poll(async () => (await client.queue!.overview()).counts)
      .toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0, completed: 1 });
    const overview = await client.queue!.overview();
    expect(overview.workers).toEqual([
      expect.objectContaining({ id: worker.worker.id, name: 'dash', running: 0, concurrency: 3 }),
    ]);
  });
});

describe('budgets on the queue', () => {
  it('a run without limits carries no budget (nothing counted in Redis); one with a limit carries it', async () => {
    q.fresh();
    await h.setup(AGENTS, () => ({ text: 'ok' }));
    await q.worker();
    const { Queue } = await import('bullmq');
    const { Redis } = await import('ioredis');
    const look = new Queue('tasks', { connection: { url: q.redis.url }, prefix: q.prefix });
    const raw = new Redis(q.redis.url);
    onTestFinished(async () => {
      await look.close();
      raw.disconnect();
    });
    const unlimited = await q.client().engine.run({ description: 'a', prompt: 'x', subagent_type: 'helper' });
    const limited = await q
      .client({ maxTasks: 5 })
      .engine.run({ description: 'b', prompt: 'y', subagent_type: 'helper' });
    expect([unlimited.status, limited.status]).toEqual(['completed', 'completed']);
    expect((await look.getJob(unlimited.taskId))!.data.budget).toBeUndefined();
    expect((await look.getJob(limited.taskId))!.data.budget).toMatchObject({ maxTasks: 5, maxCostUsd: null });
    const counters = await raw.keys(`${q.prefix}:budget:*`);
    expect(counters).toHaveLength(1);
    expect(await raw.hget(counters[0]!, 'tasks')).toBe('1');
  });
});

describe('the queue seen from outside a runtime', () => {
  it('queueOverview reads counts and workers on a connection of its own', async () => {
    q.fresh();
    await h.setup(AGENTS);
    const worker = await q.worker({ name: 'lone' });
    // Junk in the shared registry (no worker of ours wrote it) is dropped, not a broken overview.
    const { Redis } = await import('ioredis');
    const raw = new Redis(q.redis.url);
    await raw.hset(`${q.prefix}:workers`, 'junk', 'not json', 'null-entry', 'null', 'no-fields', '{"id":1}');
    const { queueOverview } = await import('../src/queue/index.ts');
    const overview = await queueOverview({
      url: q.redis.url,
      prefix: q.prefix,
      stallTimeoutMs: 1000,
      attempts: 3,
    });
    expect(overview.counts.waiting).toBe(0);
    expect(overview.workers.map((w) => w.id)).toEqual([worker.worker.id]);
    expect(await raw.hkeys(`${q.prefix}:workers`)).toEqual([worker.worker.id]);
    raw.disconnect();
  });

  it('a follow-up of a task this client never saw is TaskNotFound, before anything is enqueued', async () => {
    q.fresh();
    await h.setup(AGENTS);
    const client = q.client();
    const result = await client.engine.sendMessage('no-such-task', 'hello').result;
    expect(result.error?.type).toBe('TaskNotFound');
  });
});

describe('the library', () => {
  it('Task() enqueues when CODEX_TASK_REDIS_URL is set: a worker runs it', async () => {
    q.fresh();
    await h.setup(AGENTS, () => ({ text: 'from a worker' }));
    // The library reads the variable and the default prefix; the worker here uses the same.
    // Task() runs in this process's directory: the worker must allow it (--allow-path).
    const worker = await q.worker({
      engine: { queue: { prefix: '{codex-task}' } },
      allowPaths: [process.cwd()],
    });
    const { Task, setDefaultEngine } = await import('../src/runtime/index.ts');
    const before = process.env.CODEX_TASK_REDIS_URL;
    process.env.CODEX_TASK_REDIS_URL = q.redis.url;
    setDefaultEngine(undefined);
    try {
      const result = await Task({ description: 'lib', prompt: 'x' });
      expect(result.status, JSON.stringify(result.error)).toBe('completed');
      expect(result.content).toBe('from a worker');
      expect(result.queue?.workerId).toBe(worker.worker.id);
    } finally {
      if (before === undefined) delete process.env.CODEX_TASK_REDIS_URL;
      else process.env.CODEX_TASK_REDIS_URL = before;
      const { getDefaultEngine } = await import('../src/runtime/index.ts');
      await getDefaultEngine().close();
      setDefaultEngine(undefined);
    }
  });
});

describe('workspaces', () => {
  /** A QueueClient used directly: the one place a task's workspace can be given today. */
  async function runIn(workspace: { path: string }) {
    const { QueueClient } = await import('../src/queue/index.ts');
    const client = new QueueClient({
      settings: { url: q.redis.url, prefix: q.prefix, stallTimeoutMs: 1000, attempts: 3 },
      workspace: () => workspace,
    });
    onTestFinished(() => client.close());
    const signal = new AbortController().signal;
    return client.execute(
      {
        taskId: `ws-${Math.random().toString(16).slice(2)}`,
        input: { description: 'x', prompt: 'where', subagent_type: 'helper' },
        cwd: '/',
      },
      { emit: () => {}, signal },
    );
  }

  it('runs a task in a shared path workspace and says so in its result', async () => {
    q.fresh();
    const ws = await h.setup(AGENTS, () => ({ text: 'in the workspace' }));
    await q.worker();
    const { result } = await runIn({ path: ws });
    expect(result.status, JSON.stringify(result.error)).toBe('completed');
    expect(result.workspace).toEqual({ kind: 'path', path: ws });
  });

  it('a workspace the worker cannot see fails the task with WorkspaceUnavailable, without retries', async () => {
    q.fresh();
    await h.setup(AGENTS);
    await q.worker();
    const error = await runIn({ path: '/no/such/shared/volume' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ type: 'WorkspaceUnavailable' });
    expect(String((error as Error).message)).toContain('/no/such/shared/volume');
  });
});

describe('jobs that cannot run', () => {
  it('a job a worker cannot read fails once, without retries, and its client hears it from the job', async () => {
    q.fresh();
    await h.setup(AGENTS);
    // Someone else's job under the task's id (an older codex-task's format): adding ours is a no-op.
    const { Queue } = await import('bullmq');
    const raw = new Queue('tasks', { connection: { url: q.redis.url }, prefix: q.prefix });
    await raw.add(
      'task',
      { v: 99, taskId: 'foreign-1', replyTo: 'nobody' },
      { jobId: 'foreign-1', attempts: 3 },
    );
    await raw.close();
    await q.worker();
    const client = q.client();
    const result = await client.engine.run(
      { description: 'x', prompt: 'x', subagent_type: 'helper' },
      { taskId: 'foreign-1' },
    );
    expect(result.status).toBe('failed');
    expect(result.error?.type).toBe('TaskInterrupted');
    expect(result.error?.message).toContain('not a codex-task job');
    expect((await client.queue!.overview()).counts.failed).toBe(1);
  });
});

describe('the queue unavailable', () => {
  it('a cancel while Redis is away still ends the task, as cancelled, at once', async () => {
    q.fresh();
    await h.setup(AGENTS);
    const client = q.client();
    const handle = client.start({ description: 'wait', prompt: 'x', subagent_type: 'helper' });
    await until('the job waits', async () => (await client.queue!.overview()).counts.waiting === 1);
    await q.redis.stop();
    try {
      handle.cancel('Redis is gone');
      const result = await handle.result;
      expect(result.status).toBe('cancelled');
      expect(result.error?.message).toContain('Redis is gone');
    } finally {
      await q.redis.restart();
    }
  });

  it('fails fast with QueueUnavailable, naming the URL without its password', async () => {
    q.fresh();
    await h.setup(AGENTS);
    const { freePort } = await import('../src/queue/testing.ts');
    const url = `redis://:s3cret-pw@127.0.0.1:${await freePort()}`;
    const client = q.client({ queue: { url } });
    const result = await client.engine.run({ description: 'x', prompt: 'x', subagent_type: 'helper' });
    expect(result.status).toBe('failed');
    expect(result.error?.type).toBe('QueueUnavailable');
    expect(JSON.stringify(result.error)).not.toContain('s3cret-pw');
    expect(result.error?.message).toContain('redis://:***@127.0.0.1');
    expect(result.error?.hint).toContain('codex-task doctor');
    expect(client.queue!.url).not.toContain('s3cret-pw');
  });
});
