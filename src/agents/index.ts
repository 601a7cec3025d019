/**
 * Agent definitions: Claude Code's `.claude/agents/*.md` files (plus agents given in code and the
 * built-ins), parsed, validated, discovered with Claude Code's precedence, and kept current.
 */
export { compareAgentNames, formatAgentList, toolsDescription } from './agent-list.ts';
export {
  type AgentFileChange,
  AgentRegistry,
  type AgentRegistryOptions,
  DEFAULT_RESCAN_INTERVAL_MS,
} from './agent-registry.ts';
export { looksLikeModelId } from './build-definition.ts';
export { BUILTIN_AGENTS, DEFAULT_AGENT_TYPE } from './builtin-agents.ts';
export { type AgentInput, agentInputsFromRecord, parseAgentInput } from './code-agents.ts';
export {
  type AgentDirectory,
  agentDirectories,
  agentOrigin,
  isDirectory,
  listAgentFiles,
  mergeAgents,
  projectDirectories,
  type ShadowedAgent,
} from './discover.ts';
export { effectiveTools, subagentTypeRules } from './effective-tools.ts';
export { ACCEPTED_FIELDS, KNOWN_FIELDS, MODEL_ALIASES, PERMISSION_MODES } from './field-schemas.ts';
export { type FrontmatterSplit, normaliseText, splitFrontmatter } from './frontmatter.ts';
export {
  parseFrontmatterYaml,
  quoteProblematicValues,
  type YamlFields,
  type YamlResult,
} from './frontmatter-yaml.ts';
export { DEFAULT_KNOWN_TOOLS, grantedAs, type KnownTools, TASK_LIST_TOOLS } from './known-tools.ts';
export { configuredMcpServers, mcpToolProblems } from './mcp-tools.ts';
export {
  type AgentParseOptions,
  type ParseResult,
  parseAgentFile,
  parseAgentSource,
} from './parse-agent-file.ts';
export type { ScannedAgentFile, SkippedAgentFile } from './skipped-files.ts';
export { didYouMean, nearest } from './suggest.ts';
export { toolEntries } from './tool-list.ts';
export type { AgentDefinition, AgentProblem, AgentScope, PermissionMode } from './types.ts';
export {
  classifyProblems,
  registryReport,
  summarizeReport,
  type ValidateOptions,
  type ValidationReport,
  validateAgentPaths,
} from './validate.ts';
