import { describe, expect, it, onTestFinished } from 'vitest';
import type { TaskEvents } from '../src/engine/index.ts';
import { freePort } from '../src/queue/testing.ts';
import { connectStdio, serverEnv, waitFor } from './mcp-support.ts';
import { useQueue } from './queue-support.ts';
import { agentFile, useHarness } from './support.ts';

// `codex-task mcp --redis URL` (the real command over stdio) sends its Task calls to the queue's
// workers: the result comes back as the tool's answer, and an MCP cancel reaches the worker.
const h = useHarness();
const q = useQueue(h);

const AGENTS = {
  '.claude/agents/echo.md': agentFile({ name: 'echo', description: 'echoes' }, 'ECHO'),
  '.claude/agents/sleeper.md': agentFile({ name: 'sleeper', description: 'sleeps' }, 'SLEEPER'),
};

describe('codex-task mcp --redis', () => {
  it('runs Task on a queue worker and carries an MCP cancel to it', async () => {
    q.fresh();
    const ws = await h.setup(AGENTS, (req) =>
      req.system.includes('SLEEPER')
        ? { text: 'woke', latencyMs: 60_000 }
        : { text: `echo: ${req.lastUserText}` },
    );
    const worker = await q.worker();
    const finished: TaskEvents['task.finished'][0][] = [];
    worker.runtime.engine.events.on('task.finished', (e) => finished.push(e));
    const env = serverEnv(h.model, ws, {
      CODEX_TASK_QUEUE_PREFIX: q.prefix,
      // Nothing listens there: the flag must win.
      CODEX_TASK_REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
    });
    const { client, transport, stderr } = await connectStdio(ws, env, ['--redis', q.redis.url]);
    onTestFinished(() => transport.close());

    const answer = await client.callTool({
      name: 'Task',
      arguments: { subagent_type: 'echo', description: 'echo it', prompt: 'over the queue' },
    });
    const text = (answer.content as { text: string }[]).map((c) => c.text).join('');
    expect(text, stderr()).toContain('echo: over the queue');
    expect(finished.map((e) => e.result.status)).toEqual(['completed']);

    const abort = new AbortController();
    const slow = client.callTool(
      { name: 'Task', arguments: { subagent_type: 'sleeper', description: 'sleep', prompt: 'zzz' } },
      undefined,
      { signal: abort.signal, timeout: 60_000 },
    );
    slow.catch(() => {});
    await waitFor(() => worker.worker.running === 1, 15_000, 'the sleeper running on the worker');
    abort.abort();
    const cancelled = await waitFor(() => finished[1], 15_000, 'the worker to end the sleeper');
    expect(cancelled.result.status).toBe('cancelled');
    expect(cancelled.agentType).toBe('sleeper');
  });
});
