import type { HiddenPath } from './hidden-paths.ts';
import type { ProtectedMounts } from './protected-paths.ts';

/** What one sandboxed command may see and touch. */
export interface SandboxSpec {
  /** Real path of the workspace: the one place commands may write (besides their private /tmp). */
  workspaceRoot: string;
  /** Home directory: visible read-only (git and npm read their config there), secrets hidden. */
  homeDir: string | undefined;
  network: boolean;
  /** Existing paths to hide, each with its kind (see resolveHiddenPaths). */
  hidden: readonly HiddenPath[];
  /** The workspace's control files, kept read-only (see protectPaths). */
  protected?: ProtectedMounts;
  /** Its repository's git directories outside it (gitDirsOutside), shown read-only. */
  gitDirs?: readonly string[];
  /** Directories masked whole before the git directories and the workspace are bound again inside them. */
  masked?: readonly string[];
  /** Inside a git directory shown again: masked after it, before the workspace (its siblings' folder). */
  siblingsMasked?: readonly string[];
}

/**
 * Namespaces and privileges, the same for every command (and the availability probe):
 * - a PID namespace with bwrap as its init, so the command's processes die with it: killing bwrap
 *   (or the process that started it: --die-with-parent) ends every process inside;
 * - no network namespace only when the permissions allow network (an empty one has just loopback);
 * - --cap-drop ALL because bwrap started by root keeps root's capabilities inside by default, and
 *   with CAP_SYS_ADMIN a command could simply remount / read-write;
 * - no --new-session: the command stays in the process group Bash kills, and it has no terminal to
 *   inject keystrokes into (stdin is closed and the group is detached from any tty).
 */
export function isolationArgs(options: { network: boolean }): string[] {
  return [
    '--unshare-pid',
    '--unshare-ipc',
    ...(options.network ? [] : ['--unshare-net']),
    '--die-with-parent',
    '--cap-drop',
    'ALL',
  ];
}

/**
 * The bwrap arguments (before the command) for one command. Mounts apply in order, so a later one
 * covers an earlier one: read-only root, fresh /dev and /proc, a private /tmp, the home directory
 * read-only again (it may live under /tmp), the workspace writable, directories pinned (the parents
 * of its protected and hidden paths), its protected paths read-only, then the hidden paths on top.
 * Its repository's git directories outside it come read-only just before the workspace.
 * `-try`: a protected path another command removes in the meantime must not make this one fail.
 */
export function bwrapArgs(spec: SandboxSpec): string[] {
  const args = [
    ...isolationArgs({ network: spec.network }),
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    '--tmpfs',
    '/tmp',
  ];
  if (spec.homeDir && spec.homeDir !== '/') args.push('--ro-bind-try', spec.homeDir, spec.homeDir);
  // An empty tmpfs anyone may cross (0755): the git directories and the workspace are mounted
  // into it below, and a task must be able to walk down to them.
  for (const dir of spec.masked ?? []) args.push('--tmpfs', dir);
  // Before the workspace, which may lie inside one of them (a task's worktree in `.git`).
  for (const dir of spec.gitDirs ?? []) args.push('--ro-bind-try', dir, dir);
  for (const dir of spec.siblingsMasked ?? []) args.push('--tmpfs', dir);
  args.push('--bind', spec.workspaceRoot, spec.workspaceRoot);
  for (const dir of spec.protected?.pinned ?? []) args.push('--bind-try', dir, dir);
  for (const path of spec.protected?.readOnly ?? []) args.push('--ro-bind-try', path, path);
  for (const path of spec.protected?.placeholders ?? []) args.push('--tmpfs', path, '--remount-ro', path);
  for (const { path, kind } of spec.hidden) {
    // An empty tmpfs nobody may enter over a directory; an unreadable, unwritable device over
    // anything else (bwrap mounts binds nodev, so even /dev/null cannot be opened there).
    if (kind === 'directory') args.push('--perms', '0000', '--tmpfs', path);
    else args.push('--ro-bind', '/dev/null', path);
  }
  args.push('--chdir', spec.workspaceRoot);
  return args;
}
