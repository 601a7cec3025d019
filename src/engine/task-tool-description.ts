/**
 * The Task tool's description as a parent model reads it. It carries the agent list because the
 * APIs we serve have no mid-conversation system message (docs/compatibility.md).
 */
export function taskToolDescription(agentListLines: string): string {
  return `Launch a subagent to handle a complex, multi-step task on its own. Each agent type has its own instructions, tools and model.

Available agent types and the tools they can use:
${agentListLines}

Set subagent_type to choose the agent (general-purpose when omitted).

How to use it well:
- Several Task calls in one message run in parallel: when tasks are independent, start them together.
- The prompt is the only context the subagent gets: say what to do, where, and exactly what to report back.
- Each call is stateless and returns the subagent's final message to you (the user does not see it): summarise what matters for the user.
- Subagents are best for searches across many files, independent reviews or analyses, and work that would flood your own context.`;
}
