import { describe, expect, it } from 'vitest';
import type { TaskEventBase, TaskResult } from '../src/engine/index.ts';
import { useHarness } from './support.ts';

const h = useHarness();
const task = (prompt: string, extra: object = {}) => ({ description: prompt.slice(0, 20), prompt, ...extra });

describe('parallel subagents', () => {
  it('runs 10 tasks with 300 ms model latency in about one task time, results in input order', async () => {
    await h.setup({}, (req) => ({ text: `answer to ${req.lastUserText}`, latencyMs: 300 }));
    const engine = h.engine({ concurrency: 10 });
    const started = performance.now();
    const results = await engine.runAll(Array.from({ length: 10 }, (_, i) => task(`question ${i}`)));
    const wall = performance.now() - started;

    expect(results.map((r) => r.content)).toEqual(
      Array.from({ length: 10 }, (_, i) => `answer to question ${i}`),
    );
    expect(h.model.stats.maxInFlight).toBe(10);
    // Serial would take >= 3 s; a generous bound that still fails if tasks ran one by one or in pairs.
    expect(wall).toBeLessThan(1500);
  });

  it('never runs more tasks at once than the concurrency limit, and starts them in FIFO order', async () => {
    await h.setup({}, (req) => ({ text: req.lastUserText, latencyMs: 50 }));
    const engine = h.engine({ concurrency: 3 });
    const startOrder: string[] = [];
    let maxActive = 0;
    engine.events.on('task.started', (e) => {
      startOrder.push(e.description);
      maxActive = Math.max(maxActive, engine.load.active);
    });
    const results = await engine.runAll(Array.from({ length: 9 }, (_, i) => task(`t${i}`)));

    expect(results.every((r) => r.status === 'completed')).toBe(true);
    expect(h.model.stats.maxInFlight).toBe(3);
    expect(maxActive).toBe(3);
    expect(startOrder).toEqual(Array.from({ length: 9 }, (_, i) => `t${i}`));
    expect(results.slice(3).every((r) => r.timings.queuedMs > 20)).toBe(true);
  });

  it('isolates a failing, a timed-out and a cancelled task from their siblings', async () => {
    await h.setup({}, (req) => {
      // A request error fails at once (a 5xx would be retried: test/resilience-*.test.ts).
      if (req.lastUserText === 'fail') return { fault: { kind: 'status', status: 400 } };
      if (req.lastUserText === 'hang') return { fault: { kind: 'hang' } };
      return { text: `fine: ${req.lastUserText}`, latencyMs: 100 };
    });
    const engine = h.engine({ taskTimeoutMs: 400 });
    const cancel = new AbortController();
    const pending = [
      engine.run(task('one')),
      engine.run(task('fail')),
      engine.run(task('hang')),
      engine.run(task('hang'), { signal: cancel.signal }),
      engine.run(task('two')),
    ];
    setTimeout(() => cancel.abort(), 100);
    const [one, failed, timedOut, cancelled, two] = (await Promise.all(pending)) as TaskResult[];

    expect(one).toMatchObject({ status: 'completed', content: 'fine: one' });
    expect(two).toMatchObject({ status: 'completed', content: 'fine: two' });
    expect(failed!.status).toBe('failed');
    expect(failed!.error).toMatchObject({ type: 'ProviderError' });
    expect(failed!.error!.message).toContain('400');
    expect(timedOut!.status).toBe('timed_out');
    expect(timedOut!.error).toMatchObject({ type: 'Timeout', message: 'Task timed out after 400 ms' });
    expect(cancelled!.status).toBe('cancelled');
    expect(cancelled!.totalDurationMs).toBeLessThan(400);
    // The siblings were not slowed down by the stuck ones.
    expect(one!.totalDurationMs).toBeLessThan(400);
  });

  it('cancels a task that is still queued without ever starting it', async () => {
    await h.setup({}, () => ({ text: 'slow', latencyMs: 200 }));
    const engine = h.engine({ concurrency: 1 });
    const cancel = new AbortController();
    const first = engine.run(task('first'));
    const second = engine.run(task('second'), { signal: cancel.signal });
    cancel.abort();
    const [a, b] = await Promise.all([first, second]);
    expect(a.status).toBe('completed');
    expect(b.status).toBe('cancelled');
    expect(b.turns).toBe(0);
    expect(h.model.stats.requests).toBe(1);
  });

  it('emits queued → started → progress → finished with correlation fields', async () => {
    await h.setup({ 'a.txt': 'A' }, (req) =>
      req.turn === 0 ? { toolCalls: [{ name: 'Read', input: { file_path: 'a.txt' } }] } : { text: 'done' },
    );
    const engine = h.engine();
    const events: {
      type: string;
      taskId: string;
      parentTaskId?: string;
      spawnDepth: number;
      agentType: string;
    }[] = [];
    for (const type of ['task.queued', 'task.started', 'task.progress', 'task.finished'] as const) {
      engine.events.on(type, (e: TaskEventBase) => events.push({ type, ...e }));
    }
    const result = await engine.run(task('read a'), { parentTaskId: 'codex-thread-7' });

    expect(events.map((e) => e.type)).toEqual([
      'task.queued',
      'task.started',
      'task.progress',
      'task.progress',
      'task.progress',
      'task.finished',
    ]);
    for (const e of events) {
      expect(e).toMatchObject({
        taskId: result.taskId,
        parentTaskId: 'codex-thread-7',
        spawnDepth: 1,
        agentType: 'general-purpose',
      });
    }
    const toolProgress = events[2] as unknown as { lastTool: string; turn: number };
    expect(toolProgress).toMatchObject({ lastTool: 'Read', turn: 1 });
  });
});
