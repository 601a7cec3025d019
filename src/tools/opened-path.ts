import { ToolDeniedError } from '../errors/index.ts';
import type { ToolPermissions } from './permissions.ts';

/**
 * The policy checked the path a call named; between that check and the open, a concurrent Bash
 * call can swap a symlink so the same name leads to a secret or a control file. So the file a
 * descriptor really opened is checked again: what is read (Read, and Edit before it writes) is
 * never hidden, and what is written never protected.
 */
export function recheckOpenedPath(
  realPath: string,
  displayPath: string,
  purpose: 'read' | 'edit' | 'write',
  permissions: ToolPermissions | undefined,
): void {
  if (purpose !== 'write' && permissions?.hidesPath?.(realPath)) {
    throw new ToolDeniedError(
      `${displayPath} leads to ${realPath}, which the permission policy hides (a secret or a Read deny rule); refused.`,
      'Secrets are never read or changed by subagents; do not point paths at them.',
    );
  }
  if (purpose !== 'read' && permissions?.protectsPath?.(realPath)) {
    throw new ToolDeniedError(
      `${displayPath} leads to ${realPath}, a secret or a protected control path (settings, agents, MCP servers, git's directory, or what one of them links to); refused.`,
      'Do not change it; report the change you wanted instead.',
    );
  }
}
