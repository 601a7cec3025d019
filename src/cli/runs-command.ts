import type { Command } from 'commander';
// types.ts only (no index.ts): the list for --help, without loading the store at start-up.
import { RECORD_STATUSES } from '../store/types.ts';
import { EXIT } from './exit-codes.ts';
import { printError } from './output.ts';

type Flags = Record<string, string | boolean | undefined>;

/**
 * `codex-task runs list|show|export|wait|resume`: the recorded tasks. `onExit` receives each
 * command's exit code (the caller owns the process's exit).
 */
export function registerRunsCommands(
  program: Command,
  onExit: (code: number) => void = (c) => {
    process.exitCode = c;
  },
): Command {
  // The store (node:sqlite), and for `resume` the engine, are loaded when a runs command runs, not
  // when the CLI starts.
  const act =
    <M, A extends unknown[]>(
      load: () => Promise<M>,
      pick: (module: M) => (...args: A) => number | Promise<number>,
    ) =>
    async (...args: A) => {
      try {
        onExit(await pick(await load())(...args));
      } catch (error) {
        printError(error);
        onExit(EXIT.failed);
      }
    };
  const actions = () => import('./runs-actions.ts');
  const watch = () => import('./runs-watch.ts');
  const db = ['--db <path>', 'run store (default: CODEX_TASK_RUNS_DB or ~/.codex-task/runs.db)'] as const;
  const runs = program
    .command('runs')
    .description(
      'Recorded tasks: list them, read or follow a transcript, wait for one, continue one, export it',
    );
  runs
    .command('list')
    .description('Recorded tasks, newest first')
    .option('--status <status>', `only this status (${RECORD_STATUSES.join(', ')})`)
    .option('--agent <name>', 'only this agent type')
    .option('--since <when>', 'only tasks queued since: 30m, 2h, 7d, or a date')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print the records as JSON')
    .option(...db)
    .addHelpText(
      'after',
      '\nExamples:\n  codex-task runs list --status failed --since 1d\n  codex-task runs list --agent code-reviewer --json',
    )
    .action(act(actions, (a) => (opts: Flags) => a.runsList(opts)));
  runs
    .command('show')
    .description('One task and its transcript: turns, tool calls and results, subagents, result')
    .argument('<id>', 'task id (or a unique prefix of it)')
    .option('--json', 'print { task, steps, children } as JSON (with --follow: JSON lines)')
    .option('--patch', 'print only the changes of a task run in a git workspace, for `git apply`')
    .option(
      '-f, --follow',
      'print steps as they are recorded until the task ends (Ctrl-C stops following, not the task)',
    )
    .option(...db)
    .addHelpText(
      'after',
      '\nExamples:\n  codex-task runs show 3f2a9c\n  codex-task runs show 3f2a9c --follow\n  codex-task runs show 3f2a9c --patch | git apply',
    )
    .action(
      act(
        async () => ({ ...(await actions()), ...(await watch()) }),
        (a) => (id: string, opts: Flags) => (opts.follow ? a.runsFollow(id, opts) : a.runsShow(id, opts)),
      ),
    );
  runs
    .command('wait')
    .description('Wait until a task has finished, then print its result as `run` does (exit code by outcome)')
    .argument('<id>', 'task id (or a unique prefix of it)')
    .option('-t, --timeout <duration>', 'give up after this long (exit 1; the task goes on): ms, or 90s / 5m')
    .option('--json', 'print the task record as JSON')
    .option(...db)
    .addHelpText(
      'after',
      '\nExamples:\n  codex-task runs wait 3f2a9c --timeout 10m\n  codex-task runs wait 3f2a9c --json | jq -r .content',
    )
    .action(act(watch, (a) => (id: string, opts: Flags) => a.runsWait(id, opts)));
  runs
    .command('resume')
    .description(
      "Continue a task's agent with its whole conversation and a new message (Claude Code's SendMessage)",
    )
    .argument('<id>', 'task id (or a unique prefix of it)')
    .argument('<message...>', 'the next message; `-` reads it from stdin')
    .option('--summary <text>', "the follow-up's description (default: Follow-up to <id>)")
    .option('--json', 'print the full TaskResult as JSON on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  codex-task runs resume 3f2a9c "Now fix the two issues you found"\n  git diff | codex-task runs resume 3f2a9c - --json',
    )
    .action(
      act(
        () => import('./runs-resume.ts'),
        (a) => (id: string, message: string[], opts: Flags) => a.runsResume(id, message, opts),
      ),
    );
  runs
    .command('export')
    .description('A task, its transcript and its subagents as JSON lines')
    .argument('<id>', 'task id (or a unique prefix of it)')
    .option('--jsonl', 'JSON lines (the only format, and the default)')
    .option(...db)
    .addHelpText('after', '\nExample:\n  codex-task runs export 3f2a9c --jsonl > task.jsonl')
    .action(act(actions, (a) => (id: string, opts: Flags) => a.runsExport(id, opts)));
  return runs;
}
