import { readFile } from 'node:fs/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startWorkerProcess, type WorkerProcess } from '../src/queue/testing.ts';
import type { ScriptedReply, ScriptedRequest } from '../src/scripted-model/index.ts';
import { runCli } from './cli-support.ts';
import { alive, until, useQueue } from './queue-support.ts';
import { agentFile, useHarness } from './support.ts';

// Real `codex-task worker` processes on a real Redis: several workers, one killed with SIGKILL
// mid-task, Redis restarted mid-run, a cancel crossing processes to the worker that runs the task.
const h = useHarness();
const q = useQueue(h);

const AGENTS = {
  '.claude/agents/helper.md': agentFile({ name: 'helper', description: 'helps', tools: 'Read' }, 'HELPER'),
  '.claude/agents/sleeper.md': agentFile(
    { name: 'sleeper', description: 'sleeps', tools: 'Bash' },
    'SLEEPER',
  ),
};

async function workerProcess(ws: string, grace = '0'): Promise<WorkerProcess> {
  const worker = await startWorkerProcess({
    cwd: ws,
    args: ['--redis', q.redis.url, '--concurrency', '2', '--grace', grace, '--allow-path', ws],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: ws,
      OPENAI_API_KEY: 'sk-test-abcdefghijklmnop',
      OPENAI_BASE_URL: h.model.baseUrls.openai,
      CODEX_TASK_MODEL: 'openai:gpt-5.5',
      CODEX_TASK_QUEUE_PREFIX: q.prefix,
      CODEX_TASK_QUEUE_STALL_TIMEOUT: '1000',
      // Its PID namespace would hide the tool's real pid from the cancel test.
      CODEX_TASK_SANDBOX: 'off',
      CODEX_TASK_LOG_LEVEL: 'error',
    },
  });
  onTestFinished(() => worker.stop());
  return worker;
}

/** Replies that wait for `gate` while it is closed; the test opens it. */
function gated() {
  let open = Promise.withResolvers<void>();
  let opened = false;
  const handler = async (req: ScriptedRequest): Promise<ScriptedReply> => {
    if (!opened) await open.promise;
    return { text: `done: ${req.lastUserText}` };
  };
  onTestFinished(() => open.resolve());
  return {
    handler,
    open: () => {
      opened = true;
      open.resolve();
    },
    close: () => {
      opened = false;
      open = Promise.withResolvers();
    },
  };
}

