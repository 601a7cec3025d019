import type { TaskEngine, TaskEventBase, TaskEvents } from '../engine/index.ts';
import { listen } from './listen.ts';

/** One model request of a subagent, as seen from the engine's events. */
export interface ModelCall {
  task: TaskEventBase;
  turn: number;
  provider: string;
  model: string;
  /** Epoch ms. */
  startedAt: number;
  durationMs: number;
  inputTokens: number;
  outputTokens: number;
  finishReason?: string;
  /** `error` for a failed request, `timeout`/`cancelled` when the task ended while it was in flight. */
  outcome: 'ok' | 'error' | 'timeout' | 'cancelled';
  errorType?: string;
  errorMessage?: string;
}

interface Pending {
  provider: string;
  model: string;
  turn: number;
  startedAt: number;
  /** Set when the turn's first tool starts: the reply had arrived by then. */
  endedAt: number | undefined;
}

/** Errors that end a task after its last model call rather than during one. */
const NOT_A_CALL_FAILURE = new Set(['MaxTurnsExceeded', 'EmptyResult']);

/**
 * Derives model calls from the engine's transcript events: turn n's request starts when the task
 * starts (n = 1) or turn n-1 ends, and its reply is in when the turn's first tool starts or the turn
 * ends. The engine emits `task.turn` only after the turn's tools ran, hence the tool-start cut.
 * Retries inside one call are not visible here; they need a model-call event from the engine.
 */
export function trackModelCalls(engine: TaskEngine, onCall: (call: ModelCall) => void): () => void {
  const pending = new Map<string, Pending>();
  const emit = (task: TaskEventBase, p: Pending, end: number, extra: Partial<ModelCall>) =>
    onCall({
      task,
      turn: p.turn,
      provider: p.provider,
      model: p.model,
      startedAt: p.startedAt,
      durationMs: Math.max(0, end - p.startedAt),
      inputTokens: 0,
      outputTokens: 0,
      outcome: 'ok',
      ...extra,
    });

  const onStarted = (e: TaskEvents['task.started'][0]) => {
    const [provider, ...rest] = e.resolvedModel.split(':');
    pending.set(e.taskId, {
      provider: provider ?? 'unknown',
      model: rest.join(':') || e.resolvedModel,
      turn: 1,
      startedAt: Date.now(),
      endedAt: undefined,
    });
  };
  const onTool = (e: TaskEvents['task.tool'][0]) => {
    const p = pending.get(e.taskId);
    if (p && e.phase === 'started' && p.endedAt === undefined && e.turn === p.turn) p.endedAt = Date.now();
  };
  const onTurn = (e: TaskEvents['task.turn'][0]) => {
    const p = pending.get(e.taskId);
    if (!p) return;
    const now = Date.now();
    emit(e, p, p.endedAt ?? now, {
      turn: e.turn,
      inputTokens: e.usage.input,
      outputTokens: e.usage.output,
      finishReason: e.finishReason,
    });
    pending.set(e.taskId, { ...p, turn: e.turn + 1, startedAt: now, endedAt: undefined });
  };
  const onFinished = (e: TaskEvents['task.finished'][0]) => {
    const p = pending.get(e.taskId);
    pending.delete(e.taskId);
    const { result } = e;
    if (!p || result.status === 'completed' || p.endedAt !== undefined) return;
    if (result.error && NOT_A_CALL_FAILURE.has(result.error.type)) return;
    const outcome =
      result.status === 'timed_out' ? 'timeout' : result.status === 'cancelled' ? 'cancelled' : 'error';
    emit(e, p, Date.now(), {
      outcome,
      ...(result.error ? { errorType: result.error.type, errorMessage: result.error.message } : {}),
    });
  };

  return listen(engine, {
    'task.started': onStarted,
    'task.tool': onTool,
    'task.turn': onTurn,
    'task.finished': onFinished,
  });
}
