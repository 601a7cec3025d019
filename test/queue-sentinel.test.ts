import { describe, expect, it, onTestFinished } from 'vitest';
import { queueChecks } from '../src/cli/doctor-queue.ts';
import { startTestSentinel } from '../src/queue/testing.ts';
import { useQueue } from './queue-support.ts';
import { agentFile, useHarness } from './support.ts';

// A queue reached through Redis Sentinel (a real `redis-server --sentinel` watching the test
// Redis): clients, workers and `doctor` find the primary by its name.
const h = useHarness();
const q = useQueue(h);

describe('a queue behind Redis Sentinel', () => {
  it('runs tasks on workers that found the primary through Sentinel, and doctor checks it', async () => {
    q.fresh();
    const sentinel = await startTestSentinel(q.redis.port, 'tasks');
    onTestFinished(() => sentinel.stop());
    await h.setup(
      { '.claude/agents/echo.md': agentFile({ name: 'echo', description: 'echoes' }, 'ECHO') },
      (req) => ({ text: `echo: ${req.lastUserText}` }),
    );
    const queue = { url: sentinel.url };
    const worker = await q.worker({ engine: { queue } });
    const client = q.client({ queue });
    expect(client.queue?.url).toBe(sentinel.url);
    const result = await client.engine.run({
      description: 'd',
      prompt: 'via sentinel',
      subagent_type: 'echo',
    });
    expect(result).toMatchObject({ status: 'completed', content: 'echo: via sentinel' });
    expect(result.queue?.workerId).toBe(worker.worker.id);

    const checks = await queueChecks(sentinel.url);
    expect(checks.map((c) => [c.check, c.status])).toContainEqual(['queue', 'ok']);
    const down = await queueChecks(sentinel.url.replace('/tasks', '/no-such-primary'), 2_000);
    expect(down[0]).toMatchObject({ check: 'queue', status: 'fail' });
  });
});
