import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { discoverSlashCommands } from '../commands/index.ts';
import { EXIT } from './exit-codes.ts';
import { formatProblem, where } from './file-problems.ts';
import { paint } from './output.ts';

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
  for (const problem of problems) process.stderr.write(`${formatProblem(problem, process.stderr)}\n`);
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
