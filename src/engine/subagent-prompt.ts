import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentDefinition } from '../agents/index.ts';

/** Files a project uses to instruct coding agents, in the order we look for them. */
const PROJECT_INSTRUCTION_FILES = ['AGENTS.md', 'CLAUDE.md'];

/**
 * The subagent's system prompt: the agent file's body, then short environment notes (as Claude Code
 * adds: working directory, platform, date, model), then the project's own instructions if any.
 * Nothing of the parent's conversation is included: the prompt is the subagent's only context.
 */
export async function buildSystemPrompt(params: {
  agent: AgentDefinition;
  cwd: string;
  model: string;
  now?: Date;
  instructionsMaxChars: number;
}): Promise<string> {
  const { agent, cwd, model, instructionsMaxChars } = params;
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
  const instructions = await readProjectInstructions(cwd, instructionsMaxChars);
  if (instructions) parts.push(`# Project instructions (${instructions.file})\n${instructions.text}`);
  return parts.filter(Boolean).join('\n\n');
}

async function readProjectInstructions(
  cwd: string,
  maxChars: number,
): Promise<{ file: string; text: string } | undefined> {
  for (const file of PROJECT_INSTRUCTION_FILES) {
    try {
      const text = await readFile(join(cwd, file), 'utf8');
      if (text.trim()) return { file, text: text.length > maxChars ? `${text.slice(0, maxChars)}\n[truncated]` : text };
    } catch {
      // Absent or unreadable: projects without instructions are the common case.
    }
  }
  return undefined;
}
