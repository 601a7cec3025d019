import { describe, expect, it } from 'vitest';
import type { HubEvent } from '../http/index.ts';
import type { StepRecord } from '../store/index.ts';
import { entriesOfEvents, entriesOfSteps } from './transcript.ts';

const step = (seq: number, kind: StepRecord['kind'], turn: number, data: object, extra = {}): StepRecord => ({
  taskId: 't',
  seq,
  at: seq,
  kind,
  turn,
  data: data as Record<string, unknown>,
  ...extra,
});

const event = (seq: number, name: HubEvent['event'], data: object): HubEvent => ({
  seq,
  event: name,
  data: JSON.stringify({ taskId: 't', agentType: 'a', traceId: 'x', at: seq, ...data }),
});

describe('transcript entries', () => {
  it('reads each turn before the tools it called, its failed attempts before it, in the order of the steps', () => {
    const entries = entriesOfSteps([
      step(1, 'model_call', 1, { outcome: 'failover', model: 'openai:a', status: 503 }),
      step(2, 'failover', 1, { from: 'openai:a', to: 'anthropic:b', reason: '503', status: 503 }),
      step(3, 'tool_call', 1, { input: { path: 'x' } }, { callId: 'c1', name: 'Read' }),
      step(4, 'tool_result', 1, { output: 'X', durationMs: 3 }, { callId: 'c1', name: 'Read' }),
      step(5, 'tool_call', 1, { input: {} }, { callId: 'c2', name: 'Glob' }),
      step(6, 'turn', 1, {
        text: 'look',
        toolCalls: [{ callId: 'c1', name: 'Read' }],
        finishReason: 'tool-calls',
      }),
      step(7, 'tool_result', 1, { error: 'lost' }, { callId: 'unknown' }),
      step(8, 'turn', 2, { text: 'done', usage: { input: 1, output: 2 } }),
    ]);
    expect(entries.map((e) => e.kind)).toEqual(['retry', 'failover', 'turn', 'tool', 'tool', 'turn']);
    expect(entries[1]).toMatchObject({ from: 'openai:a', to: 'anthropic:b', reason: '503', turn: 1 });
    expect(entries[3]).toMatchObject({ name: 'Read', output: 'X', durationMs: 3, pending: false });
    expect(entries[4]).toMatchObject({ name: 'Glob', pending: true }); // still running
    expect(entries[5]).toMatchObject({ text: 'done', toolCalls: [], usage: { input: 1, output: 2 } });
  });

  it('reads the same from the events a server keeps in memory (no store)', () => {
    const entries = entriesOfEvents([
      event(1, 'task.queued', { queueDepth: 0 }),
      event(2, 'task.model_call', { turn: 1, outcome: 'retry', status: 429, waitMs: 5 }),
      event(3, 'task.model_call', { turn: 1, outcome: 'ok' }),
      event(4, 'task.tool', { phase: 'started', turn: 1, callId: 'c1', name: 'Read', input: { a: 1 } }),
      event(5, 'task.tool', {
        phase: 'finished',
        turn: 1,
        callId: 'c1',
        name: 'Read',
        input: {},
        error: 'no',
      }),
      event(6, 'task.tool', {
        phase: 'finished',
        turn: 1,
        callId: 'c2',
        name: 'Bash',
        input: {},
        denied: true,
        error: 'not granted',
      }),
      event(7, 'task.failover', { turn: 2, from: 'a', to: 'b', reason: 'circuit-open' }),
      event(8, 'task.turn', { turn: 1, text: '', toolCalls: [] }),
      event(9, 'task.turn', { turn: 2, text: 'end', toolCalls: [], finishReason: 'stop' }),
    ]);
    expect(entries.map((e) => ('name' in e ? e.name : e.kind))).toEqual([
      'retry',
      'turn',
      'Read',
      'Bash',
      'failover',
      'turn',
    ]);
    expect(entries[0]).toMatchObject({ kind: 'retry', outcome: 'retry', status: 429, waitMs: 5, turn: 1 });
    expect(entries[0]).not.toHaveProperty('taskId');
    expect(entries[2]).toMatchObject({ error: 'no', pending: false });
    expect(entries[3]).toMatchObject({ denied: true, error: 'not granted', pending: false });
  });
});
