import { z } from 'zod';
import { taskInputSchema, taskPrioritySchema } from '../engine/index.ts';
import { RECORD_STATUSES } from '../store/index.ts';

/** One task to start: a Task input, plus how soon it should start (not part of the Task schema). */
export const taskRequestSchema = taskInputSchema.extend({ priority: taskPrioritySchema.optional() });

/** POST /v1/tasks/:id/messages: Claude Code's SendMessage without `to` (the path names the task). */
export const messageRequestSchema = z
  .object({
    message: z.string().trim().min(1),
    summary: z.string().trim().min(1).optional(),
    priority: taskPrioritySchema.optional(),
  })
  .strict();

/** POST /v1/tasks with `{ tasks: [...] }`: several Task inputs started at once. */
export const batchSchema = (maxTasks: number) =>
  z.object({ tasks: z.array(z.unknown()).min(1).max(maxTasks) }).strict();

const bool = z.enum(['true', 'false', '1', '0', '']).transform((v) => v === 'true' || v === '1' || v === '');

export const startQuerySchema = z.object({ wait: bool.optional() }).strict();

export const listQuerySchema = z
  .object({
    status: z.enum(RECORD_STATUSES).optional(),
    agent: z.string().min(1).optional(),
    since: z
      .string()
      .transform((v, ctx) => {
        const ms = Date.parse(v);
        if (Number.isNaN(ms)) ctx.addIssue({ code: 'custom', message: 'must be an ISO date/time' });
        return ms;
      })
      .optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
    parent: z.string().min(1).optional(),
  })
  .strict();
