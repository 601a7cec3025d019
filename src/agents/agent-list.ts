import { toolDenyRules } from './effective-tools.ts';
import { splitToolRule, toolRuleMatches } from './known-tools.ts';
import type { AgentDefinition } from './types.ts';

/** Case-insensitive name order (ties broken by exact spelling so the order is total). */
export function compareAgentNames(a: string, b: string): number {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la !== lb) return la < lb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The `(Tools: …)` text Claude Code shows the parent model: `tools:` as written, `All tools` when
 * absent, `All tools except A, B` with only `disallowedTools`, and the listed tools minus the
 * disallowed ones (or `None`) when both are given.
 */
export function toolsDescription(
  def: Pick<AgentDefinition, 'tools' | 'toolsText' | 'disallowedTools'>,
): string {
  const deny = def.disallowedTools;
  if (def.tools === undefined) return deny.length > 0 ? `All tools except ${deny.join(', ')}` : 'All tools';
  // `tools: []` is written as nothing: say None, as for a list the denials empty.
  if (deny.length === 0) return def.toolsText || def.tools.join(', ') || 'None';
  const rules = toolDenyRules(deny);
  const left = def.tools.filter((entry) => {
    const { base } = splitToolRule(entry);
    return !rules.some((rule) => toolRuleMatches(rule, base));
  });
  return left.length > 0 ? left.join(', ') : 'None';
}

/** The agent list given to the parent model: `- <name>: <description> (Tools: <tools>)`, one per line. */
export function formatAgentList(defs: readonly AgentDefinition[]): string {
  return [...defs]
    .sort((a, b) => compareAgentNames(a.name, b.name))
    .map((def) => `- ${def.name}: ${def.description} (Tools: ${toolsDescription(def)})`)
    .join('\n');
}
