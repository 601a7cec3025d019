/**
 * The OS sandbox Bash commands run in: bubblewrap (`bwrap`), called directly.
 *
 * Why bwrap and not `@anthropic-ai/sandbox-runtime` (evaluated, v0.0.78): that package installs from
 * npm, but on Linux it refuses to start without `socat` (and wants ripgrep) from the system package
 * manager, on top of bwrap itself — so it does not work from npm alone; with socat installed it ran,
 * at about 0.35 s per command through its CLI. What it adds — domain allow-lists through its own
 * HTTP/SOCKS proxies, a seccomp helper for Unix sockets — is policy we keep in `tools/policy` and
 * WebFetch. Here we need the mounts and namespaces only, which bwrap gives in a few milliseconds.
 */

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { DEFAULT_PROTECTED_PATHS, SANDBOX_DEFAULTS } from '../config/index.ts';
import { ToolDeniedError } from '../errors/index.ts';
import { bwrapArgs, type SandboxSpec } from './bwrap-args.ts';
import { ControlWalkError } from './control-links.ts';
import { probeBubblewrap, type SandboxProbe, UNAVAILABLE_HINT } from './detect.ts';
import { gitDirsOutside } from './git-control.ts';
import {
  defaultSecretPaths,
  hiddenParents,
  refuseOverMountLimit,
  resolveHiddenPaths,
} from './hidden-paths.ts';
import {
  ControlLinkError,
  type ProtectedPath,
  protectedPaths,
  protectPaths,
  restoreProtected,
} from './protected-paths.ts';
import { sandboxEnv } from './sandbox-env.ts';

export { bwrapArgs, type SandboxSpec } from './bwrap-args.ts';
export {
  ControlWalkError,
  controlLinkTargets,
  followLink,
  type LinkTarget,
  type ResolvedPath,
  resolveLinks,
} from './control-links.ts';
export { findBwrap, INSTALL_HINT, probeBubblewrap, type SandboxProbe, UNAVAILABLE_HINT } from './detect.ts';
export { type GitControlPath, gitControlPaths, gitDirsOutside } from './git-control.ts';
export {
  defaultSecretPaths,
  type HiddenPath,
  hiddenParents,
  MAX_HIDDEN_MOUNTS,
  resolveHiddenPaths,
} from './hidden-paths.ts';
export { ControlLinkError, type ProtectedPath, protectedPaths } from './protected-paths.ts';
export { sandboxEnv } from './sandbox-env.ts';
export { findTrustedBinary, SYSTEM_BIN_DIRS } from './trusted-binary.ts';

/**
 * `auto` (default) and `require`: Bash runs in the sandbox, and is refused where the sandbox cannot
 * work (macOS, no bubblewrap, user namespaces refused) — the safe choice, since without it only the
 * permission rules stand between a command and your files, keys and network. `off` (the user's own
 * config, env or flag only): Bash runs without it. `require` is what a project may set, and it wins
 * over a user's `off`.
 */
export type SandboxMode = 'auto' | 'require' | 'off';
export const SANDBOX_MODES: readonly SandboxMode[] = ['auto', 'require', 'off'];

export interface SandboxSettings {
  mode: SandboxMode;
  /** The bwrap binary, instead of the first on PATH (tests point it at a missing file). */
  bwrapPath?: string;
  /** The home shown read-only, where default secrets are hidden, and `$HOME` inside; os.homedir() when omitted. */
  homeDir?: string;
  /** More environment variables to remove inside (the providers' `apiKeyEnv`), besides SANDBOX_DEFAULTS'. */
  hiddenEnv?: readonly string[];
  /**
   * Directories masked whole (a queue worker's caches of other clients' repositories), but for the
   * workspace itself (writable) and its repository's git directories (read-only) when inside one.
   */
  privateRoots?: readonly string[];
}

export const DEFAULT_SANDBOX_SETTINGS: SandboxSettings = Object.freeze({ mode: SANDBOX_DEFAULTS.mode });

export interface SandboxRequest {
  workspaceRoot: string;
  network: boolean;
  /** Paths the permission policy hides; `undefined` (no policy) hides the default secret locations. */
  hiddenPaths: readonly string[] | undefined;
}

/** How to start one command in the sandbox: this argv before `bash -c …`, with this environment. */
export interface SandboxLaunch {
  prefix: string[];
  env: NodeJS.ProcessEnv;
  /**
   * Call once the command has ended (always, also after a timeout or a cancel): removes the
   * protected paths it created, and says so, one line each, for its output.
   */
  restore(): string[];
}

/** What `doctor` reports: the mode and what it means on this machine. */
export interface SandboxStatus {
  mode: SandboxMode;
  probe: SandboxProbe;
  /** What Bash does here: run sandboxed, run without the sandbox, or refuse to run. */
  bash: 'sandboxed' | 'unsandboxed' | 'refused';
}

