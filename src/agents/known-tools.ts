/**
 * The tool names an agent file may mention. Passed in rather than imported from `tools/` so this
 * module stays below the tools layer and tests can use any set.
 */
export interface KnownTools {
  /** Tools codex-task can give a subagent. */
  available: readonly string[];
  /** Claude Code tools we recognise but do not offer yet: mentioning one is a warning, not a typo. */
  claudeCodeOnly: readonly string[];
}

export const DEFAULT_KNOWN_TOOLS: KnownTools = Object.freeze({
  available: Object.freeze([
    'Read',
    'Write',
    'Edit',
    'MultiEdit',
    'Glob',
    'Grep',
    'LS',
    'Bash',
    'TodoWrite',
    'WebFetch',
    'WebSearch',
    'Task',
    'Agent',
  ]),
  claudeCodeOnly: Object.freeze([
    'NotebookEdit',
    'NotebookRead',
    'BashOutput',
    'KillShell',
    'SlashCommand',
    'Skill',
    'ExitPlanMode',
    'SendMessage',
  ]),
});

/**
 * Claude Code's task-list tools (its newer tool set, where they replace TodoWrite). They are granted
 * as our TodoWrite, which keeps the same per-task list: one list, one tool the model sees, and no
 * second task-list API beside TodoWrite for agents that get all tools.
 */
export const TASK_LIST_TOOLS: readonly string[] = Object.freeze([
  'TaskCreate',
  'TaskGet',
  'TaskUpdate',
  'TaskList',
]);

/** The tool a name is granted as when it is not a tool of its own (`TaskCreate` → `TodoWrite`). */
export function grantedAs(name: string): string | undefined {
  return TASK_LIST_TOOLS.includes(name) ? 'TodoWrite' : undefined;
}

/** Why a Claude Code tool is not granted yet, where there is more to say than "not available". */
export const NOT_YET_HINTS: Readonly<Record<string, string>> = Object.freeze({
  SendMessage:
    'SendMessage continues a background subagent; it will be granted once codex-task runs background subagents (run_in_background).',
});

/** Claude Code renamed `Task` to `Agent` and accepts both everywhere, so one stands for the other. */
export function subagentToolAlias(name: string): string | undefined {
  if (name === 'Task') return 'Agent';
  if (name === 'Agent') return 'Task';
  return undefined;
}

export function isSubagentTool(name: string): boolean {
  return name === 'Task' || name === 'Agent';
}

/** MCP tools are named `mcp__<server>__<tool>`; they are configured elsewhere, so we take them on trust. */
export function isMcpToolName(entry: string): boolean {
  return entry.startsWith('mcp__');
}

/**
 * `Task(agent-a, agent-b)` → `{ base: 'Task', args: 'agent-a, agent-b' }`. Claude Code's permission-rule
 * syntax; anything without a well-formed `(...)` suffix is returned whole as the base.
 */
export function splitToolRule(entry: string): { base: string; args?: string } {
  const open = entry.indexOf('(');
  if (open <= 0 || !entry.endsWith(')')) return { base: entry };
  return { base: entry.slice(0, open).trim(), args: entry.slice(open + 1, -1).trim() };
}

/**
 * Whether a tools/disallowedTools entry names `tool`: exact, `Task`/`Agent` alias, `*`, or an MCP
 * server-wide pattern (`mcp__server__*` or bare `mcp__server`, as in Claude Code's permission rules).
 */
export function toolRuleMatches(rule: string, tool: string): boolean {
  if (rule === '*' || rule === tool) return true;
  // Denying any task-list tool denies TodoWrite, which stands for all of them (fail closed).
  if (subagentToolAlias(rule) === tool || grantedAs(rule) === tool) return true;
  if (isMcpToolName(rule) && tool.startsWith('mcp__')) {
    const prefix = mcpServerPrefix(rule);
    return prefix !== undefined && tool.startsWith(prefix);
  }
  return false;
}

/** `mcp__github__*` and `mcp__github` → `mcp__github__`; a specific MCP tool → undefined. */
export function mcpServerPrefix(rule: string): string | undefined {
  if (rule.endsWith('__*')) return rule.slice(0, -1);
  const rest = rule.slice('mcp__'.length);
  if (rest.length > 0 && !rest.includes('__')) return `${rule}__`;
  return undefined;
}
