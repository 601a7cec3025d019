import type { EventEmitter } from 'node:events';
import { TaskNotFoundError } from '../errors/index.ts';
import type { EngineServices } from './engine-services.ts';
import type { TaskEventSink } from './task-events.ts';
import { parseTaskInput } from './task-input.ts';
import type {
  TaskCaller,
  TaskEventBase,
  TaskEvents,
  TaskHandle,
  TaskOptions,
  TaskOrigin,
  TaskResult,
  TaskStatus,
  Transcript,
} from './types.ts';

/** What a worker needs to run a root task of this engine elsewhere, under the same id. */
export interface RemoteTaskRequest {
  taskId: string;
  /**
   * The engine made the id up for this task (no `TaskOptions.taskId`): it cannot have run before,
   * so its worker need not look for an earlier outcome the first time it runs it.
   */
  newId?: boolean;
  /** The Task input as given (the worker validates it again: it trusts nothing from Redis). */
  input: unknown;
  /** The directory the task was asked to run in, as the client sees it. */
  cwd: string;
  callerModel?: string;
  caller?: TaskCaller;
  priority?: number;
  continueFrom?: string;
  /** The conversation a follow-up continues: the worker has no run store of this client's. */
  transcript?: Transcript;
}

/** The worker's answer: the one final result, and the conversation to keep for follow-ups. */
export interface RemoteOutcome {
  result: TaskResult;
  transcript?: Transcript;
}

/**
 * Where an engine's root tasks run when they do not run in its process (a queue of workers:
 * queue/). `execute` relays every event the worker's engine emits for the task and its nested tasks
 * to `emit`, as emitted there, and resolves with the worker's result once; it rejects (a typed error,
 * e.g. QueueUnavailable) only when the task never reached a worker. `signal` cancels it where it runs.
 */
export interface RemoteExecutor {
  execute(
    request: RemoteTaskRequest,
    run: { emit: TaskEventSink['emit']; signal: AbortSignal },
  ): Promise<RemoteOutcome>;
  close(): Promise<void>;
}

/** The parts of one task's lifecycle in the engine that a remote run shares. */
export interface RemoteLifecycle {
  services: EngineServices;
  remote: RemoteExecutor;
  handle: TaskHandle;
  rawInput: unknown;
  options: TaskOptions;
  base: TaskEventBase;
  origin: TaskOrigin;
  cwd: string;
  background: boolean;
  /** The task's own sink (the engine's emitter and its handle's). */
  events: TaskEventSink;
  /** The engine's emitter alone: where its nested tasks' events go. */
  engineEvents: EventEmitter<TaskEvents>;
  signal: AbortSignal;
  /** The engine's local result for a task that never reached a worker. */
  finish(status: TaskStatus, content: string, error?: unknown): TaskResult;
  /** Its result when `signal` stopped it before a worker answered. */
  cancelled(): TaskResult;
}

/**
 * A root task run by a RemoteExecutor: bad input is refused here as in process (nothing is
 * enqueued), `task.queued` and `task.finished` are this engine's own, and everything between comes
 * from the worker with the same ids, so observers (run store, SSE, progress) see what they would see
 * in process. The worker's usage is counted in this engine's ledger as it arrives.
 */
export async function runRemotely(p: RemoteLifecycle): Promise<TaskResult> {
  const { services, options, base, events } = p;
  try {
    parseTaskInput(p.rawInput);
    if (p.background) services.background.checkRoom();
  } catch (error) {
    return p.finish('failed', '', error);
  }
  events.emit('task.queued', { ...base, ...p.origin, queueDepth: 0 });
  if (p.background) services.background.add(p.handle);
  let transcript: Transcript | undefined;
  if (options.continueFrom) {
    await services.running.get(options.continueFrom)?.handle.result;
    transcript = services.transcripts.load(options.continueFrom);
    if (!transcript)
      return p.finish('failed', '', new TaskNotFoundError(options.continueFrom, NOT_KEPT_HINT));
  }
  const relay: TaskEventSink['emit'] = (name, ...args) => {
    const event = args[0] as TaskEventBase;
    if (name === 'task.started') services.ledger.taskStarted(event.agentType);
    if (name === 'task.model_call') countUsage(services, args[0] as TaskEvents['task.model_call'][0]);
    if (event.taskId !== base.taskId) {
      (p.engineEvents.emit as TaskEventSink['emit'])(name, ...args);
      return;
    }
    // The root's first and last events are this engine's: emitted once, whatever the worker did.
    if (name === 'task.queued' || name === 'task.finished') return;
    if (name === 'task.started') base.agentType = event.agentType;
    events.emit(name, ...args);
  };
  try {
    const outcome = await p.remote.execute(
      {
        taskId: base.taskId,
        ...(options.taskId === undefined ? { newId: true } : {}),
        input: p.rawInput,
        cwd: p.cwd,
        ...(options.callerModel ? { callerModel: options.callerModel } : {}),
        ...(options.caller ? { caller: options.caller } : {}),
        ...(options.priority !== undefined ? { priority: options.priority } : {}),
        ...(options.continueFrom ? { continueFrom: options.continueFrom } : {}),
        ...(transcript ? { transcript } : {}),
      },
      { emit: relay, signal: p.signal },
    );
    const { result } = outcome;
    if (outcome.transcript) services.transcripts.save(outcome.transcript);
    services.running.delete(base.taskId);
    events.emit('task.finished', { ...base, agentType: result.agentType, ...p.origin, result });
    return result;
  } catch (error) {
    return p.signal.aborted ? p.cancelled() : p.finish('failed', '', error);
  }
}

export const NOT_KEPT_HINT =
  "Continue a task by the agentId its result named. Its conversation is kept with the run records (codex-task runs list), or in this process's memory for the library without them.";

function countUsage(services: EngineServices, e: TaskEvents['task.model_call'][0]): void {
  if (!e.usage) return;
  services.ledger.modelCall(
    e.agentType,
    e.model,
    {
      inputTokens: e.usage.input,
      outputTokens: e.usage.output,
      cacheReadTokens: e.usage.cacheRead,
      cacheWriteTokens: e.usage.cacheWrite,
    },
    e.costUsd ?? null,
  );
}
