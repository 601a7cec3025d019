/** The server's `instructions` (MCP initialize result): what a client's model reads about this server. */
export function serverInstructions(taskTool: string): string {
  return `Delegate self-contained work to specialised subagents with the ${taskTool} tool. Several ${taskTool} calls in one turn run in parallel; each returns the subagent's final report. With run_in_background the call returns the agent's agentId at once: read its result later with TaskOutput. SendMessage continues an agent with its whole earlier conversation.`;
}
