import { OBSERVABILITY_DEFAULTS } from '../config/defaults/index.ts';
import type { TaskEngine, TaskEventBase, TaskOrigin, TaskResult } from '../engine/index.ts';
import {
  createRedactor,
  listen,
  type Redactor,
  redactAndTruncate,
  redactBounded,
  type TaskCorrelation,
} from '../telemetry/index.ts';
import type { RunStore } from './run-store.ts';
import type { RecordedWorkspace, RetentionPolicy, StepKind } from './types.ts';

export interface RecorderOptions {
  correlation: TaskCorrelation;
  redactor?: Redactor;
  /** Tool arguments, tool results and turn texts are cut to this many characters. */
  maxFieldChars?: number;
  retention?: RetentionPolicy;
  heartbeatMs?: number;
  pruneIntervalMs?: number;
  /** A write that failed (the task itself goes on: a record is never worth failing a task for). */
  onError?: (error: unknown) => void;
}

export interface RunRecorder {
  instanceId: string;
  /** Tasks marked interrupted when the recorder started (left live by processes that died). */
  recovered: string[];
  /** Stops recording; tasks still live are marked interrupted (the process is going away). */
  detach(): void;
}

/**
 * Records every task of an engine as it happens: a row at admission, a step per model turn and
 * tool call, the result at the end — each written before the engine goes on, so a crash loses at
 * most the step in flight. On start it marks the tasks of dead processes `interrupted` and applies
 * retention; then it beats a heartbeat so other processes know its own live tasks are not orphans.
 */