describe('codex-task worker processes', () => {
  it('a worker killed with SIGKILL mid-task: its tasks run again on another, each ends once, the record says so', async () => {
    q.fresh();
    const gate = gated();
    const ws = await h.setup(AGENTS, gate.handler);
    const doomed = await workerProcess(ws);
    const client = q.client();
    const handles = [1, 2].map((i) =>
      client.start({ description: `t${i}`, prompt: `p${i}`, subagent_type: 'helper' }),
    );
    await Promise.all(handles.map((hd) => new Promise((resolve) => hd.events.once('task.started', resolve))));
    const survivor = await workerProcess(ws);
    await doomed.stop('SIGKILL');
    gate.open();
    const finished: string[] = [];
    client.engine.events.on('task.finished', (e) => finished.push(e.taskId));
    const results = await Promise.all(handles.map((hd) => hd.result));
    for (const [i, result] of results.entries()) {
      expect(result.status, JSON.stringify(result.error)).toBe('completed');
      expect(result.content).toBe(`done: p${i + 1}`);
      const workers = result.queue!.workers;
      // The survivor's run last, every run before it the killed worker's: one, or more when a
      // loaded machine kept that worker from renewing its lock and it took the job again.
      expect(workers.at(-1)).toBe(survivor.id);
      expect(new Set(workers.slice(0, -1))).toEqual(new Set([doomed.id]));
      expect(result.queue).toEqual({ attempts: workers.length, workerId: survivor.id, workers });
      expect(client.observability!.store!.get(result.taskId)).toMatchObject({
        status: 'completed',
        attempts: workers.length,
        workers,
      });
    }
    expect(finished.sort()).toEqual(handles.map((hd) => hd.id).sort());
    // Two worker processes, a stall timeout and a re-run: on a loaded machine, more than the default.
  }, 60_000);

  it('Redis restarted mid-run: client and worker reconnect, and the task it lost still ends, once', async () => {
    q.fresh();
    const gate = gated();
    const ws = await h.setup(AGENTS, gate.handler);
    await workerProcess(ws);
    const client = q.client();
    const handle = client.start({ description: 'survives', prompt: 'restart', subagent_type: 'helper' });
    await new Promise((resolve) => handle.events.once('task.started', resolve));
    await q.redis.restart();
    gate.open();
    const finished: string[] = [];
    client.engine.events.on('task.finished', (e) => finished.push(e.taskId));
    const result = await handle.result;
    expect(result.status, JSON.stringify(result.error)).toBe('completed');
    expect(result.content).toBe('done: restart');
    expect(finished).toEqual([handle.id]);
    // And the queue works on as before.
    const next = await client.engine.run({ description: 'after', prompt: 'after', subagent_type: 'helper' });
    expect(next.content).toBe('done: after');
  });

  it("a cancel on the client reaches the worker process running the task: its tool's process is gone", async () => {
    q.fresh();
    const ws = await h.setup(AGENTS, (req) =>
      req.turn === 0
        ? { toolCalls: [{ name: 'Bash', input: { command: 'echo $$ > sleeper.pid; sleep 30' } }] }
        : { text: 'woke' },
    );
    const worker = await workerProcess(ws);
    const client = q.client();
    const handle = client.start({ description: 'sleep', prompt: 'x', subagent_type: 'sleeper' });
    let pid = '';
    await until('the tool wrote its pid', async () => {
      pid = await readFile(`${ws}/sleeper.pid`, 'utf8').catch(() => '');
      return /^\d+\n/.test(pid);
    });
    handle.cancel('stop sleeping');
    const result = await handle.result;
    expect(result.status).toBe('cancelled');
    expect(result.error?.message).toContain('stop sleeping');
    expect(result.queue?.workerId).toBe(worker.id);
    await until('the tool process is gone', () => !alive(Number(pid)));
  });

  it('SIGTERM lets a running task finish within the grace period, then the worker exits', async () => {
    q.fresh();
    const gate = gated();
    const ws = await h.setup(AGENTS, gate.handler);
    const worker = await workerProcess(ws, '20s');
    const client = q.client();
    const handle = client.start({ description: 'finish', prompt: 'finish me', subagent_type: 'helper' });
    await new Promise((resolve) => handle.events.once('task.started', resolve));
    const exited = new Promise<number | null>((resolve) =>
      worker.child.once('exit', (code) => resolve(code)),
    );
    worker.child.kill('SIGTERM');
    await until('the worker says it stops', () => worker.stderr().includes('stopping'));
    gate.open();
    const result = await handle.result;
    expect(result.status, JSON.stringify(result.error)).toBe('completed');
    expect(result.queue).toEqual({ attempts: 1, workerId: worker.id, workers: [worker.id] });
    expect(await exited).toBe(0);
  });

  it('`codex-task batch --json` enqueues when CODEX_TASK_REDIS_URL is set: same output, run by the worker', async () => {
    q.fresh();
    const ws = await h.setup(AGENTS, (req) => ({ text: `did ${req.lastUserText}` }));
    const worker = await workerProcess(ws);
    const tasks = [1, 2, 3].map((i) => ({
      subagent_type: 'helper',
      description: `t${i}`,
      prompt: `job ${i}`,
    }));
    const run = await runCli(['batch', '-', '--json'], {
      cwd: ws,
      input: JSON.stringify(tasks),
      env: {
        OPENAI_API_KEY: 'sk-test-abcdefghijklmnop',
        CODEX_TASK_REDIS_URL: q.redis.url,
        CODEX_TASK_QUEUE_PREFIX: q.prefix,
      },
    });
    expect(run.code, run.stderr).toBe(0);
    const results = JSON.parse(run.stdout) as { content: string; queue?: { workerId: string } }[];
    expect(results.map((r) => r.content)).toEqual(['did job 1', 'did job 2', 'did job 3']);
    expect(results.every((r) => r.queue?.workerId === worker.id)).toBe(true);
  });
});
