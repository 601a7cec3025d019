import { describe, expect, it, vi } from 'vitest';
import type { TaskEventBase, TaskResult } from '../src/engine/index.ts';
import { agentFile, useHarness } from './support.ts';

const h = useHarness();
const task = (prompt: string, extra: object = {}) => ({ description: prompt.slice(0, 20), prompt, ...extra });

describe('parallel subagents', () => {
  it('runs 10 tasks at once, results in input order', async () => {
    // Each model call is answered once all 10 have arrived (however long the machine takes to send
    // them); run one by one or in pairs, they would all wait out the 10 s cap and fail maxInFlight.
    let allArrived = () => {};
    const gate = new Promise<void>((resolve) => {
      allArrived = resolve;
      setTimeout(resolve, 10_000).unref();
    });
    await h.setup({}, async (req) => {
      if (h.model.stats.inFlight === 10) allArrived();
      await gate;
      return { text: `answer to ${req.lastUserText}` };
    });
    const engine = h.engine({ concurrency: 10 });
    const results = await engine.runAll(Array.from({ length: 10 }, (_, i) => task(`question ${i}`)));

    expect(results.map((r) => r.content)).toEqual(
      Array.from({ length: 10 }, (_, i) => `answer to question ${i}`),
    );
    expect(h.model.stats.maxInFlight).toBe(10);
    // How close to one task's time 10 (and 100) take is measured by `npm run bench` (bench/run.ts).
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
    await h.setup(
      {
        // Only this agent has a short time limit: the siblings keep the default one, so they cannot
        // time out on a slow machine, and finishing before this one fires shows they never waited.
        '.claude/agents/stuck.md': agentFile({ name: 'stuck', description: 'hangs', timeout: '400' }),
      },
      (req) => {
        // A request error fails at once (a 5xx would be retried: test/resilience-*.test.ts).
        if (req.lastUserText === 'fail') return { fault: { kind: 'status', status: 400 } };
        if (req.lastUserText === 'hang') return { fault: { kind: 'hang' } };
        return { text: `fine: ${req.lastUserText}`, latencyMs: 20 };
      },
    );
    const engine = h.engine();
    const cancel = new AbortController();
    const finished: string[] = [];
    const track = (name: string, result: Promise<TaskResult>) =>
      result.then((r) => {
        finished.push(name);
        return r;
      });
    const pending = [
      track('one', engine.run(task('one'))),
      track('fail', engine.run(task('fail'))),
      track('timed out', engine.run(task('hang', { subagent_type: 'stuck' }))),
      track('cancelled', engine.run(task('hang'), { signal: cancel.signal })),
      track('two', engine.run(task('two'))),
    ];
    // Cancelled once both hanging requests are at the model, so the cancellation stops a running call.
    await vi.waitFor(
      () => expect(h.model.requests.filter((r) => r.lastUserText === 'hang')).toHaveLength(2),
      { timeout: 10_000 },
    );
    cancel.abort();
    const [one, failed, timedOut, cancelled, two] = (await Promise.all(pending)) as TaskResult[];

    expect(one).toMatchObject({ status: 'completed', content: 'fine: one' });
    expect(two).toMatchObject({ status: 'completed', content: 'fine: two' });
    expect(failed!.status).toBe('failed');
    expect(failed!.error).toMatchObject({ type: 'Provider' });
    expect(failed!.error!.message).toContain('400');
    expect(timedOut!.status).toBe('timed_out');
    expect(timedOut!.error).toMatchObject({
      type: 'TaskTimeout',
      message: 'Task timed out after 400 ms',
      details: { timeoutMs: 400 },
    });
    expect(cancelled!.status).toBe('cancelled');
    // The siblings were not held up by the stuck ones: done before the stuck one's limit ran out.
    expect(finished.indexOf('one')).toBeLessThan(finished.indexOf('timed out'));
    expect(finished.indexOf('two')).toBeLessThan(finished.indexOf('timed out'));
  });

  it('starts a high-priority task submitted behind 100 queued low ones next, then the rest in FIFO order', async () => {
    await h.setup({}, (req) => ({ text: req.lastUserText }));
    const engine = h.engine({ concurrency: 1 });
    const startOrder: string[] = [];
    engine.events.on('task.started', (e) => startOrder.push(e.description));
    const lows = Array.from({ length: 100 }, (_, i) => `low ${i}`);
    const pending = [
      engine.run(task('running')),
      ...lows.map((p) => engine.run(task(p), { priority: -10 })),
      engine.run(task('high'), { priority: 10 }),
    ];
    const results = await Promise.all(pending);
    expect(results.every((r) => r.status === 'completed')).toBe(true);
    expect(startOrder).toEqual(['running', 'high', ...lows]);
  });

  it('fails a task whose priority is out of range with a typed error naming `priority`', async () => {
    await h.setup({}, () => ({ text: 'x' }));
    const engine = h.engine();
    for (const priority of [101, 1.5, Number.NaN]) {
      const result = await engine.run(task('x'), { priority });
      expect(result.status).toBe('failed');
      expect(result.error).toMatchObject({ type: 'InvalidTaskInput', details: { fields: ['priority'] } });
      expect(result.error!.message).toContain('`priority` must be a whole number from -100 to 100');
    }
    expect(h.model.stats.requests).toBe(0);
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
    const handle = engine.start(task('read a'), { caller: { threadId: 'codex-thread-7', callId: 'call-3' } });
    // The id is known before anything runs, and the first event (with the input and caller) is already out.
    expect(events.map((e) => [e.type, e.taskId])).toEqual([['task.queued', handle.id]]);
    expect(events[0]).toMatchObject({
      input: task('read a'),
      caller: { threadId: 'codex-thread-7', callId: 'call-3' },
    });
    expect(handle.caller).toEqual({ threadId: 'codex-thread-7', callId: 'call-3' });
    const own: string[] = [];
    handle.events.on('task.finished', (e) => own.push(e.taskId));
    const result = await handle.result;
    expect(own).toEqual([handle.id]);

    expect(events.map((e) => e.type)).toEqual([
      'task.queued',
      'task.started',
      'task.progress',
      'task.progress',
      'task.progress',
      'task.finished',
    ]);
    for (const e of events) {
      expect(e.parentTaskId).toBeUndefined(); // a client's thread is its caller, not a parent task
      expect(e).toMatchObject({
        taskId: result.taskId,
        spawnDepth: 1,
        agentType: 'general-purpose',
      });
    }
    const toolProgress = events[2] as unknown as { lastTool: string; turn: number };
    expect(toolProgress).toMatchObject({ lastTool: 'Read', turn: 1 });
  });
});
