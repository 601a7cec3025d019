import type { TaskEngine } from '../src/engine/index.ts';
import type { ResilienceOptions } from '../src/models/index.ts';
import type { ScriptedRequest } from '../src/scripted-model/index.ts';

/** Small backoffs and bounds so retries and circuits play out in milliseconds. */
export const FAST: ResilienceOptions = {
  retry: { initialDelayMs: 5, maxDelayMs: 20, maxRetryTimeMs: 3_000, failoverIfRetryAfterOverMs: 2_000 },
  breaker: { halfOpenAfterMs: 300 },
};

export const input = (extra: object = {}) => ({ description: 'do it', prompt: 'do the thing', ...extra });

/** Every `task.model_call` and `task.failover` event of an engine, in order. */
export function recordCalls(engine: TaskEngine) {
  const calls: {
    outcome: string;
    model: string;
    queuedMs: number;
    status?: number;
    reason?: string;
    waitMs?: number;
  }[] = [];
  const failovers: { from: string; to: string; reason: string }[] = [];
  engine.events.on('task.model_call', (e) => calls.push(e));
  engine.events.on('task.failover', (e) => failovers.push(e));
  return { calls, failovers };
}

/** Arrival times (ms) of requests at the scripted server, for measuring waits between attempts. */
export function stamped<T>(handler: (req: ScriptedRequest, n: number) => T) {
  const at: number[] = [];
  return {
    at,
    handler: (req: ScriptedRequest) => {
      at.push(performance.now());
      return handler(req, at.length);
    },
  };
}
