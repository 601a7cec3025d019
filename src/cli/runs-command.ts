import type { Command } from 'commander';
// types.ts only (no index.ts): the list for --help, without loading the store at start-up.
import { RECORD_STATUSES } from '../store/types.ts';
import { EXIT } from './exit-codes.ts';
import { printError } from './output.ts';

type Flags = Record<string, string | boolean | undefined>;

/**
 * `codex-task runs list|show|export`: the recorded tasks. `onExit` receives each command's exit
 * code (the caller owns the process's exit).
 */
export function registerRunsCommands(
  program: Command,
  onExit: (code: number) => void = (c) => {
    process.exitCode = c;
  },
): Command {
  // The store (node:sqlite) is loaded when a runs command runs, not when the CLI starts.
  const run =
    <A extends unknown[]>(pick: (actions: typeof import('./runs-actions.ts')) => (...args: A) => number) =>
    async (...args: A) => {
      try {
        onExit(pick(await import('./runs-actions.ts'))(...args));
      } catch (error) {
        printError(error);
        onExit(EXIT.failed);
      }
    };
  const db = ['--db <path>', 'run store (default: CODEX_TASK_RUNS_DB or ~/.codex-task/runs.db)'] as const;
  const runs = program.command('runs').description('Recorded tasks: list them, read a transcript, export it');
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
    .action(run((a) => (opts: Flags) => a.runsList(opts)));
  runs
    .command('show')
    .description('One task and its transcript: turns, tool calls and results, subagents, result')
    .argument('<id>', 'task id (or a unique prefix of it)')
    .option('--json', 'print { task, steps, children } as JSON')
    .option(...db)
    .addHelpText('after', '\nExample:\n  codex-task runs show 3f2a9c')
    .action(run((a) => (id: string, opts: Flags) => a.runsShow(id, opts)));
  runs
    .command('export')
    .description('A task, its transcript and its subagents as JSON lines')
    .argument('<id>', 'task id (or a unique prefix of it)')
    .option('--jsonl', 'JSON lines (the only format, and the default)')
    .option(...db)
    .addHelpText('after', '\nExample:\n  codex-task runs export 3f2a9c --jsonl > task.jsonl')
    .action(run((a) => (id: string, opts: Flags) => a.runsExport(id, opts)));
  return runs;
}
