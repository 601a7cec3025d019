import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentDefinition } from '../agents/index.ts';

/** Files a project uses to instruct coding agents, in the order we look for them. */
const PROJECT_INSTRUCTION_FILES = ['AGENTS.md', 'CLAUDE.md'];

export interface ProjectInstructions {
  file: string;
  text: string;
}

/**
 * The subagent's system prompt: the agent file's body, then short environment notes (as Claude Code
 * adds: working directory, platform, date, model), then the project's own instructions if any.
 * Nothing of the parent's conversation is included: the prompt is the subagent's only context.
 */
export function buildSystemPrompt(params: {
  agent: AgentDefinition;
  cwd: string;
  model: string;
  instructions: ProjectInstructions | undefined;
  now?: Date;
}): string {
  const { agent, cwd, model, instructions } = params;
  const date = (params.now ?? new Date()).toISOString().slice(0, 10);
  const parts = [
    agent.systemPrompt.trim(),
    [
      '# Environment',
      `Working directory: ${cwd}`,
      `Platform: ${process.platform}`,
      `Today's date: ${date}`,
      `Model: ${model}`,
      'You are a subagent. Your final message is returned to the agent that delegated this task as your result: make it complete and self-contained.',
    ].join('\n'),
  ];
  if (instructions) parts.push(`# Project instructions (${instructions.file})\n${instructions.text}`);
  return parts.filter(Boolean).join('\n\n');
}

/**
 * Reads AGENTS.md / CLAUDE.md of a directory, at most once per `ttlMs` per directory: a fan-out of
 * 100 subagents reads them once, and an edit is still seen within a second. Synchronous on purpose:
 * an await on file I/O here would make a fan-out's subagents wait for it together and then send
 * their model requests in one clump, instead of each sending its own as soon as it is set up.
 */
export class ProjectInstructionsReader {
  readonly #ttlMs: number;
  readonly #maxChars: number;
  readonly #cache = new Map<string, { at: number; value: ProjectInstructions | undefined }>();

  constructor(options: { ttlMs: number; maxChars: number }) {
    this.#ttlMs = options.ttlMs;
    this.#maxChars = options.maxChars;
  }

  read(cwd: string): ProjectInstructions | undefined {
    const now = performance.now();
    const cached = this.#cache.get(cwd);
    if (cached && now - cached.at < this.#ttlMs) return cached.value;
    const value = this.#load(cwd);
    this.#cache.set(cwd, { at: now, value });
    return value;
  }

  #load(cwd: string): ProjectInstructions | undefined {
    for (const file of PROJECT_INSTRUCTION_FILES) {
      try {
        const text = readFileSync(join(cwd, file), 'utf8');
        if (!text.trim()) continue;
        return {
          file,
          text: text.length > this.#maxChars ? `${text.slice(0, this.#maxChars)}\n[truncated]` : text,
        };
      } catch {
        // Absent or unreadable: projects without instructions are the common case.
      }
    }
    return undefined;
  }
}
