import { existsSync } from 'node:fs';
import { sep } from 'node:path';
import type { AgentDefinition } from '../agents/index.ts';
import { WorktreeUnavailableError } from '../errors/index.ts';
import type { ToolPermissions } from '../tools/index.ts';
import {
  createWorktree,
  removeWorktree,
  WORKTREES_FOLDER,
  type WorktreeRecord,
  worktreeAt,
  worktreeChanges,
} from '../worktree/index.ts';
import type { InheritedLimits, TaskInput, TaskWorktree } from './types.ts';

/** Bound on looking at (and removing) a worktree once its task has ended, whose own signal may have fired. */
const CLOSE_TIMEOUT_MS = 60_000;

/** A task working in a worktree of its own. */
export interface Isolation {
  /** Where the subagent works: its directory inside the worktree. */
  cwd: string;
  /** The directory it would have worked in: its secrets stay hidden from the worktree's sandbox too. */
  checkout: string;
  /** After the run: what changed. An unchanged worktree is removed with its branch; a changed one stays. */
  close(): Promise<TaskWorktree>;
}

/** Claude Code's `isolation: "worktree"`, from the Task input or the agent file. */
export function wantsWorktree(input: TaskInput, agent: AgentDefinition): boolean {
  return input.isolation === 'worktree' || agent.accepted.isolation === 'worktree';
}

/**
 * Puts a task in its worktree, when it asks for one: a new one from the HEAD of the repository
 * `cwd` is in (throws a WorktreeUnavailableError where there is none), or, for a follow-up
 * (SendMessage) of a task whose worktree was kept, that same worktree again.
 */
export async function isolateTask(p: {
  input: TaskInput;
  agent: AgentDefinition;
  cwd: string;
  taskId: string;
  description: string;
  continuing: boolean;
  signal: AbortSignal;
}): Promise<Isolation | undefined> {
  if (p.continuing) {
    if (!existsSync(p.cwd) && p.cwd.includes(`${sep}${WORKTREES_FOLDER}${sep}`))
      throw new WorktreeUnavailableError(
        p.cwd,
        'the worktree this task worked in has been removed',
        'Start a new task: this conversation cannot go on without its files (codex-task worktrees list shows the worktrees still kept).',
      );
    const kept = await worktreeAt(p.cwd);
    if (kept) return isolation(kept.commonDir, kept.record, p.cwd, kept.record.checkout);
  }
  if (!wantsWorktree(p.input, p.agent)) return undefined;
  const made = await createWorktree({
    cwd: p.cwd,
    taskId: p.taskId,
    agentType: p.agent.name,
    description: p.description,
    signal: p.signal,
  });
  return isolation(made.commonDir, made.record, made.workdir, p.cwd);
}

function isolation(commonDir: string, record: WorktreeRecord, cwd: string, checkout: string): Isolation {
  return {
    cwd,
    checkout,
    async close() {
      const signal = AbortSignal.timeout(CLOSE_TIMEOUT_MS);
      const report = { path: record.path, branch: record.branch, base: record.base };
      let summary: string;
      try {
        const changes = await worktreeChanges(record.path, record.base, signal);
        if (changes.changed) return { ...report, changed: true, kept: true, summary: changes.summary };
        summary = changes.summary;
      } catch (error) {
        // Kept: what cannot be looked at may hold work.
        return { ...report, changed: true, kept: true, summary: `not looked at: ${messageOf(error)}` };
      }
      // Nothing to lose (no change, no commit): removed even if the checkout's HEAD moved meanwhile.
      const removal = await removeWorktree(commonDir, record, { force: true, signal }).catch((error) => ({
        removed: false as const,
        reason: messageOf(error),
      }));
      return removal.removed
        ? { ...report, changed: false, kept: false, summary }
        : { ...report, changed: false, kept: true, summary: `${summary}; not removed: ${removal.reason}` };
    },
  };
}

/** The checkouts whose secrets a run hides: its ancestors' (worktree-isolated ones'), and its own worktree's. */
export function checkoutsOf(
  inherited: InheritedLimits | undefined,
  isolation: Isolation | undefined,
): { checkouts?: readonly string[] } {
  const checkouts = [...(inherited?.checkouts ?? []), ...(isolation ? [isolation.checkout] : [])];
  return checkouts.length > 0 ? { checkouts: [...new Set(checkouts)] } : {};
}

/**
 * A subagent's tool permissions with the secrets of its worktree's checkouts hidden as well: a
 * checkout lies outside the worktree, readable to sandboxed Bash like the rest of the disk, and its
 * `.env` must stay as hidden as it is from a task working there. Read afresh for each command, as
 * the worktree's own are.
 */
export function hidingCheckoutSecrets(
  own: ToolPermissions,
  checkouts: readonly ToolPermissions[],
): ToolPermissions {
  return {
    allowsPrivateHost: (host) => own.allowsPrivateHost(host),
    get bashNetwork() {
      return own.bashNetwork;
    },
    get hiddenPaths() {
      return [...new Set([...own.hiddenPaths, ...checkouts.flatMap((c) => c.hiddenPaths)])];
    },
    findHiddenPaths: async (signal) => {
      const found: string[] = [];
      // One after the other: each search already takes turns with the event loop.
      for (const p of [own, ...checkouts])
        found.push(...(await (p.findHiddenPaths?.(signal) ?? p.hiddenPaths)));
      return [...new Set(found)];
    },
    ...(own.hidesPath ? { hidesPath: own.hidesPath } : {}),
    ...(own.protectsPath ? { protectsPath: own.protectsPath } : {}),
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
