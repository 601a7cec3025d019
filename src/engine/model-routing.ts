import {
  BUILTIN_ROUTING_RULES,
  MODEL_ROUTING_DEFAULTS,
  type ModelRoutingSettings,
  ROUTING_TIERS,
  type RoutingRule,
  type RoutingTier,
} from '../config/defaults/model-routing.ts';
import { READ_ONLY_TOOL_NAMES } from '../tools/index.ts';

// `model: auto` (docs/model-routing.md): which tier a task runs on, from what is known before it
// runs. Pure, so each rule is table-tested without a model server.

/** What routing knows of a task before it runs. */
export interface RoutingRequest {
  agent: string;
  agentDescription: string;
  /** The tools the agent may use (names; MCP tools too). */
  tools: readonly string[];
  /** The Task call's description and prompt. */
  description: string;
  prompt: string;
}

export interface RoutingDecision {
  tier: RoutingTier;
  /** The rule that decided and the facts it matched, for `routing.reason`. */
  reason: string;
}

/** The settings with every one the caller left out at its default. */
export function routingSettings(options: Partial<ModelRoutingSettings> = {}): ModelRoutingSettings {
  return {
    rules: options.rules ?? MODEL_ROUTING_DEFAULTS.rules,
    default: options.default ?? MODEL_ROUTING_DEFAULTS.default,
    escalation: options.escalation ?? MODEL_ROUTING_DEFAULTS.escalation,
    builtinRules: options.builtinRules ?? MODEL_ROUTING_DEFAULTS.builtinRules,
  };
}

/** The configured rules, then the built-in ones, then the default tier: the first rule that matches decides. */
export function routeModel(request: RoutingRequest, settings: ModelRoutingSettings): RoutingDecision {
  const rules: [RoutingRule, string][] = [
    ...settings.rules.map((rule, i): [RoutingRule, string] => [rule, `modelRouting.rules[${i}]`]),
    ...(settings.builtinRules
      ? BUILTIN_ROUTING_RULES.map((rule): [RoutingRule, string] => [rule, 'built-in'])
      : []),
  ];
  for (const [rule, where] of rules) {
    const facts = matchRule(rule, request);
    if (!facts) continue;
    const label = rule.name ? `rule '${rule.name}' (${where})` : `rule ${where}`;
    return { tier: rule.model, reason: `${label}: ${facts.join(', ') || 'matches every task'}` };
  }
  return { tier: settings.default, reason: `no rule matched: the default tier (${settings.default})` };
}

/** The tier above, or undefined at the top (haiku → sonnet → opus). */
export function nextTier(tier: RoutingTier): RoutingTier | undefined {
  return ROUTING_TIERS[ROUTING_TIERS.indexOf(tier) + 1];
}

/** Tools that can change the workspace; none means the agent is read-only. Task counts: a child may write. */
export function writingTools(tools: readonly string[]): string[] {
  return tools.filter((tool) => !READ_ONLY_TOOL_NAMES.includes(tool));
}

/** What made the rule match, one phrase per condition; undefined when a condition does not hold. */
function matchRule(rule: RoutingRule, request: RoutingRequest): string[] | undefined {
  const facts: string[] = [];
  if (rule.agents) {
    const name = request.agent.toLowerCase();
    if (!rule.agents.some((agent) => agent.toLowerCase() === name)) return undefined;
    facts.push(`agent ${request.agent}`);
  }
  if (rule.tools) {
    const writing = writingTools(request.tools);
    if ((rule.tools === 'write') !== writing.length > 0) return undefined;
    facts.push(
      rule.tools === 'write'
        ? `tools that change the workspace (${writing.join(', ')})`
        : `read-only tools (${request.tools.join(', ') || 'none'})`,
    );
  }
  if (rule.minPromptChars !== undefined || rule.maxPromptChars !== undefined) {
    const length = request.prompt.length;
    const min = rule.minPromptChars ?? 0;
    const max = rule.maxPromptChars ?? Number.POSITIVE_INFINITY;
    if (length < min || length > max) return undefined;
    const bound =
      rule.maxPromptChars === undefined
        ? `≥ ${min}`
        : rule.minPromptChars === undefined
          ? `≤ ${max}`
          : `${min}–${max}`;
    facts.push(`a ${length}-character prompt (${bound})`);
  }
  if (rule.keywords) {
    const found = findKeyword(rule.keywords, `${request.description}\n${request.prompt}`);
    if (found === undefined) return undefined;
    facts.push(`"${found}" in the task`);
  }
  if (rule.agentKeywords) {
    const found = findKeyword(rule.agentKeywords, request.agentDescription);
    if (found === undefined) return undefined;
    facts.push(`"${found}" in the agent's description`);
  }
  return facts;
}

/** The first keyword that starts a word of `text`; case, `-`, `_` and runs of spaces do not count. */
function findKeyword(keywords: readonly string[], text: string): string | undefined {
  const haystack = normalise(text);
  return keywords.find((keyword) => {
    const needle = normalise(keyword).trim();
    if (!needle) return false;
    const escaped = needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(?:^|[^\\p{L}\\p{N}])${escaped}`, 'u').test(haystack);
  });
}

function normalise(text: string): string {
  return text.toLowerCase().replace(/[-_\s]+/g, ' ');
}
