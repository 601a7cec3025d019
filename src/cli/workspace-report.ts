import type { TaskWorkspace } from '../engine/index.ts';

/**
 * What came back from a queued task's git workspace, in a line or three for `run`, `batch` and
 * `runs show`: its changes and where the patch is, the branch pushed, and what was not sent. Nothing
 * for a path workspace (the task changed the files where they are).
 */
export function workspaceLines(taskId: string, workspace: TaskWorkspace | undefined): string[] {
  if (workspace?.kind !== 'git') return [];
  const lines: string[] = [];
  if (!workspace.changed) lines.push('changes: none');
  else if (workspace.patch)
    lines.push(
      `changes: ${workspace.summary}; the patch is in the run record: codex-task runs show ${taskId} --patch | git apply`,
    );
  else lines.push(`changes: ${workspace.summary}; no patch: ${workspace.patchOmitted ?? 'none was made'}`);
  if (workspace.pushed)
    lines.push(
      `pushed: branch ${workspace.pushed.branch} (${workspace.pushed.commit.slice(0, 12)}) to ${workspace.remote}`,
    );
  if (workspace.pushFailed) lines.push(`push failed: ${workspace.pushFailed}`);
  if (workspace.notSent) lines.push(`warning: ${workspace.notSent}`);
  return lines;
}

/** A git task's patch as `git apply` takes it (`runs show --patch`), or why there is none. */
export function patchOf(
  taskId: string,
  workspace: (TaskWorkspace & { patchRedacted?: boolean }) | undefined,
): { patch: Buffer; warning?: string } | { problem: string; hint: string } {
  if (workspace?.kind !== 'git')
    return {
      problem: `Task ${taskId} has no patch: it did not run in a git workspace`,
      hint: 'Patches come from tasks queued with queue.workspace: git (CODEX_TASK_QUEUE_WORKSPACE=git).',
    };
  if (!workspace.patch)
    return {
      problem: `Task ${taskId} has no patch: ${workspace.changed ? (workspace.patchOmitted ?? 'none was kept') : 'it changed nothing'}`,
      hint: workspace.pushed
        ? `Its changes are on the branch ${workspace.pushed.branch} of ${workspace.remote}.`
        : 'Nothing to apply.',
    };
  return {
    patch: Buffer.from(workspace.patch.data, workspace.patch.encoding),
    ...(workspace.patchRedacted
      ? {
          warning: `warning: secrets in task ${taskId}'s patch were redacted in the run record, so it may not apply as it is${workspace.pushed ? `; the branch ${workspace.pushed.branch} has the changes` : ''}`,
        }
      : {}),
  };
}
