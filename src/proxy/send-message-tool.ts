import { z } from 'zod';
import { SEND_MESSAGE_TOOL, sendMessageInputSchema } from '../engine/index.ts';
import { SEND_MESSAGE_DESCRIPTION } from './send-message-tool.description.ts';

/** SendMessage as a Responses function tool. */
export function sendMessageFunctionTool(): Record<string, unknown> {
  const { $schema: _draft, ...parameters } = z.toJSONSchema(sendMessageInputSchema) as Record<
    string,
    unknown
  >;
  return {
    type: 'function',
    name: SEND_MESSAGE_TOOL,
    description: SEND_MESSAGE_DESCRIPTION,
    strict: false,
    parameters: { ...parameters, type: 'object' },
  };
}

export { parseSendMessageInput, SEND_MESSAGE_TOOL, type SendMessageInput } from '../engine/index.ts';
