import { statSync } from 'node:fs';
import { AmbiguousTaskIdError, RunStore } from '../store/index.ts';
import { commandRuntime } from './command-runtime.ts';
import { EXIT } from './exit-codes.ts';
import { runInForeground } from './foreground-task.ts';
import { note, printError } from './output.ts';
import { readInput } from './read-input.ts';
import { isLive, untilFinished, untilInterrupted } from './runs-watch.ts';
import { settingsFor } from './settings.ts';

export interface ResumeFlags {
  summary?: string;
  json?: boolean;
}

/** Where the earlier task ran and under which id, as far as the run store knows it. */
interface Earlier {
  id: string;
  agentType?: string;
  cwd?: string;
}

/**
 * `codex-task runs resume <id> <message…>`: continues that agent with its whole conversation and
 * the message as the next user turn (Claude Code's SendMessage), printed as `run` prints a task.
 * The follow-up is a new task linked to the first (`continuesTaskId`).
 */
export async function runsResume(id: string, messageWords: string[], flags: ResumeFlags): Promise<number> {
  let message: string;
  let earlier: Earlier | undefined;
  try {
    message =
      messageWords.length === 1 && messageWords[0] === '-' ? await readInput('-') : messageWords.join(' ');
    earlier = await findEarlier(id);
  } catch (error) {
    printError(error);
    return error instanceof AmbiguousTaskIdError ? EXIT.usage : EXIT.failed;
  }
  if (earlier === undefined) {
    note('Stopped waiting; nothing was sent.');
    return EXIT.interrupted;
  }
  let session: ReturnType<typeof commandRuntime>;
  try {
    // The project's settings are those of the directory the agent worked in, wherever this runs.
    session = commandRuntime(settingsFor(earlier.cwd ? { cwd: earlier.cwd } : {}));
  } catch (error) {
    printError(error);
    return EXIT.usage;
  }
  // An unknown id still goes to the engine: its TaskNotFound result says what to do.
  return runInForeground(
    session,
    earlier.agentType ?? 'agent',
    (signal) =>
      session.engine.sendMessage(earlier.id, message, {
        signal,
        ...(flags.summary ? { summary: flags.summary } : {}),
      }),
    flags,
  );
}

/**
 * The earlier task by id or unique prefix, waiting first while it still runs (in a background
 * process, say: its conversation is kept when it ends). Undefined when Ctrl-C ended that wait.
 */
async function findEarlier(id: string): Promise<Earlier | undefined> {
  const store = new RunStore();
  try {
    store.markInterrupted();
    let record = store.find(id);
    if (!record) return { id };
    if (isLive(record)) {
      const live = record;
      note(`Task ${live.id} is ${live.status}: waiting for it to finish first (Ctrl-C stops waiting).`);
      record = await untilInterrupted((signal) => untilFinished(store, live.id, { signal }));
      if (!record) return undefined;
    }
    const cwd = store.loadTranscript(record.id)?.cwd;
    return {
      id: record.id,
      agentType: record.agentType,
      ...(cwd && isDirectory(cwd) ? { cwd } : {}),
    };
  } finally {
    store.close();
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
