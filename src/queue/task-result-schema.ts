import { z } from 'zod';

/**
 * A TaskResult as it comes back from Redis, checked whole before the client hands it on: whoever
 * can write to the queue's Redis can answer for a worker, and a result that is only shaped like one
 * (three fields) crashed the client further on. Unknown keys are kept (a newer worker may add some);
 * every field the client reads is checked.
 */
const count = z.number().int().nonnegative();
const ms = z.number().nonnegative();

const UsageSchema = z.looseObject({
  inputTokens: count,
  outputTokens: count,
  cacheReadTokens: count,
  cacheWriteTokens: count,
  totalTokens: count,
  costUsd: z.number().nonnegative().nullable(),
});

const ErrorInfoSchema = z.looseObject({
  type: z.string().min(1),
  message: z.string(),
  hint: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

const WorkspaceSchema = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('path'), path: z.string() }),
  z.looseObject({
    kind: z.literal('git'),
    remote: z.string(),
    base: z.string(),
    changed: z.boolean(),
    summary: z.string(),
    patch: z.looseObject({ encoding: z.enum(['utf8', 'base64']), data: z.string(), bytes: count }).optional(),
    patchOmitted: z.string().optional(),
    pushed: z.looseObject({ branch: z.string(), commit: z.string() }).optional(),
    pushFailed: z.string().optional(),
    notSent: z.string().optional(),
  }),
]);

export const TaskResultSchema = z.looseObject({
  taskId: z.string().min(1),
  agentId: z.string().min(1),
  parentTaskId: z.string().optional(),
  continuesTaskId: z.string().optional(),
  background: z.boolean().optional(),
  status: z.enum(['completed', 'failed', 'timed_out', 'cancelled']),
  agentType: z.string().min(1),
  description: z.string(),
  content: z.string(),
  partialContent: z.string().optional(),
  resolvedModel: z.string().nullable(),
  routing: z.looseObject({}).optional(),
  modelsUsed: z.array(UsageSchema.extend({ model: z.string(), calls: count })),
  failovers: z.array(
    z.looseObject({
      turn: count,
      from: z.string(),
      to: z.string(),
      reason: z.string(),
      status: z.number().optional(),
    }),
  ),
  retries: count,
  totalDurationMs: ms,
  totalToolUseCount: count,
  turns: count,
  usage: UsageSchema,
  toolStats: z.record(
    z.string(),
    z.looseObject({ calls: count, errors: count, denied: count, durationMs: ms }),
  ),
  timings: z.looseObject({ queuedMs: ms, modelMs: ms, toolMs: ms }),
  error: ErrorInfoSchema.optional(),
  agentFile: z.string().optional(),
  agentHash: z.string().optional(),
  outputGuard: z.looseObject({}).optional(),
  worktree: z
    .looseObject({
      path: z.string(),
      branch: z.string(),
      base: z.string(),
      changed: z.boolean(),
      kept: z.boolean(),
      summary: z.string(),
    })
    .optional(),
  queue: z.looseObject({ attempts: count, workerId: z.string(), workers: z.array(z.string()) }).optional(),
  workspace: WorkspaceSchema.optional(),
});
