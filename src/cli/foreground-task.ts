import type { TaskHandle } from '../engine/index.ts';
import { TaskCancelledError } from '../errors/index.ts';
import type { Runtime } from '../runtime/index.ts';
import { EXIT, exitCodeOf, INTERRUPTED_REASON } from './exit-codes.ts';
import { RunLine } from './live/index.ts';
import { isInteractive, note, outputPrefs } from './output.ts';
import { changedProgress, describeResult, progressLine } from './task-report.ts';
import { workspaceLines } from './workspace-report.ts';

/**
 * One task in the foreground of a command (`run`, `runs resume`): progress on stderr (a live line
 * on a terminal), the answer or the whole TaskResult (`json`) on stdout, and the exit code of its
 * outcome. Ctrl-C cancels the task; a second one quits. Closes the session when done.
 */
export async function runInForeground(
  session: Runtime,
  agent: string,
  start: (signal: AbortSignal) => TaskHandle,
  flags: { json?: boolean | undefined },
): Promise<number> {
  // On a terminal a live line shows the task between these notes (which print above it).
  const live =
    isInteractive(process.stderr) && !outputPrefs.quiet
      ? new RunLine(session.engine, agent, process.stderr)
      : undefined;
  const say = (line: string) => (live ? live.note(line) : note(line));
  session.engine.events.on('task.started', (e) => say(progressLine('started', e)));
  if (outputPrefs.verbose) {
    const changed = changedProgress();
    session.engine.events.on('task.progress', (e) => {
      const line = changed(e);
      if (line) say(line);
    });
  } else
    session.engine.events.on('task.tool', (e) => e.phase === 'started' && say(`[${e.agentType}] ${e.name}`));
  const interrupt = new AbortController();
  // Not `once`: after it, a live view's exit hook (Ink's signal-exit) would be the only listener
  // left and would kill the process before the cancelled result is printed. A second Ctrl-C quits.
  const onSigint = () => {
    if (interrupt.signal.aborted) process.exit(EXIT.interrupted);
    interrupt.abort(new TaskCancelledError(INTERRUPTED_REASON));
  };
  process.on('SIGINT', onSigint);
  try {
    const result = await start(interrupt.signal).result;
    await live?.stop();
    if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else if (result.status === 'completed') process.stdout.write(`${result.content}\n`);
    if (result.status === 'completed') note(describeResult(result));
    else process.stderr.write(`${describeResult(result)}\n`);
    for (const line of workspaceLines(result.taskId, result.workspace)) note(line);
    if (result.status === 'cancelled' && interrupt.signal.aborted) return EXIT.interrupted;
    if (result.status === 'completed') return EXIT.ok;
    return exitCodeOf(result.error?.type);
  } finally {
    await live?.stop();
    process.off('SIGINT', onSigint);
    await session.close();
  }
}
