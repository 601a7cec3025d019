import { ConfigError, type RuntimeSettings } from '../config/index.ts';
import { isTaskPriority, PRIORITY_HINT } from '../engine/index.ts';
import { printAgentFileNotices } from './agents-command.ts';
import { descriptionOf } from './batch-input.ts';
import { commandRuntime } from './command-runtime.ts';
import { EXIT } from './exit-codes.ts';
import { durationFlag, redisFlag, sandboxFlag } from './flags.ts';
import { runInForeground } from './foreground-task.ts';
import { printError } from './output.ts';
import { readInput } from './read-input.ts';
import { settingsFor } from './settings.ts';

export interface RunFlags {
  model?: string;
  timeout?: string;
  cwd?: string;
  json?: boolean;
  sandbox?: string;
  priority?: string;
  /** The queue's Redis (`queue.url`). */
  redis?: string;
  /** Start the task in a detached process and print its id at once. */
  background?: boolean;
  /** Hidden: the task's id, chosen by the process that started this one with --background. */
  taskId?: string;
}

/** `--priority 10` → 10; a bad value names the flag and the range. */
export function priorityFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^[+-]?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!isTaskPriority(n))
    throw new ConfigError(`${flag} must be a whole number from -100 to 100, got '${value}'`, PRIORITY_HINT);
  return n;
}

/** `--task-id`: the characters the HTTP API's routes accept in an id, so every surface can name it. */
function taskIdFlag(value: string | undefined): string | undefined {
  if (value === undefined || /^[\w-]{1,64}$/.test(value)) return value;
  throw new ConfigError(
    `--task-id must be 1 to 64 letters, digits, '_' or '-', got '${value}'`,
    'Leave it out: `run --background` chooses the id.',
  );
}

/**
 * `codex-task run <agent> <prompt…>`: one Task, progress on stderr, the answer (or JSON) on stdout;
 * with --background, the task's id at once while a detached process runs it.
 */
export async function runCommand(agent: string, promptWords: string[], flags: RunFlags): Promise<number> {
  let prompt: string;
  let priority: number | undefined;
  let taskId: string | undefined;
  let settings: RuntimeSettings;
  try {
    priority = priorityFlag('--priority', flags.priority);
    taskId = taskIdFlag(flags.taskId);
    prompt =
      promptWords.length === 1 && promptWords[0] === '-' ? await readInput('-') : promptWords.join(' ');
    // Settings are checked here even for --background, so a bad flag or config fails in the
    // foreground, where its message can be read.
    settings = settingsFor({
      ...(flags.cwd ? { cwd: flags.cwd } : {}),
      config: {
        ...(flags.timeout === undefined ? {} : { taskTimeout: durationFlag('--timeout', flags.timeout) }),
        ...sandboxFlag(flags.sandbox),
        ...redisFlag(flags.redis),
      },
    });
  } catch (error) {
    printError(error);
    return EXIT.usage;
  }
  if (flags.background) {
    const { startInBackground } = await import('./run-background.ts');
    return startInBackground({ agent, prompt, flags, ...(taskId ? { taskId } : {}) });
  }
  let session: ReturnType<typeof commandRuntime>;
  try {
    session = commandRuntime(settings);
  } catch (error) {
    printError(error);
    return EXIT.usage;
  }
  printAgentFileNotices(session.engine.agents());
  const input = {
    description: descriptionOf(prompt),
    prompt,
    subagent_type: agent,
    ...(flags.model ? { model: flags.model } : {}),
  };
  return runInForeground(
    session,
    agent,
    (signal) => session.start(input, { signal, priority, ...(taskId ? { taskId } : {}) }),
    flags,
  );
}
