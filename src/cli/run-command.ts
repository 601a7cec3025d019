import { EngineSession } from './engine-session.ts';
import { EXIT } from './exit-codes.ts';
import { durationFlag, sandboxFlag } from './flags.ts';
import { note, outputPrefs, printError } from './output.ts';
import { readInput } from './read-input.ts';
import { settingsFor } from './settings.ts';
import { describeResult, progressLine } from './task-report.ts';

export interface RunFlags {
  model?: string;
  timeout?: string;
  cwd?: string;
  json?: boolean;
  sandbox?: string;
}

/** `codex-task run <agent> <prompt…>`: one Task, progress on stderr, the answer (or JSON) on stdout. */
export async function runCommand(agent: string, promptWords: string[], flags: RunFlags): Promise<number> {
  let session: EngineSession;
  let prompt: string;
  try {
    prompt =
      promptWords.length === 1 && promptWords[0] === '-' ? await readInput('-') : promptWords.join(' ');
    const settings = settingsFor({
      ...(flags.cwd ? { cwd: flags.cwd } : {}),
      config: {
        ...(flags.timeout === undefined ? {} : { taskTimeout: durationFlag('--timeout', flags.timeout) }),
        ...sandboxFlag(flags.sandbox),
      },
    });
    session = new EngineSession(settings);
  } catch (error) {
    printError(error);
    return EXIT.usage;
  }
  session.engine.events.on('task.started', (e) => note(progressLine('started', e)));
  if (outputPrefs.verbose)
    session.engine.events.on('task.progress', (e) => note(progressLine('progress', e)));
  else
    session.engine.events.on('task.tool', (e) => e.phase === 'started' && note(`[${e.agentType}] ${e.name}`));
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort();
  process.once('SIGINT', onSigint);
  try {
    const result = await session.run(
      {
        description: prompt.trim().slice(0, 40) || 'task',
        prompt,
        subagent_type: agent,
        ...(flags.model ? { model: flags.model } : {}),
      },
      { signal: interrupt.signal },
    );
    if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else if (result.status === 'completed') process.stdout.write(`${result.content}\n`);
    if (result.status === 'completed') note(describeResult(result));
    else process.stderr.write(`${describeResult(result)}\n`);
    if (result.status === 'cancelled' && interrupt.signal.aborted) return EXIT.interrupted;
    if (result.status === 'completed') return EXIT.ok;
    const usage = ['InvalidInput', 'AgentNotFound', 'ModelConfig', 'ConfigError'];
    return usage.includes(result.error?.type ?? '') ? EXIT.usage : EXIT.failed;
  } finally {
    process.off('SIGINT', onSigint);
    await session.close();
  }
}
