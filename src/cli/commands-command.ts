import { homedir } from 'node:os';
import { relative, resolve } from 'node:path';
import { discoverSlashCommands, type SlashCommandProblem } from '../commands/index.ts';
import { EXIT } from './exit-codes.ts';
import { paint } from './output.ts';

function where(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

function formatProblem(problem: SlashCommandProblem): string {
  const at = `${where(problem.file)}${problem.line ? `:${problem.line}` : ''}`;
  const field = problem.field ? ` [${problem.field}]` : '';
  const hint = problem.hint ? `\n    fix: ${problem.hint}` : '';
  return `  ${paint('yellow', 'warning')} ${at}${field}: ${problem.message}${hint}`;
}

/**
 * `codex-task commands list`: the slash commands a session here sees (project, `.codexplus`, user),
 * one block each; problems with command files go to stderr and do not change the exit code, since
 * the other commands still work.
 */
export async function commandsListCommand(opts: { json?: boolean; cwd?: string }): Promise<number> {
  const { commands, problems } = discoverSlashCommands({
    cwd: resolve(opts.cwd ?? process.cwd()),
    homeDir: homedir(),
  });
  if (opts.json) {
    const rows = commands.map((c) => ({
      name: c.name,
      source: c.source,
      description: c.description ?? null,
      argumentHint: c.argumentHint ?? null,
      model: c.model ?? null,
      allowedTools: c.allowedTools ?? null,
      path: c.path,
      body: c.body,
    }));
    process.stdout.write(`${JSON.stringify({ commands: rows, problems }, null, 2)}\n`);
    return EXIT.ok;
  }
  for (const problem of problems) process.stderr.write(`${formatProblem(problem)}\n`);
  if (commands.length === 0) {
    process.stdout.write(
      'No slash commands here. Add one as .claude/commands/<name>.md (Markdown; `$ARGUMENTS` marks where the arguments go).\n',
    );
    return EXIT.ok;
  }
  for (const c of commands) {
    const usage = `/${c.name}${c.argumentHint ? ` ${c.argumentHint}` : ''}`;
    const lines = [`${paint('bold', usage, process.stdout)}  (${c.source}: ${where(c.path)})`];
    if (c.description) lines.push(`  ${c.description}`);
    if (c.model) lines.push(`  model: ${c.model}`);
    if (c.allowedTools) lines.push(`  allowed-tools: ${c.allowedTools.join(', ')}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return EXIT.ok;
}
