import { describe, expect, it } from 'vitest';
import type { ScriptedRequest } from '../src/scripted-model/index.ts';
import { agentFile, useHarness } from './support.ts';

const h = useHarness();

const AGENTS = {
  '.claude/agents/lead.md': agentFile(
    { name: 'lead', description: 'delegates', tools: 'Task, Read' },
    'You are the LEAD.',
  ),
  '.claude/agents/worker.md': agentFile(
    { name: 'worker', description: 'does one thing', tools: 'Read' },
    'You are a WORKER.',
  ),
};

/** The lead spawns `n` workers in one turn, then reports what they said; workers answer at once. */
function leadAndWorkers(n: number, latencyMs = 0) {
  return (req: ScriptedRequest) => {
    if (req.system.includes('WORKER')) return { text: `worker result for ${req.lastUserText}`, latencyMs };
    if (req.turn === 0) {
      return {
        toolCalls: Array.from({ length: n }, (_, i) => ({
          name: 'Task',
          input: {
            description: `part ${i}`,
            prompt: `${req.lastUserText}/part-${i}`,
            subagent_type: 'worker',
          },
        })),
      };
    }
    return { text: `lead got: ${req.toolResults.map((r) => r.output.split('\n')[0]).join(' | ')}` };
  };
}

describe('nested subagents', () => {
  it('a subagent with Task in its tools delegates to children through the same engine', async () => {
    await h.setup(AGENTS, leadAndWorkers(2));
    const engine = h.engine();
    const depths: number[] = [];
    engine.events.on('task.started', (e) => depths.push(e.spawnDepth));
    const result = await engine.run({ description: 'lead', prompt: 'job', subagent_type: 'lead' });

    expect(result.status).toBe('completed');
    expect(result.content).toBe('lead got: worker result for job/part-0 | worker result for job/part-1');
    expect(result.toolStats.Task).toMatchObject({ calls: 2, errors: 0 });
    expect(depths.sort()).toEqual([1, 2, 2]);
    // The Task tool the lead saw lists the agents it can delegate to.
    const leadRequest = h.model.requests.find((r) => r.system.includes('LEAD'))!;
    expect(leadRequest.tools).toContain('Task');
  });

  it('does not deadlock when parents fill every slot: concurrency 2, two parents, two children each', async () => {
    await h.setup(AGENTS, leadAndWorkers(2, 50));
    const engine = h.engine({ concurrency: 2 });
    let maxActive = 0;
    engine.events.on('task.started', () => {
      maxActive = Math.max(maxActive, engine.load.active);
    });
    const results = await engine.runAll([
      { description: 'a', prompt: 'A', subagent_type: 'lead' },
      { description: 'b', prompt: 'B', subagent_type: 'lead' },
    ]);

    expect(results.map((r) => r.status)).toEqual(['completed', 'completed']);
    expect(results[0]!.content).toContain('worker result for A/part-1');
    expect(results[1]!.content).toContain('worker result for B/part-1');
    expect(maxActive).toBeLessThanOrEqual(2);
    expect(h.model.stats.maxInFlight).toBeLessThanOrEqual(2);
  });

  it("a child inherits its parent's priority in the queue", async () => {
    await h.setup(AGENTS, leadAndWorkers(1, 20));
    const engine = h.engine({ concurrency: 1 });
    const startOrder: string[] = [];
    engine.events.on('task.started', (e) => startOrder.push(e.description));
    const worker = (description: string) => ({ description, prompt: description, subagent_type: 'worker' });
    const results = await Promise.all([
      engine.run({ description: 'lead', prompt: 'job', subagent_type: 'lead' }, { priority: 50 }),
      engine.run(worker('other 1')),
      engine.run(worker('other 2')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
    // The lead lends its slot when it delegates (`other 1`, first in line, takes it); its child, at
    // the lead's 50, then goes before `other 2` at 0.
    expect(startOrder).toEqual(['lead', 'other 1', 'part 0', 'other 2']);
  });

  it('stops offering Task at the depth limit (maxSpawnDepth 1 disables nesting)', async () => {
    await h.setup(AGENTS, leadAndWorkers(1));
    const result = await h
      .engine({ maxSpawnDepth: 1 })
      .run({ description: 'lead', prompt: 'job', subagent_type: 'lead' });

    expect(h.model.requests[0]!.tools).toEqual(['Read']);
    // The model called Task anyway: refused as a tool error, no child was started.
    expect(result.toolStats.Task).toMatchObject({ calls: 1, denied: 1 });
    expect(h.model.requests.filter((r) => r.system.includes('WORKER'))).toHaveLength(0);
  });

  it('refuses a task started beyond the depth limit with a typed error', async () => {
    await h.setup(AGENTS, () => ({ text: 'x' }));
    const result = await h
      .engine({ maxSpawnDepth: 2 })
      .run({ description: 'deep', prompt: 'x' }, { spawnDepth: 3 });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ type: 'SpawnDepthExceeded' });
    expect(h.model.stats.requests).toBe(0);
  });

  it('a failed child is a tool error for the parent, with the reason', async () => {
    await h.setup(AGENTS, (req) => {
      if (req.system.includes('WORKER')) return { fault: { kind: 'status', status: 400 } };
      return req.turn === 0
        ? { toolCalls: [{ name: 'Task', input: { description: 'p', prompt: 'p', subagent_type: 'worker' } }] }
        : { text: `child said: ${req.toolResults[0]?.output}` };
    });
    const result = await h.engine().run({ description: 'lead', prompt: 'job', subagent_type: 'lead' });
    expect(result.status).toBe('completed');
    expect(result.content).toContain('Task failed: Provider: ');
    expect(result.toolStats.Task).toMatchObject({ calls: 1, errors: 1 });
  });
});

describe('Task(agent, …) restrictions', () => {
  it('lets a subagent start only the agent types its tools name, and lists only those', async () => {
    await h.setup(
      {
        ...AGENTS,
        '.claude/agents/picky.md': agentFile(
          { name: 'picky', description: 'picky lead', tools: 'Task(worker), Read' },
          'You are PICKY.',
        ),
      },
      (req: ScriptedRequest) => {
        if (req.system.includes('WORKER')) return { text: 'worker done' };
        if (req.turn === 0) {
          return {
            toolCalls: [
              { name: 'Task', input: { description: 'ok', prompt: 'w', subagent_type: 'worker' } },
              { name: 'Task', input: { description: 'no', prompt: 'l', subagent_type: 'lead' } },
            ],
          };
        }
        return { text: req.toolResults.map((r) => r.output.split('\n')[0]).join(' | ') };
      },
    );
    const result = await h.engine().run({ description: 'picky', prompt: 'go', subagent_type: 'picky' });
    expect(result.content).toContain('worker done');
    expect(result.content).toContain("may not start 'lead' subagents");
    expect(h.model.requests.filter((r) => r.system.includes('LEAD'))).toHaveLength(0);
  });
});
