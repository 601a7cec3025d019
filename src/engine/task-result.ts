import type { AgentDefinition } from '../agents/index.ts';
import { CodexTaskError, toErrorInfo } from '../errors/index.ts';
import type { ResolvedModel } from '../models/index.ts';
import { guardOutput } from './output-guard.ts';
import type { RunState } from './subagent-run.ts';
import type { TaskEventBase, TaskResult, TaskStatus } from './types.ts';

export interface TaskResultOptions {
  /** Characters of output the caller gets; the rest is cut (the original saved). */
  outputMaxChars: number;
  /** Saves a task's original output when the guard changed it; returns where. */
  saveOriginal: (taskId: string, text: string) => string;
}

export interface TaskOutcome {
  base: TaskEventBase;
  state: RunState;
  status: TaskStatus;
  content: string;
  startedAt: number;
  queuedMs: number;
  resolved: ResolvedModel | undefined;
  agent: AgentDefinition | undefined;
  error?: unknown;
}

/** The TaskResult of one finished task, its output passed through the child-to-parent guard. */
export function buildTaskResult(options: TaskResultOptions, p: TaskOutcome): TaskResult {
  const { base, state } = p;
  // What the caller reads is guarded, whatever the status: a failed task's partial output too.
  const raw = p.status === 'completed' ? p.content : state.partialContent();
  const guarded =
    raw === undefined
      ? undefined
      : guardOutput(raw, {
          maxChars: options.outputMaxChars,
          saveOriginal: (text) => options.saveOriginal(base.taskId, text),
        });
  const content = p.status === 'completed' ? (guarded?.text ?? '') : p.content;
  const partial = p.status === 'completed' ? undefined : guarded?.text;
  const errorInfo =
    p.error === undefined
      ? undefined
      : p.error instanceof CodexTaskError
        ? p.error.toJSON()
        : toErrorInfo(p.error);
  return {
    taskId: base.taskId,
    agentId: base.taskId,
    ...(base.parentTaskId ? { parentTaskId: base.parentTaskId } : {}),
    status: p.status,
    agentType: base.agentType,
    description: base.description,
    content,
    ...(partial ? { partialContent: partial } : {}),
    resolvedModel: p.resolved?.spec ?? null,
    ...(p.resolved?.routing ? { routing: { ...p.resolved.routing } } : {}),
    totalDurationMs: performance.now() - p.startedAt,
    totalToolUseCount: state.toolUses,
    turns: state.turns,
    usage: { ...state.usage },
    modelsUsed: [...state.modelsUsed.values()].map((used) => ({ ...used })),
    failovers: state.failovers,
    retries: state.retries,
    toolStats: state.toolStats,
    timings: { queuedMs: p.queuedMs, modelMs: state.modelMs, toolMs: state.toolMs },
    ...(errorInfo ? { error: errorInfo } : {}),
    ...(p.agent?.file ? { agentFile: p.agent.file, agentHash: p.agent.hash } : {}),
    ...(guarded?.report ? { outputGuard: guarded.report } : {}),
  };
}
