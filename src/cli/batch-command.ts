import type { TaskInput, TaskResult } from '../engine/index.ts';
import { TaskCancelledError } from '../errors/index.ts';
import type { Runtime } from '../runtime/index.ts';
import { printAgentFileNotices } from './agents-command.ts';
import { BatchDisplay } from './batch-display.ts';
import { type BatchEntry, parseBatch } from './batch-input.ts';
import { commandRuntime } from './command-runtime.ts';
import { EXIT, INTERRUPTED_REASON } from './exit-codes.ts';
import { durationFlag, positiveIntFlag, positiveNumberFlag, redisFlag, sandboxFlag } from './flags.ts';
import { isInteractive, outputPrefs, printError } from './output.ts';
import { readInput } from './read-input.ts';
import { settingsFor } from './settings.ts';
import { summaryTree } from './task-report.ts';
import { workspaceLines } from './workspace-report.ts';

export interface BatchFlags {
  concurrency?: string;
  timeout?: string;
  cwd?: string;
  json?: boolean;
  jsonl?: boolean;
  maxTasks?: string;
  maxCost?: string;
  sandbox?: string;
  /** The queue's Redis (`queue.url`). */
  redis?: string;
}

/** `codex-task batch <file|->`: many Tasks in parallel, a live view, a summary, machine output on request. */
export async function batchCommand(file: string, flags: BatchFlags): Promise<number> {
  let entries: BatchEntry[];
  let inputs: TaskInput[];
  let session: Runtime;
  try {
    const text = await readInput(
      file,
      'the batch file',
      'Give a JSON array or JSONL file of tasks, or `-` to read them from stdin.',
    );
    entries = parseBatch(text, file === '-' ? 'stdin' : file);
    inputs = entries.map((entry) => entry.input);
    const settings = settingsFor({
      ...(flags.cwd ? { cwd: flags.cwd } : {}),
      config: {
        ...(flags.concurrency !== undefined
          ? { concurrency: positiveIntFlag('--concurrency', flags.concurrency) }
          : {}),
        ...(flags.timeout !== undefined ? { taskTimeout: durationFlag('--timeout', flags.timeout) } : {}),
        ...(flags.maxTasks !== undefined ? { maxTasks: positiveIntFlag('--max-tasks', flags.maxTasks) } : {}),
        ...(flags.maxCost !== undefined
          ? { maxCostUsd: positiveNumberFlag('--max-cost', flags.maxCost) }
          : {}),
        ...sandboxFlag(flags.sandbox),
        ...redisFlag(flags.redis),
      },
    });
    session = commandRuntime(settings);
  } catch (error) {
    printError(error);
    return EXIT.usage;
  }
  printAgentFileNotices(session.engine.agents());

  const display = new BatchDisplay(inputs, {
    stream: process.stderr,
    live: isInteractive(process.stderr) && !outputPrefs.quiet && !flags.json && !flags.jsonl,
  });
  if (!outputPrefs.quiet) display.attach(session.engine);
  const interrupt = new AbortController();
  const onSigint = () => {
    // A second Ctrl-C means "now": the engine has already been asked to cancel everything.
    if (interrupt.signal.aborted) process.exit(EXIT.interrupted);
    display.note('interrupted: cancelling running tasks (Ctrl-C again to quit at once)');
    interrupt.abort(new TaskCancelledError(INTERRUPTED_REASON));
  };
  process.on('SIGINT', onSigint);
  const started = performance.now();
  try {
    const pending: Promise<TaskResult>[] = [];
    inputs.forEach((input, index) => {
      display.admitting = index;
      const { priority } = entries[index]!;
      const result = session.start(input, { signal: interrupt.signal, priority }).result;
      display.admitting = -1;
      pending.push(
        result.then((r) => {
          if (flags.jsonl) process.stdout.write(`${JSON.stringify({ index, ...r })}\n`);
          return r;
        }),
      );
    });
    const results = await Promise.all(pending);
    await display.stop();
    if (flags.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    else if (!flags.jsonl) {
      for (const r of results) {
        if (r.status === 'completed')
          process.stdout.write(`## ${r.agentType}: ${r.description}\n${r.content}\n\n`);
      }
    }
    if (!outputPrefs.quiet) {
      process.stderr.write(`${summaryTree(results, performance.now() - started)}\n`);
      for (const r of results)
        for (const line of workspaceLines(r.taskId, r.workspace))
          process.stderr.write(`${r.description} (${r.taskId}): ${line}\n`);
    }
    if (interrupt.signal.aborted) return EXIT.interrupted;
    return results.every((r) => r.status === 'completed') ? EXIT.ok : EXIT.failed;
  } finally {
    process.off('SIGINT', onSigint);
    await display.stop();
    await session.close();
  }
}
