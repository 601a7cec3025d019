import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { ListedWorktree } from '../worktree/index.ts';
import { EXIT } from './exit-codes.ts';
import { note, paint, reportError, usageError } from './output.ts';

/** What a command on worktrees needs when it is run outside a repository. */
const HINT =
  'codex-task worktrees works on the git repository of the current directory: run it inside the repository the tasks ran in, or give -C <dir>.';

interface Flags {
  json?: boolean;
  cwd?: string;
  all?: boolean;
  force?: boolean;
}

/**
 * `codex-task worktrees list|remove`: the git worktrees of tasks run with `isolation: "worktree"`
 * that were kept because they changed something. `onExit` receives each command's exit code.
 */
export function registerWorktreesCommands(program: Command, onExit: (code: number) => void): Command {
  const run =
    <A extends unknown[]>(action: (...args: A) => Promise<number>) =>
    async (...args: A) => {
      try {
        onExit(await action(...args));
      } catch (error) {
        onExit(reportError(error));
      }
    };
  const worktrees = program
    .command('worktrees')
    .description('Git worktrees kept by tasks with isolation: worktree (changed ones): list and remove them');
  worktrees
    .command('list')
    .description('The worktrees codex-task made in this repository: task id, branch, changes, created, path')
    .option('--json', 'print them as JSON')
    .option('-C, --cwd <dir>', 'a directory of the repository (default: the current one)')
    .addHelpText('after', '\nExamples:\n  codex-task worktrees list\n  codex-task worktrees list --json')
    .action(run(listCommand));
  worktrees
    .command('remove')
    .description('Remove a worktree and its branch; refuses uncommitted or unmerged work without --force')
    .argument('[id]', 'task id (or a unique prefix of it), or the branch codex-task/<id>')
    .option('--all', 'every worktree codex-task made in this repository')
    .option('--force', 'remove even with uncommitted changes or unmerged commits')
    .option('-C, --cwd <dir>', 'a directory of the repository (default: the current one)')
    .addHelpText(
      'after',
      '\nExamples:\n  codex-task worktrees remove 3f2a9c\n  codex-task worktrees remove codex-task/3f2a9c --force\n  codex-task worktrees remove --all',
    )
    .action(run(removeCommand));
  return worktrees;
}

async function listCommand(opts: Flags): Promise<number> {
  const { listWorktrees } = await import('../worktree/index.ts');
  const { repository, worktrees } = await listWorktrees(resolve(opts.cwd ?? '.'), { hint: HINT });
  if (opts.json) {
    const rows = worktrees.map(({ changes, ...w }) => ({
      ...w,
      changed: changes?.changed ?? null,
      uncommitted: changes?.uncommitted ?? null,
      summary: changes?.summary ?? null,
    }));
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT.ok;
  }
  if (worktrees.length === 0) {
    process.stdout.write(
      `No task worktrees in ${repository.toplevel}. Tasks with isolation: "worktree" keep theirs here when they change something.\n`,
    );
    return EXIT.ok;
  }
  for (const w of worktrees) {
    const lines = [`${paint('bold', w.taskId, process.stdout)}  ${w.branch}  ${state(w)}`];
    lines.push(`  created ${w.created}${w.agentType ? ` by ${w.agentType}` : ''}`);
    if (w.description) lines.push(`  ${w.description}`);
    lines.push(`  ${w.path}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return EXIT.ok;
}

function state(w: ListedWorktree): string {
  if (w.missing) return 'missing (its directory is gone: `remove` drops its branch)';
  if (!w.changes) return 'unreadable';
  if (!w.changes.changed) return 'unchanged';
  return `changed${w.changes.uncommitted ? ', uncommitted' : ''}: ${w.changes.summary}`;
}

async function removeCommand(id: string | undefined, opts: Flags): Promise<number> {
  if ((id === undefined) === !opts.all) {
    usageError(
      id === undefined ? 'which worktree?' : 'give an id or --all, not both',
      'Name one (codex-task worktrees remove <id|branch>, ids from codex-task worktrees list), or remove them all with --all.',
    );
    return EXIT.usage;
  }
  const { findWorktrees, listWorktrees, removeWorktree } = await import('../worktree/index.ts');
  const { repository, worktrees } = await listWorktrees(resolve(opts.cwd ?? '.'), { hint: HINT });
  const chosen = id === undefined ? worktrees : findWorktrees(worktrees, id);
  if (id !== undefined && chosen.length !== 1) {
    usageError(
      chosen.length === 0
        ? `no task worktree '${id}' in ${repository.toplevel}`
        : `'${id}' names ${chosen.length} worktrees: ${chosen.map((w) => w.taskId).join(', ')}`,
      chosen.length === 0
        ? 'codex-task worktrees list shows their ids and branches.'
        : 'Give more of the id, or the whole branch name.',
    );
    return EXIT.usage;
  }
  if (chosen.length === 0) {
    note(`No task worktrees in ${repository.toplevel}.`);
    return EXIT.ok;
  }
  let refused = 0;
  for (const w of chosen) {
    const removal = await removeWorktree(repository.commonDir, w, { force: Boolean(opts.force) });
    if (removal.removed) {
      process.stdout.write(`removed ${w.path} and its branch ${w.branch}\n`);
    } else {
      refused++;
      usageError(`kept ${w.taskId}: ${removal.reason}`, removal.fix);
    }
  }
  return refused > 0 ? EXIT.failed : EXIT.ok;
}
