import { z } from 'zod';
import { RECORD_STATUSES } from '../store/index.ts';

const time = z
  .string()
  .transform((v, ctx) => {
    const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
    if (Number.isNaN(ms))
      ctx.addIssue({ code: 'custom', message: 'must be epoch milliseconds or an ISO date/time' });
    return ms;
  })
  .optional();

/** GET /api/tasks: the list's filters, search and page. */
export const listQuery = z
  .object({
    status: z
      .string()
      .transform((v) => v.split(',').filter(Boolean))
      .pipe(z.array(z.enum(RECORD_STATUSES)))
      .optional(),
    agent: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
    parent: z.string().min(1).optional(),
    q: z.string().trim().max(200).optional(),
    since: time,
    until: time,
    cursor: z.string().max(300).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

/** GET /api/series: the plots' time range, ms (a minute to a week). */
export const seriesQuery = z
  .object({
    range: z.coerce
      .number()
      .int()
      .min(60_000)
      .max(7 * 86_400_000)
      .default(3_600_000),
  })
  .strict();

/** POST /api/tasks/:id/continue */
export const continueBody = z.object({ message: z.string().trim().min(1).max(100_000) }).strict();

/** The first issue of a failed parse, as a sentence. */
export function issueText(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${issue.path.length ? `\`${issue.path.join('.')}\`: ` : ''}${issue.message}`;
}
