/** Where an agent definition came from; decides precedence (code > project > user > builtin). */
export type AgentScope = 'code' | 'project' | 'user' | 'builtin';

export type PermissionMode = 'default' | 'acceptEdits' | 'plan' | 'bypassPermissions' | 'dontAsk';

/** A parsed, validated agent definition (Claude Code's frontmatter + our extensions). */
export interface AgentDefinition {
  name: string;
  description: string;
  /** Markdown body of the agent file: the subagent's system prompt. */
  systemPrompt: string;
  /** Tool names as listed in `tools:`, in order; `undefined` means all tools. */
  tools?: string[];
  /** `tools:` exactly as written (for the `(Tools: …)` line shown to the parent model). */
  toolsText?: string;
  disallowedTools: string[];
  /** Model alias or id; `undefined` or `'inherit'` = the caller's model. */
  model?: string;
  permissionMode?: PermissionMode;
  maxTurns?: number;
  temperature?: number;
  maxTokens?: number;
  timeoutMs?: number;
  /** `false` pins the model: never replaced by a failover candidate (codex-task extension). */
  failover?: boolean;
  /** Claude Code fields we parse and keep but do not act on yet (skills, mcpServers, hooks, …). */
  accepted: Record<string, unknown>;
  /** Keys no one knows (kept so `agents show` can print them; warned about by validation). */
  unknown: Record<string, unknown>;
  scope: AgentScope;
  /** Absolute path of the agent file; absent for built-ins and agents given in code. */
  file?: string;
  /** sha256 of the file bytes (or of the JSON for code agents): identifies the exact definition that ran. */
  hash: string;
}

export interface AgentProblem {
  severity: 'error' | 'warning';
  /** A warning that lets the agent load but fails `agents validate` (e.g. `allowed-tools:`). */
  failsValidation?: true;
  file: string;
  line?: number;
  field?: string;
  message: string;
  hint?: string;
}
