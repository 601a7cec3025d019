import { ConfigError } from '../config/index.ts';
import { isTaskPriority, PRIORITY_HINT } from '../engine/index.ts';
import { TaskCancelledError } from '../errors/index.ts';
import type { Runtime } from '../runtime/index.ts';
import { printAgentFileNotices } from './agents-command.ts';
import { descriptionOf } from './batch-input.ts';
import { commandRuntime } from './command-runtime.ts';
import { EXIT, exitCodeOf, INTERRUPTED_REASON } from './exit-codes.ts';
import { durationFlag, sandboxFlag } from './flags.ts';
import { RunLine } from './live/index.ts';
import { isInteractive, note, outputPrefs, printError } from './output.ts';
import { readInput } from './read-input.ts';
import { settingsFor } from './settings.ts';
import { changedProgress, describeResult, progressLine } from './task-report.ts';

export interface RunFlags {
  model?: string;
  timeout?: string;
  cwd?: string;
  json?: boolean;
  sandbox?: string;
  priority?: string;
}

/** `--priority 10` → 10; a bad value names the flag and the range. */
export function priorityFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^[+-]?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!isTaskPriority(n))
    throw new ConfigError(`${flag} must be a whole number from -100 to 100, got '${value}'`, PRIORITY_HINT);
  return n;
}

/** `codex-task run <agent> <prompt…>`: one Task, progress on stderr, the answer (or JSON) on stdout. */
export async function runCommand(agent: string, promptWords: string[], flags: RunFlags): Promise<number> {
  let session: Runtime;
  let prompt: string;
  let priority: number | undefined;
  try {
    priority = priorityFlag('--priority', flags.priority);
    prompt =
      promptWords.length === 1 && promptWords[0] === '-' ? await readInput('-') : promptWords.join(' ');
    const settings = settingsFor({
      ...(flags.cwd ? { cwd: flags.cwd } : {}),
      config: {
        ...(flags.timeout === undefined ? {} : { taskTimeout: durationFlag('--timeout', flags.timeout) }),
        ...sandboxFlag(flags.sandbox),
      },
    });
    session = commandRuntime(settings);
  } catch (error) {
    printError(error);
    return EXIT.usage;
  }
  printAgentFileNotices(session.engine.agents());
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
    const result = await session.start(
      {
        description: descriptionOf(prompt),
        prompt,
        subagent_type: agent,
        ...(flags.model ? { model: flags.model } : {}),
      },
      { signal: interrupt.signal, priority },
    ).result;
    await live?.stop();
    if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else if (result.status === 'completed') process.stdout.write(`${result.content}\n`);
    if (result.status === 'completed') note(describeResult(result));
    else process.stderr.write(`${describeResult(result)}\n`);
    if (result.status === 'cancelled' && interrupt.signal.aborted) return EXIT.interrupted;
    if (result.status === 'completed') return EXIT.ok;
    return exitCodeOf(result.error?.type);
  } finally {
    await live?.stop();
    process.off('SIGINT', onSigint);
    await session.close();
  }
}
