/** SendMessage as a client's model reads it in `tools/list` (Claude Code's tool of the same name and shape). */
export const SEND_MESSAGE_DESCRIPTION = `Send a message to an agent you started earlier with Task, by the agentId its result (or its launch) named: it continues with its whole earlier conversation (what it read, did and concluded) and answers with a new final report.

Use it for follow-ups (a question about its findings, a correction, the next step of the same work) instead of starting a new agent that would have to redo the work. An agent still running finishes its current work before it reads your message. Agents stay reachable after this server restarts (their conversations are kept with the run records).`;
