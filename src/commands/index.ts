/**
 * Claude Code's custom slash commands: Markdown prompts in `.claude/commands/` (and
 * `.codexplus/commands/`, `~/.claude/commands/`) that `/name args` expands into, arguments
 * substituted by us rather than left to the model.
 */
export {
  type CommandDirectory,
  commandDirectories,
  commandName,
  discoverSlashCommands,
  loadSlashCommands,
  type SlashCommandOptions,
} from './discover-commands.ts';
export { expandSlashCommand, splitArguments } from './expand-command.ts';
export { parseCommandSource } from './parse-command-file.ts';
export type { SlashCommand, SlashCommandProblem, SlashCommandSource } from './types.ts';
