import type { AgentProblem } from '../agents/index.ts';

/** Where a command file was found; decides precedence (project > codexplus > user). */
export type SlashCommandSource = 'project' | 'codexplus' | 'user';

/** A Claude Code custom slash command: one Markdown file under a `commands/` directory. */
export interface SlashCommand {
  /** What follows the `/`: the path under `commands/` without `.md`, folders joined by `:`. */
  name: string;
  description?: string;
  argumentHint?: string;
  /** Model for the turn the command starts (alias or id), from the `model` field. */
  model?: string;
  /** `allowed-tools` entries as written (Claude Code's rule syntax, e.g. `Bash(git status:*)`). */
  allowedTools?: string[];
  /** The Markdown body with the frontmatter removed, trimmed; placeholders not yet substituted. */
  body: string;
  /** Absolute path of the file. */
  path: string;
  source: SlashCommandSource;
}

/** A file that could not become a command, or a field that was ignored. Always names the file. */
export type SlashCommandProblem = AgentProblem;
