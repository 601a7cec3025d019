import { describe, expect, it, vi } from 'vitest';
import type { ScriptedRequest } from '../src/scripted-model/index.ts';
import { useApi } from './http-support.ts';
import { agentFile, useHarness } from './support.ts';

const h = useHarness();
const api = useApi();

/** The value of one sample in Prometheus text format (labels in any order), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return undefined;
}

const script = (req: ScriptedRequest) => {
  if (req.lastUserText === 'fail') return { fault: { kind: 'status' as const, status: 400 } };
  if (req.lastUserText === 'hang') return { fault: { kind: 'hang' as const } };
  return req.turn === 0
    ? {
        toolCalls: [
          { name: 'Read', input: { file_path: 'a.txt' } },
          { name: 'Bash', input: { command: 'id' } },
        ],
        usage: { inputTokens: 100, outputTokens: 10 },
      }
    : { text: 'done', usage: { inputTokens: 120, outputTokens: 5 } };
};

describe('Prometheus metrics under a scripted run', () => {
  it('counts a retried model call by reason, and the retry', async () => {
    let calls = 0;
    await h.setup({}, () => (++calls === 1 ? { fault: { kind: 'status', status: 503 } } : { text: 'ok' }));
    const { call } = await api(h.engine(), h.workspace);
    const done = await call('POST', '/v1/tasks?wait=true', { description: 'd', prompt: 'p' });
    expect(done.json.status).toBe('completed');
    const text = (await call('GET', '/metrics')).text;
    const model = { provider: 'openai', model: 'gpt-5.5' };
    expect(sample(text, 'codex_task_model_calls_total', { ...model, outcome: 'retry' })).toBe(1);
    expect(sample(text, 'codex_task_model_calls_total', { ...model, outcome: 'ok' })).toBe(1);
    expect(sample(text, 'codex_task_model_call_retries_total', model)).toBe(1);
    expect(sample(text, 'codex_task_model_call_errors_total', { ...model, reason: '503' })).toBe(1);
  });

  it('exposes task, model, token and tool metrics on /metrics, and they move', async () => {
    await h.setup(
      {
        'a.txt': 'A',
        '.claude/agents/worker.md': agentFile({ name: 'worker', description: 'w', tools: 'Read' }),
      },
      script,
    );
    const { call } = await api(h.engine({ concurrency: 1 }), h.workspace);
    const before = (await call('GET', '/metrics')).text;
    expect(sample(before, 'codex_task_tasks_in_flight')).toBe(0);
    expect(sample(before, 'codex_task_tasks_started_total', { agent: 'worker' })).toBeUndefined();

    const w = { description: 'work', prompt: 'work', subagent_type: 'worker' };
    await call('POST', '/v1/tasks?wait=true', { tasks: [w, w, { ...w, prompt: 'fail' }] });
    // A task that hangs holds the only slot; the next one waits in the queue.
    const hanging = await call('POST', '/v1/tasks', { tasks: [{ ...w, prompt: 'hang' }, w] });
    // Once the hanging task's request has reached the model, it holds the slot for good.
    await vi.waitFor(() => expect(h.model.requests.at(-1)?.lastUserText).toBe('hang'), { timeout: 10_000 });
    const live = await vi.waitFor(
      async () => {
        const text = (await call('GET', '/metrics')).text;
        expect(sample(text, 'codex_task_queue_depth')).toBe(1);
        return text;
      },
      { timeout: 10_000 },
    );
    expect(sample(live, 'codex_task_tasks_in_flight')).toBe(1);
    expect(sample(live, 'codex_task_queue_depth')).toBe(1);
    expect(sample(live, 'codex_task_concurrency_limit')).toBe(1);
    for (const t of hanging.json.tasks.reverse()) await call('DELETE', `/v1/tasks/${t.id}`);

    const agent = { agent: 'worker' };
    const text = await vi.waitFor(
      async () => {
        const now = (await call('GET', '/metrics')).text;
        expect(sample(now, 'codex_task_tasks_finished_total', { ...agent, status: 'cancelled' })).toBe(2);
        return now;
      },
      { timeout: 10_000 },
    );
    expect(sample(text, 'codex_task_tasks_started_total', agent)).toBe(4);
    expect(sample(text, 'codex_task_tasks_finished_total', { ...agent, status: 'completed' })).toBe(2);
    expect(sample(text, 'codex_task_tasks_finished_total', { ...agent, status: 'failed' })).toBe(1);
    expect(sample(text, 'codex_task_tasks_finished_total', { ...agent, status: 'cancelled' })).toBe(2);
    expect(sample(text, 'codex_task_task_duration_seconds_count', { ...agent, status: 'completed' })).toBe(2);
    expect(sample(text, 'codex_task_coordination_overhead_seconds_count', agent)).toBe(5);
    expect(sample(text, 'codex_task_queue_wait_seconds_count', agent)).toBe(5);

    const model = { provider: 'openai', model: 'gpt-5.5' };
    expect(sample(text, 'codex_task_model_calls_total', { ...model, outcome: 'ok' })).toBe(4);
    expect(sample(text, 'codex_task_model_calls_total', { ...model, outcome: 'failed' })).toBe(1);
    expect(sample(text, 'codex_task_model_calls_total', { ...model, outcome: 'cancelled' })).toBe(1);
    expect(sample(text, 'codex_task_model_call_errors_total', { ...model, reason: '400' })).toBe(1);
    expect(sample(text, 'codex_task_model_call_duration_seconds_count', model)).toBe(6);
    expect(sample(text, 'codex_task_tokens_total', { ...model, ...agent, type: 'input' })).toBe(440);
    expect(sample(text, 'codex_task_tokens_total', { ...model, ...agent, type: 'output' })).toBe(30);
    expect(sample(text, 'codex_task_tool_calls_total', { tool: 'Read', outcome: 'ok' })).toBe(2);
    expect(sample(text, 'codex_task_tool_calls_total', { tool: 'Bash', outcome: 'denied' })).toBe(2);
    expect(sample(text, 'codex_task_tool_call_duration_seconds_count', { tool: 'Read' })).toBe(2);
    expect(sample(text, 'codex_task_tasks_in_flight')).toBe(0);

    // Prometheus conventions: counters end in _total, durations are _seconds histograms.
    for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      expect(name).toMatch(/^codex_task_[a-z_]+$/);
      if (type === 'counter') expect(name).toMatch(/_total$/);
      if (type === 'histogram') expect(name).toMatch(/_seconds$/);
    }
  });
});
