/**
 * What the MCP server adds to the engine's Task description: an MCP client's model hears about a
 * background agent only by asking (TaskOutput), never by a notification in its conversation.
 */
export const MCP_TASK_NOTES = `Background agents and follow-ups:
- Set run_in_background: true to get the agent's agentId at once and go on with other work; read its result later with TaskOutput { agentId } (wait: true blocks until it is done). Start several at once when their work is independent.
- To ask an agent more about its work, or to have it change something, use SendMessage { to: agentId, message }: it continues with its whole earlier conversation, so it does not redo the work.`;

/** The schema's note on `run_in_background`, for MCP clients (the engine's says a notification comes). */
export const MCP_RUN_IN_BACKGROUND =
  'Set to true to run this agent in the background. The tool returns at once with its agentId; read its result with TaskOutput';

/** Where a background agent's result is, the last line of the launch text. */
export function backgroundOutputWhere(agentId: string): string {
  return `Read its result with TaskOutput { agentId: "${agentId}" } (wait: true blocks until it is done).`;
}
