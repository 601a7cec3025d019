import {
  grantedAs,
  isMcpToolName,
  isSubagentTool,
  mcpServerPrefix,
  splitToolRule,
  subagentToolAlias,
  toolRuleMatches,
} from './known-tools.ts';

/** Readonly so frozen definitions (the built-ins) and plain lists both fit. */
type ToolFields = { readonly tools?: readonly string[]; readonly disallowedTools: readonly string[] };

/**
 * The tools a subagent actually gets, as Claude Code computes them: `tools` (or everything in
 * `available`) minus `disallowedTools`, in frontmatter order; names not in `available` (unknown,
 * wrong case, not offered here) are dropped.
 *
 * Restrictions fail closed: an argument rule we cannot enforce (`Bash(git:*)`) grants nothing in
 * `tools` and denies the whole tool in `disallowedTools`. `Task(a, b)` is the exception: it grants
 * Task, and `subagentTypeRules` tells the engine which agent types it may spawn.
 */
export function effectiveTools(def: ToolFields, available: readonly string[]): string[] {
  const denyRules = toolDenyRules(def.disallowedTools);
  const candidates =
    def.tools === undefined || def.tools.includes('*')
      ? available
      : def.tools.flatMap((entry) => resolveEntry(entry, available));
  const seen = new Set<string>();
  const out: string[] = [];
  for (const tool of candidates) {
    // Task and Agent are one tool under two names: never hand out both.
    const key = isSubagentTool(tool) ? 'Task' : tool;
    if (seen.has(key)) continue;
    seen.add(key);
    if (!denyRules.some((rule) => toolRuleMatches(rule, tool))) out.push(tool);
  }
  return out;
}

/** `disallowedTools` as whole-tool rules: `Bash(rm:*)` denies Bash (fail closed), `Task(x)` denies nothing. */
export function toolDenyRules(disallowedTools: readonly string[]): string[] {
  const rules: string[] = [];
  for (const rule of disallowedTools) {
    const { base, args } = splitToolRule(rule);
    // `Task(x)` narrows which agents may be spawned; it does not take Task away.
    if (args === undefined || !isSubagentTool(base)) rules.push(base);
  }
  return rules;
}

function resolveEntry(entry: string, available: readonly string[]): readonly string[] {
  if (isMcpToolName(entry)) {
    const prefix = mcpServerPrefix(entry);
    if (prefix !== undefined) return available.filter((tool) => tool.startsWith(prefix));
    return available.includes(entry) ? [entry] : [];
  }
  const { base, args } = splitToolRule(entry);
  if (args !== undefined && !isSubagentTool(base)) return [];
  if (available.includes(base)) return [base];
  const alias = subagentToolAlias(base) ?? grantedAs(base);
  return alias !== undefined && available.includes(alias) ? [alias] : [];
}

/**
 * Which agent types this agent may spawn through Task: `allowed` undefined = any (no `Task(…)`
 * restriction in `tools`); `denied` from `Task(x)` entries in `disallowedTools`.
 */
export function subagentTypeRules(def: ToolFields): { allowed?: string[]; denied: string[] } {
  const denied = def.disallowedTools.flatMap((rule) => subagentArgs(rule) ?? []);
  if (def.tools === undefined) return { denied };
  let allowed: string[] | undefined = [];
  for (const entry of def.tools) {
    const { base, args } = splitToolRule(entry);
    if (!isSubagentTool(base)) continue;
    if (args === undefined) allowed = undefined;
    else allowed?.push(...(subagentArgs(entry) ?? []));
  }
  return allowed === undefined ? { denied } : { allowed, denied };
}

function subagentArgs(entry: string): string[] | undefined {
  const { base, args } = splitToolRule(entry);
  if (args === undefined || !isSubagentTool(base)) return undefined;
  return args
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
