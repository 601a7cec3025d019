import { z } from 'zod';
import { InvalidTaskInputError } from '../errors/index.ts';
import { describeInputIssues } from './task-input.ts';

/** Claude Code's name for the tool that continues an agent (docs/compatibility.md). */
export const SEND_MESSAGE_TOOL = 'SendMessage';

/** Claude Code's SendMessage input: `to` and `message` required; the same on every surface. */
export const sendMessageInputSchema = z
  .object({
    to: z.string().trim().min(1).describe('The agentId of the agent to continue (from its result or launch)'),
    message: z.string().trim().min(1).describe('The message to send: the agent continues with it'),
    summary: z.string().trim().optional().describe('A 5-10 word recap of the message'),
  })
  .strict();

export type SendMessageInput = z.infer<typeof sendMessageInputSchema>;

/**
 * A SendMessage call's arguments, checked once at the edge.
 * @throws InvalidTaskInputError naming each missing, wrong or unknown field
 */
export function parseSendMessageInput(args: unknown): SendMessageInput {
  const parsed = sendMessageInputSchema.safeParse(args ?? {});
  if (parsed.success) return parsed.data;
  const { problems, fields } = describeInputIssues(parsed.error);
  throw new InvalidTaskInputError(`Invalid ${SEND_MESSAGE_TOOL} input: ${problems.join('; ')}`, {
    fields,
    hint: `${SEND_MESSAGE_TOOL} takes { to: string, message: string, summary?: string }.`,
  });
}
