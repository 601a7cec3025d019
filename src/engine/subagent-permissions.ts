import type { AgentDefinition } from '../agents/index.ts';
import {
  type AgentPolicy,
  agentPolicy,
  type PermissionMode,
  type PermissionPolicy,
} from '../tools/policy/index.ts';
import type { TaskEventSink } from './task-events.ts';
import type { TaskEventBase } from './types.ts';

/**
 * Puts the permission policy in force for one subagent: its mode and checks, the warnings about
 * it said once per engine (`warned` remembers them), and a `task.permissions` event for the audit log.
 */
export function applyPermissions(p: {
  policy: PermissionPolicy;
  agent: AgentDefinition;
  workspaceRoot: string;
  warned: Set<string>;
  events: TaskEventSink;
  base: TaskEventBase;
  /** The mode of the subagent that started this one: this one runs no looser. */
  floor?: PermissionMode | undefined;
}): AgentPolicy {
  const applied = agentPolicy(p.policy, p.agent, p.workspaceRoot, p.floor);
  const warnings = [...p.policy.warnings, ...applied.warnings];
  for (const warning of warnings) {
    if (p.warned.has(warning)) continue;
    p.warned.add(warning);
    process.emitWarning(warning, 'PermissionWarning');
  }
  p.events.emit('task.permissions', {
    ...p.base,
    mode: applied.mode,
    warnings,
    sources: [...p.policy.sources],
  });
  return applied;
}
