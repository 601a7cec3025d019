import { z } from 'zod';
import { InvalidTaskInputError } from '../errors/index.ts';

/** A task's admission priority: a whole number, higher starts sooner; tasks without one get the default. */
export const TASK_PRIORITY = { min: -100, max: 100, default: 0 } as const;

/**
 * Waiting this long in the queue counts as one point of priority (10 points a minute), so a task
 * at 0 that has waited 10 minutes goes before a new one at 100, and nothing waits forever.
 */
export const PRIORITY_AGING_MS = 6_000;

export const PRIORITY_HINT = `Priority is a whole number from ${TASK_PRIORITY.min} (last) to ${TASK_PRIORITY.max} (first); the default is ${TASK_PRIORITY.default}.`;

export function isTaskPriority(value: unknown): value is number {
  return (
    Number.isInteger(value) &&
    (value as number) >= TASK_PRIORITY.min &&
    (value as number) <= TASK_PRIORITY.max
  );
}

/** Why `value` is not a priority, for a message that names the field or flag first. */
export function priorityProblem(value: unknown): string {
  return `must be a whole number from ${TASK_PRIORITY.min} to ${TASK_PRIORITY.max}, got ${JSON.stringify(value) ?? String(value)}`;
}

/** `priority` in a JSON body or batch entry (the model-facing Task schema has none). */
export const taskPrioritySchema = z.custom<number>(isTaskPriority, {
  error: (issue) => priorityProblem(issue.input),
});

/** `TaskOptions.priority`, checked where a task starts: a bad one fails the task with a typed error. */
export function taskPriority(value: unknown): number {
  if (value === undefined) return TASK_PRIORITY.default;
  if (isTaskPriority(value)) return value;
  throw new InvalidTaskInputError(`Invalid task options: \`priority\` ${priorityProblem(value)}`, {
    fields: ['priority'],
    hint: PRIORITY_HINT,
  });
}
