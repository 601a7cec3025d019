import { describe, expect, it } from 'vitest';
import type { TaskSummary } from './task-summary.ts';
import { type TreeNode, taskTree } from './task-tree.ts';

const summary = (id: string, extra: Partial<TaskSummary> = {}): TaskSummary => ({
  id,
  agentType: 'worker',
  description: id,
  status: 'completed',
  spawnDepth: 1,
  queuedAt: 0,
  turns: 1,
  toolUses: 0,
  inputTokens: 0,
  outputTokens: 0,
  costUsd: null,
  retries: 0,
  ...extra,
});

function source(tasks: TaskSummary[]) {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  return {
    get: (id: string) => byId.get(id),
    children: (id: string) => tasks.filter((t) => t.parentId === id),
    thread: (threadId: string) => tasks.filter((t) => t.callerThreadId === threadId && !t.parentId),
  };
}

const shape = (node: TreeNode): unknown => [node.id, ...node.children.map(shape)];

describe('taskTree', () => {
  it('climbs to the top task and grows the whole tree down from it', () => {
    const tasks = [
      summary('top'),
      summary('a', { parentId: 'top' }),
      summary('b', { parentId: 'top' }),
      summary('a1', { parentId: 'a' }),
    ];
    expect(shape(taskTree(source(tasks), 'a1')!.root)).toEqual(['top', ['a', ['a1']], ['b']]);
    expect(taskTree(source(tasks), 'missing')).toBeUndefined();
  });

  it('stops climbing at a parent it cannot find (pruned from the store), and at a cycle', () => {
    const orphan = [summary('child', { parentId: 'pruned' })];
    expect(taskTree(source(orphan), 'child')!.root.id).toBe('child');
    const cycle = [summary('x', { parentId: 'y' }), summary('y', { parentId: 'x' })];
    expect(taskTree(source(cycle), 'x')!.root.id).toBe('y');
  });

  it('puts the tasks of a client thread under it, and counts what it leaves out past the limit', () => {
    const tasks = [
      summary('t1', { callerThreadId: 'th' }),
      summary('t2', { callerThreadId: 'th' }),
      summary('t3', { callerThreadId: 'th' }),
      summary('c1', { parentId: 't1' }),
      summary('c2', { parentId: 't1' }),
    ];
    const full = taskTree(source(tasks), 'c2')!;
    expect(full.root).toMatchObject({ kind: 'thread', id: 'th' });
    expect(shape(full.root)).toEqual(['th', ['t1', ['c1'], ['c2']], ['t2'], ['t3']]);
    const cut = taskTree(source(tasks), 'c2', 2)!;
    expect(shape(cut.root)).toEqual(['th', ['t1', ['c1']]]);
    expect(cut.truncated).toBe(3); // c2, t2, t3
  });
});
