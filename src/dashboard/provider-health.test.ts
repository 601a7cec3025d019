import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { TaskEngine } from '../engine/index.ts';
import { WaitCounter } from './provider-health.ts';

describe('WaitCounter', () => {
  it('counts the waits of model calls per provider: queued a millisecond or more, 429s, backoff', () => {
    const events = new EventEmitter();
    const waits = new WaitCounter({ events } as unknown as TaskEngine);
    const call = (provider: string, extra: object) =>
      events.emit('task.model_call', { taskId: 't', provider, queuedMs: 0, outcome: 'ok', ...extra });
    call('openai', { queuedMs: 0.4 }); // taking a slot, not a wait
    call('openai', { queuedMs: 250.6 });
    call('openai', { queuedMs: 3, status: 429, outcome: 'retry', waitMs: 1000.2 });
    call('anthropic', { reason: '429', outcome: 'retry' });
    expect(waits.of('openai')).toEqual({ waits: 2, waitedMs: 254, rateLimited: 1, backoffMs: 1000 });
    expect(waits.of('anthropic')).toEqual({ waits: 0, waitedMs: 0, rateLimited: 1, backoffMs: 0 });
    expect(waits.of('google')).toEqual({ waits: 0, waitedMs: 0, rateLimited: 0, backoffMs: 0 });
    waits.close();
    call('google', { queuedMs: 5 });
    expect(waits.of('google').waits).toBe(0);
  });
});
