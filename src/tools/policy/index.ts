/**
 * The permission policy: Claude Code's permission rules (settings files and our config), the
 * secret deny list and permission modes, decided per tool call before any tool runs.
 */
export { type AgentPolicy, agentPolicy } from './agent-policy.ts';
export { analyzeBash, type BashAnalysis, type SimpleCommand } from './bash-commands.ts';
export type { PolicyDecision } from './decide.ts';
export {
  loadPermissionPolicy,
  PERMISSION_MODES,
  PermissionConfigError,
  type PermissionMode,
  type PermissionPolicy,
  type PermissionPolicyOptions,
  projectAllowTrustItems,
  stricterMode,
} from './permission-policy.ts';
export { PermissionPolicyCache, POLICY_RECHECK_MS } from './policy-cache.ts';
export { parseRule, type RuleBehavior } from './rule-syntax.ts';
