/**
 * Git worktrees for tasks with `isolation: "worktree"` (Claude Code's): each is made on its own
 * branch `codex-task/<taskId>` from the HEAD of the checkout the task starts in, at
 * `<common git dir>/codex-task-worktrees/<taskId>` — inside the repository's `.git`, so it is in no
 * checkout's tracked tree, no `git status`, no Glob or Grep of the checkout, and it survives a
 * reboot (a kept worktree may hold the only copy of a task's work, which a temp-dir cleaner would
 * delete). Its record, `<taskId>.json`, sits beside it. git runs through execFile (no shell), with
 * a timeout and no hooks.
 */
export { type WorktreeChanges, worktreeChanges } from './changes.ts';
export { GIT_TIMEOUT_MS, GitError, git } from './git.ts';
export { BRANCH_PREFIX, type WorktreeRecord, worktreeName } from './records.ts';
export { type Repository, repositoryOf, WORKTREES_FOLDER, worktreesDir } from './repository.ts';
export {
  type CreatedWorktree,
  createWorktree,
  findWorktrees,
  type ListedWorktree,
  listWorktrees,
  type Removal,
  removeWorktree,
  worktreeAt,
} from './task-worktrees.ts';
