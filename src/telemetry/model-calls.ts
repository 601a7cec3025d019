import type { TaskEngine, TaskEventBase } from '../engine/index.ts';
import { listen } from './listen.ts';

/** One model request attempt of a subagent, as metrics and spans see it. */
export interface ModelCall {
  task: TaskEventBase;
  turn: number;
  attempt: number;
  /** Provider id (`openai`, `anthropic`, a configured gateway…). */
  provider: string;
  /** Model id without the provider prefix. */
  model: string;
  /** Epoch ms. */
  startedAt: number;
  durationMs: number;
  /**
   * The engine's attempt outcomes (`retry`/`failover`: failed and tried again; `failed`: gave up),
   * plus `timeout`/`cancelled` for a call the task's end cut short (the engine reports none for it).
   */
  outcome: 'ok' | 'retry' | 'failover' | 'failed' | 'timeout' | 'cancelled';
  usage?: { input: number; output: number; cacheRead: number; cacheWrite: number };
  costUsd?: number | null;
  status?: number;
  /** Why it failed: `429`, `503`, `connection`, `timeout`, `circuit-open`, … */
  reason?: string;
  error?: string;
}

interface InFlight {
  provider: string;
  model: string;
  turn: number;
  attempt: number;
  since: number;
}

const split = (spec: string): [string, string] => {
  const i = spec.indexOf(':');
  return i < 0 ? ['unknown', spec] : [spec.slice(0, i), spec.slice(i + 1)];
};

/**
 * Every model call attempt, from the engine's `task.model_call` events — and the one attempt those
 * events cannot report: a call still in flight when its task is cancelled or times out. A task has a
 * call in flight from its start, or the end of a turn, or a retried attempt, until an attempt ends
 * for good or a tool starts (the reply is in).
 */
export function trackModelCalls(engine: TaskEngine, onCall: (call: ModelCall) => void): () => void {
  const inFlight = new Map<string, InFlight>();
  /** The model each task last used (a failover changes it mid-task). */
  const models = new Map<string, string>();
  const open = (taskId: string, spec: string, turn: number, attempt: number) => {
    const [provider, model] = split(spec);
    models.set(taskId, spec);
    inFlight.set(taskId, { provider, model, turn, attempt, since: Date.now() });
  };
  return listen(engine, {
    'task.started': (e) => open(e.taskId, e.resolvedModel, 1, 1),
    'task.model_call': (e) => {
      const [provider, model] = split(e.model);
      const now = Date.now();
      onCall({
        task: e,
        turn: e.turn,
        attempt: e.attempt,
        provider: e.provider || provider,
        model,
        startedAt: Math.round(now - e.latencyMs),
        durationMs: e.latencyMs,
        outcome: e.outcome,
        ...(e.usage ? { usage: e.usage } : {}),
        ...(e.costUsd !== undefined ? { costUsd: e.costUsd } : {}),
        ...(e.status !== undefined ? { status: e.status } : {}),
        ...(e.reason ? { reason: e.reason } : {}),
        ...(e.error ? { error: e.error } : {}),
      });
      models.set(e.taskId, e.model);
      if (e.outcome === 'retry' || e.outcome === 'failover') open(e.taskId, e.model, e.turn, e.attempt + 1);
      else inFlight.delete(e.taskId);
    },
    'task.tool': (e) => {
      if (e.phase === 'started') inFlight.delete(e.taskId);
    },
    'task.turn': (e) => {
      const spec = models.get(e.taskId);
      if (spec) open(e.taskId, spec, e.turn + 1, 1);
    },
    'task.finished': (e) => {
      const call = inFlight.get(e.taskId);
      inFlight.delete(e.taskId);
      models.delete(e.taskId);
      const status = e.result.status;
      if (!call || (status !== 'timed_out' && status !== 'cancelled')) return;
      const now = Date.now();
      onCall({
        task: e,
        turn: call.turn,
        attempt: call.attempt,
        provider: call.provider,
        model: call.model,
        startedAt: call.since,
        durationMs: now - call.since,
        outcome: status === 'timed_out' ? 'timeout' : 'cancelled',
        ...(e.result.error ? { reason: e.result.error.type, error: e.result.error.message } : {}),
      });
    },
  });
}
