/** The server's `instructions` (MCP initialize result): what a client's model reads about this server. */
export const SERVER_INSTRUCTIONS =
  "Delegate self-contained work to specialised subagents with the Task tool. Several Task calls in one turn run in parallel; each returns the subagent's final report.";
