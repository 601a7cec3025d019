import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { RunStore, type TaskRecord } from '../store/index.ts';
import { EXIT, exitCodeOf } from './exit-codes.ts';
import { note, usageError } from './output.ts';
import type { RunFlags } from './run-command.ts';
import { describeRecord } from './runs-format.ts';
import { isLive } from './runs-watch.ts';

/** This CLI's entry beside this module: the sources' under test, the compiled one when installed. */
const CLI_ENTRY = fileURLToPath(
  new URL(`./bin.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url),
);
/** The detached process must have recorded its task by then (it loads the engine first: ~1 s when cold). */
const START_TIMEOUT_MS = 30_000;
const POLL_MS = 25;

/** Short hex ids, as the engine makes them (Claude Code's agentIds are short hex strings too). */
const newTaskId = () => randomUUID().replaceAll('-', '').slice(0, 16);

/**
 * `run --background`: the same `run` in a detached process of its own (no terminal, its output
 * discarded; the run store records it like any run), told the task's id and given the prompt on
 * stdin. This process prints the id once the task's record exists, so `runs wait <id>` finds it
 * straight away; a task refused at once (an unknown agent, say) is reported here, with its exit code.
 */
export async function startInBackground(request: {
  agent: string;
  prompt: string;
  flags: RunFlags;
  taskId?: string;
}): Promise<number> {
  const { agent, prompt, flags } = request;
  const taskId = request.taskId ?? newTaskId();
  // Opened before the child starts, so a new store file is created (and migrated) by one process.
  const store = new RunStore();
  try {
    const option = (name: string, value: string | undefined) =>
      value === undefined ? [] : [`--${name}=${value}`];
    const args = [
      CLI_ENTRY,
      'run',
      `--task-id=${taskId}`,
      `--cwd=${resolve(flags.cwd ?? process.cwd())}`,
      ...option('model', flags.model),
      ...option('timeout', flags.timeout),
      ...option('sandbox', flags.sandbox),
      ...option('priority', flags.priority),
      '--',
      agent,
      '-',
    ];
    // Its own session (detached): closing this terminal or Ctrl-C here does not reach it.
    // --redis goes by the environment, not argv: `ps` shows a command line, and the URL may hold a password.
    const env = flags.redis ? { ...process.env, CODEX_TASK_REDIS_URL: flags.redis } : process.env;
    const child = spawn(process.execPath, args, {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      env,
    });
    let ended: string | undefined;
    child.once('error', (error) => {
      ended = `could not be started: ${error.message}`;
    });
    child.once('exit', (code, signal) => {
      ended = `exited (${signal ?? `code ${code}`})`;
    });
    // A child that died before reading its prompt says so by its exit, not by this pipe's error.
    child.stdin.on('error', () => {});
    child.stdin.end(prompt);
    child.unref();

    const record = await recorded(store, taskId, () => ended);
    if (typeof record === 'string') {
      if (!ended) child.kill();
      usageError(
        `The background process for task ${taskId} ${record}`,
        'Run the same command without --background to see what stops it.',
      );
      return EXIT.failed;
    }
    // Refused before it started (unknown agent, bad input, a budget): said here, as `run` would.
    const refused = !isLive(record) && record.startedAt === undefined;
    if (flags.json) {
      const shown = {
        taskId,
        status: record.status,
        pid: child.pid,
        ...(record.error ? { error: record.error } : {}),
      };
      process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
    } else process.stdout.write(`${taskId}\n`);
    if (refused) {
      process.stderr.write(`${describeRecord(record)}\n`);
      return exitCodeOf(record.error?.type);
    }
    note(
      `[${agent}] running in the background as ${taskId} (pid ${child.pid}): codex-task runs wait ${taskId}`,
    );
    return EXIT.ok;
  } finally {
    store.close();
  }
}

/** The task's record once the child has written it, or why it never will. */
async function recorded(
  store: RunStore,
  taskId: string,
  ended: () => string | undefined,
): Promise<TaskRecord | string> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    // Read after checking the exit: a child that recorded its task and ended at once is still found.
    const gone = ended();
    const record = store.get(taskId);
    if (record) return record;
    if (gone) return `${gone} before recording the task`;
    if (Date.now() > deadline) return `did not record the task within ${START_TIMEOUT_MS / 1000} s`;
    await sleep(POLL_MS);
  }
}
