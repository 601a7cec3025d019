import { hash } from 'node:crypto';
import {
  EXPLORE_DESCRIPTION,
  EXPLORE_PROMPT,
  GENERAL_PURPOSE_DESCRIPTION,
  GENERAL_PURPOSE_PROMPT,
  PLAN_DESCRIPTION,
  PLAN_PROMPT,
} from './builtin-prompts.ts';
import type { AgentDefinition } from './types.ts';

/** The agent a Task call gets when it names none, as in Claude Code. */
export const DEFAULT_AGENT_TYPE = 'general-purpose';

/** Explore and Plan must not change anything: read-only file tools, and the web tools (as in Claude Code). */
const READ_ONLY_TOOLS = ['Read', 'Glob', 'Grep', 'LS', 'WebFetch', 'WebSearch'];

function builtin(
  fields: Pick<AgentDefinition, 'name' | 'description' | 'systemPrompt' | 'tools'>,
): AgentDefinition {
  const def: AgentDefinition = {
    name: fields.name,
    description: fields.description,
    systemPrompt: fields.systemPrompt,
    disallowedTools: [],
    accepted: {},
    unknown: {},
    scope: 'builtin',
    hash: hash('sha256', JSON.stringify(fields)),
  };
  if (fields.tools) {
    def.tools = Object.freeze([...fields.tools]) as string[];
    def.toolsText = fields.tools.join(', ');
  }
  // Shared by every registry in the process: frozen so no caller can change what others run.
  Object.freeze(def.disallowedTools);
  return Object.freeze(def);
}

/** Lowest precedence: any file or code agent with the same name (case-insensitive) replaces one. */
export const BUILTIN_AGENTS: readonly AgentDefinition[] = Object.freeze([
  builtin({
    name: DEFAULT_AGENT_TYPE,
    description: GENERAL_PURPOSE_DESCRIPTION,
    systemPrompt: GENERAL_PURPOSE_PROMPT,
  }),
  builtin({
    name: 'Explore',
    description: EXPLORE_DESCRIPTION,
    systemPrompt: EXPLORE_PROMPT,
    tools: READ_ONLY_TOOLS,
  }),
  builtin({
    name: 'Plan',
    description: PLAN_DESCRIPTION,
    systemPrompt: PLAN_PROMPT,
    tools: READ_ONLY_TOOLS,
  }),
]);