export function sandboxStatus(settings: SandboxSettings): SandboxStatus {
  const probe = probeBubblewrap(settings.bwrapPath ? { bwrapPath: settings.bwrapPath } : {});
  const bash = settings.mode === 'off' ? 'unsandboxed' : probe.working ? 'sandboxed' : 'refused';
  return { mode: settings.mode, probe, bash };
}

/**
 * The masks of the private roots that exist, and, when the workspace is a worktree whose git
 * directory was shown again inside one, the folder holding it beside its siblings (other tasks'
 * worktrees of the same cache), masked again so that only the workspace comes back into it.
 */
function privateMasks(
  roots: readonly string[],
  workspaceRoot: string,
  gitDirs: readonly string[],
): Pick<SandboxSpec, 'masked' | 'siblingsMasked'> {
  const masked = resolveHiddenPaths(roots)
    .filter((p) => p.kind === 'directory')
    .map((p) => p.path);
  if (masked.length === 0) return {};
  const inside = (p: string, dir: string) => p.startsWith(dir + sep);
  let top = workspaceRoot;
  while (!existsSync(join(top, '.git')) && dirname(top) !== top) top = dirname(top);
  const holder = dirname(top);
  const shownAgain = gitDirs.some((dir) => inside(holder, dir));
  return {
    masked,
    ...(shownAgain && masked.some((dir) => inside(holder, dir)) ? { siblingsMasked: [holder] } : {}),
  };
}

/**
 * How to launch a Bash command under `settings`: a bwrap prefix, or `undefined` to run it as is
 * (mode `off`). Where bwrap does not work, modes `auto` and `require` throw a ToolDeniedError saying
 * why, how to get the sandbox, and how to choose running without it.
 */
export function sandboxLaunch(
  settings: SandboxSettings,
  request: SandboxRequest,
  env: NodeJS.ProcessEnv = process.env,
): SandboxLaunch | undefined {
  if (settings.mode === 'off') return undefined;
  const probe = probeBubblewrap(settings.bwrapPath ? { bwrapPath: settings.bwrapPath } : {});
  if (!probe.working || !probe.bwrapPath) {
    throw new ToolDeniedError(
      `Bash runs only inside the OS sandbox (sandbox.mode is "${settings.mode}"), and the sandbox is unavailable here: ${probe.reason}.`,
      UNAVAILABLE_HINT,
    );
  }
  const homeDir = settings.homeDir ?? homedir();
  const root = request.workspaceRoot;
  // Decided afresh for every command: what an earlier one renamed, moved or made is seen again.
  const hidden = resolveHiddenPaths([
    ...(request.hiddenPaths ?? defaultSecretPaths(homeDir)),
    ...SANDBOX_DEFAULTS.alwaysHidden,
  ]);
  const parents = hiddenParents(root, hidden);
  refuseOverMountLimit(root, hidden, parents);
  let controls: ProtectedPath[];
  try {
    controls = protectedPaths(root, DEFAULT_PROTECTED_PATHS);
  } catch (error) {
    if (!(error instanceof ControlWalkError)) throw error;
    throw new ToolDeniedError(
      `Bash cannot run in the sandbox: ${error.message}, too many to search for symlinks that would make other files control files. Nothing was run.`,
      "Remove what does not belong in those directories (.claude, .codex, .codex-task, .git, the git hook managers' .husky, .lefthook…), or run the task in a smaller workspace.",
    );
  }
  let protection: ReturnType<typeof protectPaths>;
  try {
    protection = protectPaths(root, controls);
  } catch (error) {
    if (!(error instanceof ControlLinkError)) throw error;
    throw new ToolDeniedError(
      `Bash cannot run in the sandbox: ${error.message}, and a command could replace ${error.links.length === 1 ? 'that symlink' : 'those symlinks'} to change what the host reads there. Nothing was run.`,
      error.hint,
    );
  }
  const { mounts, snapshot } = protection;
  // Under a read-only protected directory nothing can be renamed anyway.
  const underReadOnly = (dir: string) => mounts.readOnly.some((ro) => dir === ro || dir.startsWith(ro + sep));
  const pinned = [...new Set([...mounts.pinned, ...parents.filter((dir) => !underReadOnly(dir))])].sort(
    (a, b) => a.split(sep).length - b.split(sep).length || (a < b ? -1 : 1),
  );
  const gitDirs = gitDirsOutside(root);
  const args = bwrapArgs({
    workspaceRoot: root,
    homeDir,
    network: request.network,
    hidden,
    protected: { ...mounts, pinned },
    gitDirs,
    ...privateMasks(settings.privateRoots ?? [], root, gitDirs),
  });
  let restored: string[] | undefined;
  return {
    prefix: [probe.bwrapPath, ...args],
    env: sandboxEnv(env, { ...SANDBOX_DEFAULTS.cacheEnv, HOME: homeDir }, settings.hiddenEnv),
    restore: () => {
      restored ??= restoreProtected(snapshot);
      return restored;
    },
  };
}
