/**
 * `model: auto` (docs/model-routing.md): the tiers it picks from, weakest first, and the built-in
 * rules that pick one from what is known before the task runs. A leaf: imports nothing.
 */
export const ROUTING_TIERS = ['haiku', 'sonnet', 'opus'] as const;
export type RoutingTier = (typeof ROUTING_TIERS)[number];

/** What an agent's tools can do: `read-only` when none changes the workspace, `write` otherwise. */
export const ROUTING_TOOL_ACCESS = ['read-only', 'write'] as const;

/**
 * One routing rule: the tier to run when every condition it sets holds (a rule with none matches
 * every task). Rules are tried in order; the first that matches decides.
 */
export interface RoutingRule {
  /** Named in `routing.reason`. */
  name?: string;
  model: RoutingTier;
  /** The agent is one of these (case-insensitive). */
  agents?: readonly string[];
  /** What the agent's tools can do. */
  tools?: (typeof ROUTING_TOOL_ACCESS)[number];
  /** The prompt has at least / at most this many characters. */
  minPromptChars?: number;
  maxPromptChars?: number;
  /** One of these appears in the Task's description or prompt, at the start of a word (case, `-` and `_` ignored). */
  keywords?: readonly string[];
  /** One of these appears in the agent's description, matched the same way. */
  agentKeywords?: readonly string[];
}

export interface ModelRoutingSettings {
  /** Tried before the built-in rules. */
  rules: readonly RoutingRule[];
  /** The tier when no rule matches. */
  default: RoutingTier;
  /** A run on a tier below opus that fails is re-run once on the next tier. */
  escalation: boolean;
  /** false: only `rules` (then `default`) decide. */
  builtinRules: boolean;
}

/**
 * Tried after the configured rules. Opus for long or sweeping work, haiku for a short read-only
 * lookup, and sonnet for planning agents (a short planning prompt is no lookup) and, by default,
 * for everything else: edits, Bash, mid-length questions.
 */
export const BUILTIN_ROUTING_RULES: readonly RoutingRule[] = [
  { name: 'long-prompt', model: 'opus', minPromptChars: 6_000 },
  {
    name: 'large-change',
    model: 'opus',
    tools: 'write',
    keywords: [
      'refactor',
      'migrate',
      'migration',
      'rewrite',
      'redesign',
      'overhaul',
      'multi-step',
      'step by step',
      'end-to-end',
      'across the codebase',
      'across the repository',
    ],
  },
  { name: 'planning-agent', model: 'sonnet', agentKeywords: ['plan', 'architect'] },
  { name: 'read-only-lookup', model: 'haiku', tools: 'read-only', maxPromptChars: 2_000 },
];

export const MODEL_ROUTING_DEFAULTS: ModelRoutingSettings = {
  rules: [],
  default: 'sonnet',
  escalation: true,
  builtinRules: true,
};
