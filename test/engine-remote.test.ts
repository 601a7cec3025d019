import { describe, expect, it } from 'vitest';
import type {
  RemoteExecutor,
  RemoteOutcome,
  RemoteTaskRequest,
  TaskEngine,
  TaskEvents,
} from '../src/engine/index.ts';
import { QueueUnavailableError } from '../src/errors/index.ts';
import { agentFile, useHarness } from './support.ts';

// The engine's side of remote execution (engine/remote-task.ts), without Redis: a RemoteExecutor
// that runs each task on a second engine in this process, relaying its events as a queue worker does.
const h = useHarness();

const AGENTS = {
  '.claude/agents/helper.md': agentFile({ name: 'helper', description: 'helps', tools: 'Read' }, 'HELPER'),
};

const NAMES = ['task.queued', 'task.started', 'task.turn', 'task.model_call', 'task.finished'] as const;

/** Runs tasks on `worker` under the client's ids; what it was asked is kept in `requests`. */
function loopback(worker: TaskEngine): RemoteExecutor & { requests: RemoteTaskRequest[] } {
  const requests: RemoteTaskRequest[] = [];
  return {
    requests,
    async execute(request, run): Promise<RemoteOutcome> {
      requests.push(request);
      const offs = NAMES.map((name) => {
        const listener = (e: TaskEvents[typeof name][0]) => run.emit(name, e as never);
        worker.events.on(name, listener);
        return () => worker.events.off(name, listener);
      });
      try {
        const handle = worker.start(request.input, {
          taskId: request.taskId,
          cwd: request.cwd,
          signal: run.signal,
        });
        return { result: await handle.result };
      } finally {
        for (const off of offs) off();
      }
    },
    close: async () => {},
  };
}

describe('an engine with a RemoteExecutor', () => {
  it('runs root tasks there: one task.queued and task.finished of its own, the rest relayed, usage counted', async () => {
    await h.setup(AGENTS, () => ({ text: 'remote answer' }));
    const remote = loopback(h.engine());
    const client = h.engine({ remote });
    const seen: string[] = [];
    for (const name of NAMES) client.events.on(name, () => seen.push(name));
    const handle = client.start(
      { description: 'x', prompt: 'y', subagent_type: 'helper' },
      { caller: { threadId: 't1', callId: 'c1' }, priority: 5, callerModel: 'openai:gpt-5.5' },
    );
    const result = await handle.result;
    expect(result).toMatchObject({ status: 'completed', content: 'remote answer', taskId: handle.id });
    expect(seen).toEqual(['task.queued', 'task.started', 'task.model_call', 'task.turn', 'task.finished']);
    expect(remote.requests[0]).toMatchObject({
      taskId: handle.id,
      caller: { threadId: 't1', callId: 'c1' },
      priority: 5,
      callerModel: 'openai:gpt-5.5',
    });
    expect(client.usage()).toMatchObject({ tasks: 1 });
    expect(client.usage().usage.totalTokens).toBeGreaterThan(0);
  });

  it('a task the executor could not hand over fails with its typed error', async () => {
    await h.setup(AGENTS);
    const client = h.engine({
      remote: {
        execute: async () => {
          throw new QueueUnavailableError('redis://127.0.0.1:1', 'refused');
        },
        close: async () => {},
      },
    });
    const result = await client.run({ description: 'x', prompt: 'y' });
    expect(result.status).toBe('failed');
    expect(result.error?.type).toBe('QueueUnavailable');
  });

  it('a cancel before the executor answered ends the task as cancelled', async () => {
    await h.setup(AGENTS);
    const client = h.engine({
      remote: {
        execute: (_request, run) =>
          new Promise((_, reject) => run.signal.addEventListener('abort', () => reject(run.signal.reason))),
        close: async () => {},
      },
    });
    const handle = client.start({ description: 'x', prompt: 'y' });
    handle.cancel('changed my mind');
    const result = await handle.result;
    expect(result.status).toBe('cancelled');
    expect(result.error?.message).toContain('changed my mind');
  });

  it('refuses a background task over the limit here, before handing it over', async () => {
    await h.setup(AGENTS, () => ({ text: 'bg', latencyMs: 100 }));
    const remote = loopback(h.engine());
    const client = h.engine({ remote, maxBackgroundTasks: 1 });
    const first = client.start({ description: 'a', prompt: 'y', run_in_background: true });
    const second = await client.run({ description: 'b', prompt: 'y', run_in_background: true });
    expect(second.error?.type).toBe('BackgroundLimit');
    expect((await first.result).status).toBe('completed');
    expect(remote.requests).toHaveLength(1);
  });
});
