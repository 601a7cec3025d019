import { text } from 'node:stream/consumers';
import { TaskEngine } from '../engine/index.ts';
import { EXIT } from './exit-codes.ts';
import type { RunFlags } from './main.ts';
import { describeResult, progressLine } from './task-report.ts';

/** `codex-task run <agent> <prompt…>`: one Task, progress on stderr, the answer (or JSON) on stdout. */
export async function runCommand(agent: string, promptWords: string[], flags: RunFlags): Promise<number> {
  const prompt =
    promptWords.length === 1 && promptWords[0] === '-' ? await text(process.stdin) : promptWords.join(' ');
  const timeoutMs = flags.timeout === undefined ? undefined : Number(flags.timeout);
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) {
    process.stderr.write(
      `error: --timeout must be a positive number of milliseconds, got '${flags.timeout}'\n`,
    );
    return EXIT.usage;
  }
  const engine = new TaskEngine({
    ...(flags.cwd ? { cwd: flags.cwd } : {}),
    ...(timeoutMs ? { taskTimeoutMs: timeoutMs } : {}),
  });
  engine.events.on('task.started', (e) => process.stderr.write(`${progressLine('started', e)}\n`));
  engine.events.on('task.progress', (e) => process.stderr.write(`${progressLine('progress', e)}\n`));
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort();
  process.once('SIGINT', onSigint);
  try {
    const result = await engine.run(
      {
        description: prompt.slice(0, 40),
        prompt,
        subagent_type: agent,
        ...(flags.model ? { model: flags.model } : {}),
      },
      { signal: interrupt.signal },
    );
    if (flags.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else if (result.status === 'completed') process.stdout.write(`${result.content}\n`);
    process.stderr.write(`${describeResult(result)}\n`);
    if (result.status === 'cancelled' && interrupt.signal.aborted) return EXIT.interrupted;
    if (result.status === 'completed') return EXIT.ok;
    return result.error?.type === 'InvalidInput' || result.error?.type === 'AgentNotFound'
      ? EXIT.usage
      : EXIT.failed;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
