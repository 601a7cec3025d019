import type { ResultForModel } from '../engine/index.ts';
import type { TaskRecord } from './types.ts';

/**
 * A run record as a live result for the model's text: a task finished before a restart, or whose
 * result was read already. One interrupted (its process died) or still live reads as failed.
 */
export function resultOfRecord(r: TaskRecord): ResultForModel {
  return {
    agentId: r.id,
    agentType: r.agentType,
    resolvedModel: r.resolvedModel ?? null,
    usage: r.usage,
    totalToolUseCount: r.toolUses,
    totalDurationMs: r.durationMs ?? 0,
    status:
      r.status === 'interrupted' || r.status === 'queued' || r.status === 'running' ? 'failed' : r.status,
    content: r.content ?? '',
    ...(r.partialContent ? { partialContent: r.partialContent } : {}),
    ...(r.error ? { error: r.error } : {}),
  };
}