export function attachRunRecorder(
  engine: TaskEngine,
  store: RunStore,
  options: RecorderOptions,
): RunRecorder {
  const defaults = OBSERVABILITY_DEFAULTS.store;
  const redactor = options.redactor ?? createRedactor();
  const max = options.maxFieldChars ?? defaults.maxFieldChars;
  const { correlation } = options;
  const onError = options.onError ?? ((error) => process.emitWarning(`run store: ${String(error)}`));
  store.onWriteError = onError;
  const recovered = store.markInterrupted();
  store.prune(options.retention);
  const instanceId = store.registerInstance();
  const seqs = new Map<string, number>();

  // A task's row is written at its first event: `task.queued`, or `task.finished` for a task refused
  // before it was queued. Both carry the input and the caller.
  const seen = (e: TaskEventBase & Partial<TaskOrigin>, at = Date.now()) => {
    if (seqs.has(e.taskId)) return;
    seqs.set(e.taskId, 0);
    store.taskQueued({
      id: e.taskId,
      parentId: e.parentTaskId,
      parentCallId: e.parentCallId,
      callerThreadId: e.caller?.threadId,
      callerCallId: e.caller?.callId,
      continuesTaskId: e.continuesTaskId,
      traceId: correlation.traceIdOf(e),
      agentType: e.agentType,
      description: redactor.text(e.description),
      spawnDepth: e.spawnDepth,
      ...(e.input !== undefined ? { input: redactBounded(redactor, e.input, max) } : {}),
      queuedAt: at,
      instanceId,
    });
  };
  const step = (
    e: TaskEventBase & { turn: number },
    kind: StepKind,
    data: Record<string, unknown>,
    extra: { callId?: string; name?: string } = {},
    totals?: { turns: number; inputTokens: number; outputTokens: number },
  ) => {
    seen(e);
    const seq = (seqs.get(e.taskId) ?? 0) + 1;
    seqs.set(e.taskId, seq);
    store.appendStep({ taskId: e.taskId, seq, at: Date.now(), kind, turn: e.turn, ...extra, data }, totals);
  };

  const stop = listen(
    engine,
    {
      'task.queued': (e) => seen(e),
      'task.started': (e) => {
        seen(e);
        store.taskStarted(e.taskId, Date.now(), e.resolvedModel, e.agentType);
      },
      'task.turn': (e) =>
        step(
          e,
          'turn',
          {
            text: redactAndTruncate(redactor, e.text, max),
            toolCalls: e.toolCalls.map((c) => ({ callId: c.callId, name: c.name })),
            usage: e.usage,
            finishReason: e.finishReason,
          },
          {},
          { turns: e.turn, inputTokens: e.usage.input, outputTokens: e.usage.output },
        ),
      'task.tool': (e) => {
        const call = { callId: e.callId, name: e.name };
        if (e.phase === 'started') {
          step(e, 'tool_call', { input: redactBounded(redactor, e.input, max) }, call);
        } else if (e.denied) {
          step(
            e,
            'tool_denied',
            { input: redactBounded(redactor, e.input, max), reason: redactor.text(e.error ?? '') },
            call,
          );
        } else {
          step(
            e,
            'tool_result',
            {
              ...(e.error !== undefined
                ? { error: redactAndTruncate(redactor, e.error, max) }
                : { output: redactAndTruncate(redactor, e.output ?? '', max) }),
              durationMs: e.durationMs,
            },
            call,
          );
        }
      },
      'task.model_call': (e) => {
        if (e.outcome === 'ok') return; // its turn step holds what it produced
        step(e, 'model_call', {
          attempt: e.attempt,
          model: e.model,
          outcome: e.outcome,
          latencyMs: Math.round(e.latencyMs),
          ...(e.status !== undefined ? { status: e.status } : {}),
          ...(e.reason ? { reason: e.reason } : {}),
          ...(e.error ? { error: redactAndTruncate(redactor, e.error, max) } : {}),
          ...(e.waitMs !== undefined ? { waitMs: Math.round(e.waitMs) } : {}),
        });
      },
      'task.failover': (e) =>
        step(e, 'failover', {
          from: e.from,
          to: e.to,
          reason: e.reason,
          ...(e.status !== undefined ? { status: e.status } : {}),
        }),
      'task.finished': (e) => {
        const r = e.result;
        seen(e, Math.round(Date.now() - r.totalDurationMs));
        seqs.delete(e.taskId);
        store.taskFinished(
          {
            ...r,
            content: redactor.text(r.content),
            ...(r.partialContent ? { partialContent: redactor.text(r.partialContent) } : {}),
            ...(r.error ? { error: redactor.value(r.error) } : {}),
            ...(r.outputGuard ? { outputGuard: redactor.value(r.outputGuard) } : {}),
            ...(r.workspace ? { workspace: recordedWorkspace(redactor, r.workspace) } : {}),
          },
          Date.now(),
        );
      },
    },
    onError,
  );

  const guarded = (fn: () => void) => () => {
    try {
      fn();
    } catch (error) {
      onError(error);
    }
  };
  const heartbeat = setInterval(
    guarded(() => store.heartbeat(instanceId)),
    options.heartbeatMs ?? defaults.heartbeatMs,
  );
  const prune = setInterval(
    guarded(() => {
      store.markInterrupted();
      store.prune(options.retention);
    }),
    options.pruneIntervalMs ?? defaults.pruneIntervalMs,
  );
  heartbeat.unref();
  prune.unref();
  return {
    instanceId,
    recovered,
    detach: () => {
      stop();
      clearInterval(heartbeat);
      clearInterval(prune);
      guarded(() => store.releaseInstance(instanceId))();
    },
  };
}

/**
 * A workspace as the record keeps it: redacted like the rest (a task may have written a key into a
 * file), and marked when that changed its patch, which then no longer applies as it is.
 */
function recordedWorkspace(
  redactor: Redactor,
  workspace: NonNullable<TaskResult['workspace']>,
): RecordedWorkspace {
  // A copy of the redactor's copy, which is shared and read-only.
  const copy = { ...redactor.value(workspace) } as RecordedWorkspace;
  if (
    workspace.kind === 'git' &&
    copy.kind === 'git' &&
    workspace.patch &&
    copy.patch?.data !== workspace.patch.data
  )
    copy.patchRedacted = true;
  return copy;
}
