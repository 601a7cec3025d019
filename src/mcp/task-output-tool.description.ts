import type { LaunchedTask } from './launched-tasks.ts';

/** TaskOutput as a client's model reads it in `tools/list` (Claude Code's name for reading a background agent). */
export const TASK_OUTPUT_DESCRIPTION = `Read the result of an agent you started with run_in_background, by the agentId its launch returned.

- Done: its final report (or why it failed), with the same agentId and usage lines as a Task result.
- Still running: how far it has got. Go on with other work and check again later, or set wait: true to block until it is done.

A finished agent's result stays readable after this server restarts (it is kept with the run records). To ask the agent something more, use SendMessage.`;

export const TASK_OUTPUT_FIELDS = {
  agentId: 'The agentId the background Task call returned',
  wait: 'true: wait until the agent is done and return its result. Default false: answer at once',
};

/** A background agent still at work, when the caller does not wait. */
export function stillRunning(task: LaunchedTask, now = Date.now()): string {
  const seconds = Math.round((now - task.startedAt) / 1000);
  return `Agent ${task.id} ("${task.description}", ${task.agentType}) is still running: ${task.toolUses} tool uses so far, ${seconds} s elapsed.
Check again later, or call TaskOutput { agentId: "${task.id}", wait: true } to wait for its result.`;
}

/** A task the run records show at work that this server cannot wait for (a foreground call's, or another process's). */
export function runningElsewhere(task: {
  id: string;
  description: string;
  agentType: string;
  toolUses: number;
}): string {
  return `Agent ${task.id} ("${task.description}", ${task.agentType}) is still running: ${task.toolUses} tool uses so far.
It is not a background agent of this server, so TaskOutput cannot wait for it here: check again later.`;
}

export function notFound(agentId: string): { message: string; hint: string } {
  return {
    message: `No agent '${agentId}' to read: no background agent of this server has that id, and the run records have no task by it`,
    hint: 'Use the agentId a Task call with run_in_background returned. Without run records (observability off), a result can be read only once, from the server that ran it.',
  };
}

export function stoppedWaiting(agentId: string, why: string): string {
  return `Stopped waiting for agent ${agentId}: ${why}. The agent is still running; read its result later with TaskOutput { agentId: "${agentId}" }.`;
}
