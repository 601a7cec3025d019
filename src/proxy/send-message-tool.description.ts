/**
 * SendMessage as the parent model reads it beside Task (Claude Code's tool: docs/compatibility.md).
 * The agentId is the one a Task result, launch text or `<task-notification>` named.
 */
export const SEND_MESSAGE_DESCRIPTION = `Send a message to an agent you started earlier with Task, by the agentId its result (or its launch text, or its <task-notification>) named. The agent continues with its whole earlier conversation, this message as the next user message, and its new final message comes back to you with the same agentId line and usage.

Use it for follow-ups — a question about what it found, a correction, the next step of the same work — instead of starting a new agent that would have to redo the work. A message to an agent still running in the background is delivered when it finishes.`;
