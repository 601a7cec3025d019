import { z } from 'zod';
import type { TaskResult, Transcript } from '../engine/index.ts';
import { SharedBudgetSpecSchema } from './shared-budget.ts';
import { TaskResultSchema } from './task-result-schema.ts';
import { WorkspaceSpecSchema } from './workspace.ts';

/**
 * One queued task as a job carries it (the BullMQ job id is the task id, so adding it twice is a
 * no-op). A worker reads it through this schema: what comes out of Redis is untrusted input.
 */
export const JobDataSchema = z.object({
  /** The format of this record; a worker refuses one it does not know rather than guess. */
  v: z.literal(1),
  taskId: z.string().min(1).max(200),
  /** The client made the id up for this task: its first run need not look for an earlier outcome. */
  newId: z.literal(true).optional(),
  /** The Task input as the client was given it: the worker's engine validates it as in process. */
  input: z.unknown(),
  /** The client's directory: where the task runs when no `workspace` says otherwise (a shared path). */
  cwd: z.string().min(1),
  /** Where the task's files are for a worker on another machine (queue/workspace.ts). */
  workspace: WorkspaceSpecSchema.optional(),
  /** The enqueuing run's budget, shared by all its tasks on every worker (queue/shared-budget.ts). */
  budget: SharedBudgetSpecSchema.optional(),
  callerModel: z.string().optional(),
  caller: z.object({ threadId: z.string().optional(), callId: z.string().optional() }).optional(),
  priority: z.number().int().min(-100).max(100).optional(),
  continueFrom: z.string().optional(),
  /** The conversation a follow-up continues (it was kept where the client runs). */
  transcript: z
    .object({
      taskId: z.string(),
      agentType: z.string(),
      description: z.string(),
      cwd: z.string(),
      model: z.string(),
      messages: z.array(z.unknown()),
    })
    .optional(),
  /** The client's events channel: where the worker relays the task's events and its end. */
  replyTo: z.string().min(1),
});
export type JobData = z.infer<typeof JobDataSchema>;

/** What a job returns: the task's one final result, and its conversation for follow-ups. */
export interface JobOutcome {
  result: TaskResult;
  transcript?: Transcript;
}

/**
 * A job's return value or relayed end, read back and checked whole (task-result-schema.ts): it
 * comes from Redis, which anyone with write access to it can fill.
 */
export const JobOutcomeSchema = z.object({
  result: TaskResultSchema,
  transcript: JobDataSchema.shape.transcript,
});

export function parseOutcome(value: unknown): JobOutcome | undefined {
  const parsed = JobOutcomeSchema.safeParse(value);
  return parsed.success ? (parsed.data as unknown as JobOutcome) : undefined;
}
