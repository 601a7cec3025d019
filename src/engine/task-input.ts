import { z } from 'zod';
import { InvalidTaskInputError } from '../errors/index.ts';
import { AUTO_MODEL, MODEL_ALIASES } from '../providers/index.ts';
import type { TaskInput } from './types.ts';

const common = {
  description: z.string().trim().min(1).describe('A short (3-5 word) description of the task'),
  prompt: z.string().trim().min(1).describe('The task for the agent to perform'),
  subagent_type: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe('The type of specialized agent to use for this task'),
  run_in_background: z
    .boolean()
    .optional()
    .describe(
      'Set to true to run this agent in the background. The tool returns at once with its agentId; you will be notified when it completes',
    ),
  isolation: z
    .enum(['worktree'])
    .optional()
    .describe(
      'Isolation mode. "worktree" creates a temporary git worktree so the agent works on an isolated copy of the repository',
    ),
};

/** What library and CLI callers may pass: any model alias or full id. */
export const taskInputSchema = z.object({ ...common, model: z.string().trim().min(1).optional() }).strict();

/**
 * What a model sees as the Task tool's parameters: Claude Code's schema (docs/compatibility.md), where `model`
 * is limited to the aliases so a model cannot pick an arbitrary (possibly expensive) id.
 */
export const taskToolInputSchema = z
  .object({
    ...common,
    model: z
      .enum([...MODEL_ALIASES, AUTO_MODEL])
      .optional()
      .describe(
        "Optional model override for this agent; otherwise the agent file's model (or the caller's) is used. `auto` picks the tier from the task",
      ),
  })
  .strict();

/** Parses untrusted Task input once, naming every missing or invalid field in one message. */
export function parseTaskInput(input: unknown): TaskInput {
  const parsed = taskInputSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const { problems, fields } = describeInputIssues(parsed.error);
  throw new InvalidTaskInputError(`Invalid Task input: ${problems.join('; ')}`, { fields });
}

/**
 * A tool input's zod issues as text a model or a person acts on: each missing, wrong or unknown
 * field named once (Task, SendMessage, TaskOutput on every surface).
 */
export function describeInputIssues(error: z.ZodError): { problems: string[]; fields: string[] } {
  const fields = new Set<string>();
  const problems = error.issues.map((issue) => {
    const field = issue.path.join('.') || 'input';
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) fields.add(key);
      return `unknown parameter(s) ${issue.keys.map((k) => `\`${k}\``).join(', ')}`;
    }
    fields.add(field);
    // zod 4 does not carry the input on issues; its message says what was received.
    if (issue.code === 'invalid_type' && /received undefined/.test(issue.message))
      return `\`${field}\` is required`;
    return `\`${field}\`: ${issue.message}`;
  });
  return { problems, fields: [...fields] };
}
