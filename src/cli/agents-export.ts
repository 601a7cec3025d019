import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'smol-toml';
import { type AgentDefinition, AgentRegistry, DEFAULT_KNOWN_TOOLS, effectiveTools } from '../agents/index.ts';
import { AgentConfigError } from '../errors/index.ts';
import { MODEL_ALIASES, vendorOfModelId } from '../providers/index.ts';
import { EXIT } from './exit-codes.ts';
import { where } from './file-problems.ts';
import { printError, reportError } from './output.ts';

/** Tools that only read: an agent limited to these gets Codex's read-only sandbox. */
const READ_ONLY_TOOLS = new Set(['Read', 'Glob', 'Grep', 'LS', 'TodoWrite', 'WebFetch', 'WebSearch']);
/** Claude Code's `effort` values that Codex's `model_reasoning_effort` shares. */
const CODEX_EFFORTS = new Set(['low', 'medium', 'high']);

interface Exported {
  agent: AgentDefinition;
  file: string;
  toml: Record<string, string>;
  notes: string[];
}

/**
 * What a Codex custom agent (`$CODEX_HOME/agents/<name>.toml`) can carry of an agent file. Codex
 * runs its own models and tools, so only what means the same there is written; the rest is named
 * in the notes rather than silently dropped.
 */
export function codexAgent(agent: AgentDefinition): { toml: Record<string, string>; notes: string[] } {
  const notes: string[] = [];
  const toml: Record<string, string> = {
    name: agent.name,
    description: agent.description,
    // Codex refuses an agent whose developer_instructions are blank.
    developer_instructions: agent.systemPrompt.trim() || agent.description,
  };
  if (!agent.systemPrompt.trim()) notes.push('its body is empty: the description is the instructions');
  const model = agent.model;
  if (model && model !== 'inherit') {
    const id = model.replace(/^openai:/, '');
    if ((MODEL_ALIASES as readonly string[]).includes(model))
      notes.push(`model '${model}' is a Claude alias: not set, so it runs on Codex's session model`);
    else if (!id.includes(':') && vendorOfModelId(id) === 'openai') toml.model = id;
    else notes.push(`model '${model}' is not an OpenAI model: not set, so it runs on Codex's session model`);
  }
  const effort = agent.accepted.effort;
  if (typeof effort === 'string' && CODEX_EFFORTS.has(effort)) toml.model_reasoning_effort = effort;
  const tools = effectiveTools(agent, DEFAULT_KNOWN_TOOLS.available);
  const readOnlyTools = tools.every((tool) => READ_ONLY_TOOLS.has(tool));
  if (readOnlyTools || agent.permissionMode === 'plan') {
    // The nearest Codex has: it cannot take tools away one by one, but it can forbid writing.
    toml.sandbox_mode = 'read-only';
    const why = readOnlyTools ? `tools ${tools.join(', ') || '(none)'}` : 'permissionMode plan';
    notes.push(`${why} → sandbox_mode "read-only" (Codex cannot limit tools one by one)`);
  } else if (agent.tools !== undefined || agent.disallowedTools.length > 0) {
    notes.push(`tools ${tools.join(', ')}: not enforced by Codex (its agents get Codex's own tools)`);
  }
  return { toml, notes };
}

function fileName(name: string): string {
  return `${name.replace(/[^A-Za-z0-9._-]/g, '-')}.toml`;
}

function render({ agent, toml }: Exported): string {
  const source = agent.file ? where(agent.file) : `${agent.scope} agent`;
  return `# Exported by codex-task from ${source}: \`codex-task agents export codex ${agent.name} --force\` refreshes it.\n${stringify(toml).trimEnd()}\n`;
}

/**
 * `codex-task agents export codex [names…]`: one Codex custom agent file per agent, for people who
 * also use Codex's own multi-agent. Checks every target first: nothing is written if any file
 * exists (unless --force), so a refused export leaves no half-done set.
 */
export async function agentsExportCommand(
  target: string,
  names: string[],
  opts: { force?: boolean; codexHome?: string; cwd?: string },
): Promise<number> {
  try {
    if (target !== 'codex') throw new AgentConfigError(`cannot export to '${target}'`, 'Use: codex');
    const registry = new AgentRegistry({ cwd: resolve(opts.cwd ?? process.cwd()), rescanIntervalMs: 0 });
    const agents =
      names.length > 0
        ? names.map((name) => registry.get(name))
        : registry.list().filter((a) => a.scope !== 'builtin');
    if (agents.length === 0)
      throw new AgentConfigError(
        'no agents to export here',
        'Add agent files to .claude/agents (codex-task agents new <name>), or name a built-in agent.',
      );
    const home = resolve(opts.codexHome ?? process.env.CODEX_HOME ?? join(homedir(), '.codex'));
    const dir = join(home, 'agents');
    const exported: Exported[] = agents.map((agent) => ({
      agent,
      file: join(dir, fileName(agent.name)),
      ...codexAgent(agent),
    }));
    const existing = exported.filter((e) => existsSync(e.file)).map((e) => where(e.file));
    if (existing.length > 0 && !opts.force)
      throw new AgentConfigError(
        `${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}; nothing was written`,
        'Pass --force to replace them, or name only the agents to export.',
      );
    mkdirSync(dir, { recursive: true });
    for (const entry of exported) {
      writeFileSync(entry.file, render(entry));
      process.stdout.write(`wrote ${where(entry.file)}\n${entry.notes.map((n) => `  ${n}\n`).join('')}`);
    }
    process.stderr.write(
      "Codex does not carry over: enforced tools and disallowedTools, permissionMode, maxTurns and timeouts, failover, MCP servers, hooks and skills, and codex-task's run records.\n",
    );
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof AgentConfigError)) return reportError(error);
    printError(error);
    return EXIT.usage;
  }
}
