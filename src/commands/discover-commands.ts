import { homedir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { isDirectory, listAgentFiles, projectDirectories } from '../agents/index.ts';
import { parseCommandFile } from './parse-command-file.ts';
import type { SlashCommand, SlashCommandProblem, SlashCommandSource } from './types.ts';

export interface SlashCommandOptions {
  cwd: string;
  /** Default: the user's home directory (for `~/.claude/commands`). */
  homeDir?: string;
}

/** One directory of command files and the precedence level it belongs to. */
export interface CommandDirectory {
  source: SlashCommandSource;
  dir: string;
}

/**
 * Highest precedence first: for each directory from `cwd` up to the repository root (nearest
 * first, as for agents), its `.claude/commands/` then its `.codexplus/commands/`; then the user's
 * `~/.claude/commands/`. Only existing ones.
 */
export function commandDirectories(options: SlashCommandOptions): CommandDirectory[] {
  const userDir = join(resolve(options.homeDir ?? homedir()), '.claude', 'commands');
  const out: CommandDirectory[] = [];
  for (const dir of projectDirectories(options.cwd)) {
    const claude = join(dir, '.claude', 'commands');
    // Outside a repository the walk reaches the home directory: its commands stay user commands.
    if (claude !== userDir && isDirectory(claude)) out.push({ source: 'project', dir: claude });
    const codexplus = join(dir, '.codexplus', 'commands');
    if (isDirectory(codexplus)) out.push({ source: 'codexplus', dir: codexplus });
  }
  if (isDirectory(userDir)) out.push({ source: 'user', dir: userDir });
  return out;
}

/** `review.md` → `review`; `frontend/component.md` → `frontend:component` (Claude Code's namespacing). */
export function commandName(dir: string, file: string): string {
  return relative(dir, file).replace(/\.md$/i, '').split(sep).join(':');
}

/**
 * Every command `cwd` sees, with the problems found on the way. The first directory (in
 * `commandDirectories` order) to define a name wins; the others are shadowed without a word, as a
 * project command overriding a user one is intended.
 */
export function discoverSlashCommands(options: SlashCommandOptions): {
  commands: SlashCommand[];
  problems: SlashCommandProblem[];
} {
  const byName = new Map<string, SlashCommand>();
  const problems: SlashCommandProblem[] = [];
  for (const { source, dir } of commandDirectories(options)) {
    for (const path of listAgentFiles(dir)) {
      const name = commandName(dir, path);
      if (/\s/.test(name)) {
        problems.push({
          severity: 'warning',
          file: path,
          message: `the command name \`${name}\` contains white space, so it cannot be typed as /${name}; skipped`,
          hint: 'Rename the file (and its folders) without spaces, e.g. with hyphens.',
        });
        continue;
      }
      if (byName.has(name)) continue;
      const parsed = parseCommandFile(path);
      problems.push(...parsed.problems);
      if (parsed.content) byName.set(name, { name, ...parsed.content, path, source });
    }
  }
  const commands = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { commands, problems };
}

/** Each distinct problem is printed once per process: a proxy loads commands on every turn. */
const reported = new Set<string>();
const REPORTED_MAX = 1000;

function warnOnce(problem: SlashCommandProblem): void {
  const text = `${problem.file}${problem.line ? `:${problem.line}` : ''}: ${problem.message}${problem.hint ? ` (fix: ${problem.hint})` : ''}`;
  if (reported.has(text)) return;
  if (reported.size >= REPORTED_MAX) reported.clear();
  reported.add(text);
  process.emitWarning(text, { type: 'SlashCommandWarning' });
}

/**
 * The slash commands `cwd` sees (see `discoverSlashCommands`). Never throws; problems go to
 * `onProblem`, by default to a process warning (stderr) printed once each.
 */
export function loadSlashCommands(
  options: SlashCommandOptions & { onProblem?: (problem: SlashCommandProblem) => void },
): SlashCommand[] {
  const { commands, problems } = discoverSlashCommands(options);
  for (const problem of problems) (options.onProblem ?? warnOnce)(problem);
  return commands;
}
