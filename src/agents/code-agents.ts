import { hash } from 'node:crypto';
import { buildDefinition, looksLikeModelId, type ParseResult } from './build-definition.ts';
import { DEFAULT_KNOWN_TOOLS } from './known-tools.ts';
import type { AgentParseOptions } from './parse-agent-file.ts';
import type { PermissionMode } from './types.ts';

/**
 * An agent given in code (or CLI JSON): the frontmatter fields, plus the system prompt as `prompt`
 * (Claude Code's `--agents` JSON) or `systemPrompt`. Validated exactly like a file.
 */
export interface AgentInput {
  name: string;
  description: string;
  prompt?: string;
  systemPrompt?: string;
  tools?: string | string[];
  disallowedTools?: string | string[];
  model?: string;
  permissionMode?: PermissionMode;
  maxTurns?: number;
  temperature?: number;
  max_tokens?: number;
  timeout?: number | string;
  /** Claude Code's accepted fields (skills, hooks, …) and anything else, checked like frontmatter. */
  [field: string]: unknown;
}

const PROMPT_KEYS = ['prompt', 'systemPrompt'] as const;

/** `source` names the agent in problems (default `<code:NAME>`). */
export function parseAgentInput(
  input: unknown,
  options: AgentParseOptions & { source?: string } = {},
): ParseResult {
  const raw =
    input !== null && typeof input === 'object' && !Array.isArray(input)
      ? (input as Record<string, unknown>)
      : undefined;
  const source = options.source ?? `<code:${typeof raw?.name === 'string' ? raw.name : '?'}>`;
  if (!raw) {
    return {
      problems: [
        {
          severity: 'error',
          file: source,
          message: 'an agent must be an object with name, description and prompt',
        },
      ],
    };
  }
  const given = PROMPT_KEYS.filter((key) => raw[key] !== undefined);
  const prompt = given.length === 1 ? raw[given[0]!] : '';
  const promptProblem =
    given.length > 1
      ? 'give the system prompt as `prompt` or as `systemPrompt`, not both'
      : typeof prompt !== 'string'
        ? `\`${given[0]}\` must be text`
        : undefined;
  const result = buildDefinition(raw, {
    source,
    scope: 'code',
    hash: hash('sha256', JSON.stringify(input)),
    systemPrompt: typeof prompt === 'string' ? prompt.trim() : '',
    nameRule: 'code',
    extraKeys: PROMPT_KEYS,
    knownTools: options.knownTools ?? DEFAULT_KNOWN_TOOLS,
    isKnownModel: options.isKnownModel ?? looksLikeModelId,
  });
  if (promptProblem === undefined) return result;
  return {
    problems: [
      { severity: 'error', file: source, field: given[given.length - 1]!, message: promptProblem },
      ...result.problems,
    ],
  };
}

/** Claude Code's `--agents '{"reviewer": {…}}'` shape: a record keyed by agent name. */
export function agentInputsFromRecord(record: Record<string, Omit<AgentInput, 'name'>>): AgentInput[] {
  return Object.entries(record).map(([name, fields]) => ({ ...fields, name }) as AgentInput);
}
