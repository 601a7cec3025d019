import type { TaskSource } from './task-source.ts';
import type { TaskSummary } from './task-summary.ts';

export interface TreeNode {
  /** A task, or the client conversation (Codex's thread) the top tasks came from. */
  kind: 'task' | 'thread';
  id: string;
  task?: TaskSummary;
  children: TreeNode[];
}

export interface TaskTree {
  root: TreeNode;
  /** Nodes left out past the limit (a huge fan-out). */
  truncated: number;
}

/**
 * The whole tree a task belongs to: up to its top task, then that task's thread when a client
 * (Codex through MCP or the proxy) started it, then down through every subagent. Bounded: a fan-out
 * of thousands shows its first `maxNodes` tasks.
 */
export function taskTree(
  source: Pick<TaskSource, 'get' | 'children' | 'thread'>,
  id: string,
  maxNodes = 500,
): TaskTree | undefined {
  let top = source.get(id);
  if (!top) return undefined;
  const seen = new Set<string>([top.id]);
  while (top.parentId && !seen.has(top.parentId)) {
    const parent = source.get(top.parentId);
    if (!parent) break;
    seen.add(parent.id);
    top = parent;
  }
  let budget = maxNodes;
  let truncated = 0;
  const grow = (task: TaskSummary): TreeNode => {
    budget -= 1;
    const node: TreeNode = { kind: 'task', id: task.id, task, children: [] };
    for (const child of source.children(task.id)) {
      if (budget <= 0) truncated += 1;
      else node.children.push(grow(child));
    }
    return node;
  };
  const threadId = top.callerThreadId;
  if (!threadId) return { root: grow(top), truncated };
  const root: TreeNode = { kind: 'thread', id: threadId, children: [] };
  for (const task of source.thread(threadId)) {
    if (budget <= 0) truncated += 1;
    else root.children.push(grow(task));
  }
  return { root, truncated };
}
