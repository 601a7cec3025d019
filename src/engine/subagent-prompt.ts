import { createHash } from 'node:crypto';
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
 * A subagent's system prompt in two parts, sent as two system blocks. `stable` is the same for every
 * task of one agent in one project, so vendors cache it: Anthropic from the `cache_control` marked
 * on it, OpenAI and Gemini because a stable prefix is all their automatic caches need. What changes
 * from task to task (directory, date) comes after it, where it cannot break the cached prefix.
 */
export interface SystemPrompt {
  /** The agent file's body, the subagent note, then the project's own instructions if any. */
  stable: string;
  /** Environment notes, as Claude Code adds them: working directory, platform, date, model. */
  volatile: string;
  /**
   * OpenAI's `prompt_cache_key`: `codex-task:<agent>:<hash of stable>`, so the tasks of one agent
   * in one project are routed to the same cache. At most 64 characters (OpenAI refuses longer).
   */
  cacheKey: string;
}

/** OpenAI rejects a longer `prompt_cache_key` with a 400. */
const CACHE_KEY_MAX = 64;
const CACHE_KEY_HASH_CHARS = 12;

/**
 * The subagent's system prompt. Nothing of the parent's conversation is included: the prompt is the
 * subagent's only context.
 */
export function buildSystemPrompt(params: {
  agent: AgentDefinition;
  cwd: string;
  model: string;
  instructions: ProjectInstructions | undefined;
  now?: Date;
}): SystemPrompt {
  const { agent, cwd, model, instructions } = params;
  const date = (params.now ?? new Date()).toISOString().slice(0, 10);
  const stable = [
    agent.systemPrompt.trim(),
    'You are a subagent. Your final message is returned to the agent that delegated this task as your result: make it complete and self-contained.',
    instructions ? `# Project instructions (${instructions.file})\n${instructions.text}` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
  const volatile = [
    '# Environment',
    `Working directory: ${cwd}`,
    `Platform: ${process.platform}`,
    `Today's date: ${date}`,
    `Model: ${model}`,
  ].join('\n');
  return { stable, volatile, cacheKey: cacheKeyFor(agent.name, stable) };
}

/** The prompt as one text, for whoever wants it whole (logs, tests). */
export function systemText(prompt: SystemPrompt): string {
  return `${prompt.stable}\n\n${prompt.volatile}`;
}

// A fan-out's tasks share one stable prompt: hash it once, not once per task (~12 µs each).
const stableHashes = new Map<string, string>();

function cacheKeyFor(agentName: string, stable: string): string {
  let hash = stableHashes.get(stable);
  if (hash === undefined) {
    hash = createHash('sha256').update(stable).digest('hex').slice(0, CACHE_KEY_HASH_CHARS);
    if (stableHashes.size >= 256) stableHashes.clear();
    stableHashes.set(stable, hash);
  }
  const room = CACHE_KEY_MAX - 'codex-task::'.length - CACHE_KEY_HASH_CHARS;
  return `codex-task:${agentName.slice(0, room)}:${hash}`;
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
