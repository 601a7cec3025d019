import { connect, createServer, type Server, type Socket } from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { QueueClient } from '../src/queue/index.ts';
import { outcomeKey } from '../src/queue/outcome-record.ts';
import { until, useQueue } from './queue-support.ts';
import { useHarness } from './support.ts';

// Finding 2 of the queue review: a client that missed its task's end while BullMQ trimmed the
// completed job (1,000 others, or an hour) added the job again, and the task ran twice.
const h = useHarness();
const q = useQueue(h);

/** A TCP proxy in front of the test's Redis: the client's network, which the test cuts and mends. */
let proxy: Server | undefined;
afterEach(() => {
  proxy?.close();
  proxy = undefined;
});
async function cuttableRedis() {
  const state = { up: true, sockets: new Set<Socket>() };
  proxy = createServer((client) => {
    if (!state.up) return client.destroy();
    const server = connect(q.redis.port, '127.0.0.1');
    const end = () => {
      client.destroy();
      server.destroy();
      state.sockets.delete(client);
      state.sockets.delete(server);
    };
    for (const s of [client, server]) {
      state.sockets.add(s);
      s.on('error', end).on('close', end);
    }
    client.pipe(server).pipe(client);
  }).listen(0, '127.0.0.1');
  await new Promise((resolve) => proxy!.once('listening', resolve));
  const address = proxy.address();
  return {
    url: `redis://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    cut() {
      state.up = false;
      for (const s of state.sockets) s.destroy();
    },
    mend() {
      state.up = true;
    },
  };
}

const run = () => ({ emit: () => {}, signal: new AbortController().signal });
const input = (prompt: string) => ({ description: 'd', prompt, subagent_type: 'general-purpose' });

describe('a task whose client missed the end while its job was trimmed', () => {
  it('is not run again: the client reads the recorded outcome; a job added again returns it unrun', async () => {
    q.fresh();
    const net = await cuttableRedis();
    const runs: string[] = [];
    await h.setup({}, (req) => {
      runs.push(req.lastUserText);
      // The client's network fails while its task runs: it misses the end.
      if (req.lastUserText.startsWith('deploy')) net.cut();
      return { text: `done ${req.lastUserText}` };
    });
    await q.worker();
    const settings = { ...q.engineOptions().queue!, attempts: 3 } as never;
    const client = new QueueClient({ settings: { ...(settings as object), url: net.url } as never });
    const look = new Queue('tasks', { connection: { url: q.redis.url }, prefix: q.prefix });
    try {
      const outcome = client.execute(
        { taskId: 'deploy-1', cwd: h.workspace, input: input('deploy 1') },
        run(),
      );
      await until('the job completed', async () => (await look.getJobState('deploy-1')) === 'completed');
      // What BullMQ's trimming (removeOnComplete) does to it while the client is away.
      await (await look.getJob('deploy-1'))!.remove();
      net.mend();
      const { result } = await outcome;
      expect(result).toMatchObject({ status: 'completed', content: 'done deploy 1' });
      expect(runs).toEqual(['deploy 1']);

      // The same job again (a client that re-adds it, or a worker died before BullMQ recorded the end).
      await look.add(
        'task',
        { v: 1, taskId: 'deploy-1', input: input('deploy 1'), cwd: h.workspace, replyTo: 'x' },
        { jobId: 'deploy-1' },
      );
      await until('the job completed', async () => (await look.getJobState('deploy-1')) === 'completed');
      expect((await look.getJob('deploy-1'))!.returnvalue.result.content).toBe('done deploy 1');
      expect(runs).toEqual(['deploy 1']);
    } finally {
      await client.close();
      await look.close();
    }
  });

  it('a task id the caller gave is looked up even on its first run; one the engine made up is not', async () => {
    q.fresh();
    const runs: string[] = [];
    await h.setup({}, (req) => {
      runs.push(req.lastUserText);
      return { text: `done ${req.lastUserText}` };
    });
    await q.worker();
    const client = q.client();
    const look = new Queue('tasks', { connection: { url: q.redis.url }, prefix: q.prefix });
    try {
      const first = await client.engine.run(input('deploy 3'), { taskId: 'deploy-3' });
      expect(first).toMatchObject({ status: 'completed', content: 'done deploy 3' });
      expect((await look.getJob('deploy-3'))!.data.newId).toBeUndefined();
      // BullMQ trimmed the job; the caller runs "deploy-3" again (an idempotency key).
      await (await look.getJob('deploy-3'))!.remove();
      const again = await client.engine.run(input('deploy 3'), { taskId: 'deploy-3' });
      expect(again).toMatchObject({ status: 'completed', content: 'done deploy 3' });
      expect(runs).toEqual(['deploy 3']);
      const made = await client.engine.run(input('deploy 4'));
      expect((await look.getJob(made.taskId))!.data.newId).toBe(true);
    } finally {
      await look.close();
    }
  });

  it('fails, not re-runs, when the outcome expired (or is unreadable) but its runs are listed', async () => {
    q.fresh();
    const net = await cuttableRedis();
    const runs: string[] = [];
    await h.setup({}, (req) => {
      runs.push(req.lastUserText);
      if (req.lastUserText.startsWith('deploy')) net.cut();
      return { text: 'done' };
    });
    await q.worker();
    const client = new QueueClient({
      settings: { ...q.engineOptions().queue!, attempts: 3, url: net.url } as never,
    });
    const look = new Queue('tasks', { connection: { url: q.redis.url }, prefix: q.prefix });
    try {
      const outcome = client.execute(
        { taskId: 'deploy-2', cwd: h.workspace, input: input('deploy 2') },
        run(),
      );
      outcome.catch(() => {});
      await until('the job completed', async () => (await look.getJobState('deploy-2')) === 'completed');
      await (await look.getJob('deploy-2'))!.remove();
      const redis = new Redis(q.redis.url);
      // Expired, or not readable: the same as none.
      await redis.set(outcomeKey(q.prefix, 'deploy-2'), 'not json');
      redis.disconnect();
      net.mend();
      await expect(outcome).rejects.toThrow(/trimmed before this client read the result/);
      expect(runs).toEqual(['deploy 2']);
    } finally {
      await client.close();
      await look.close();
    }
  });
});
