import { spawnSync } from 'node:child_process';
import { isolationArgs } from './bwrap-args.ts';
import { findTrustedBinary } from './trusted-binary.ts';

/** Whether bubblewrap can sandbox commands on this machine, and if not, why. */
export interface SandboxProbe {
  /** The bwrap binary found (or the one configured), absent when there is none. */
  bwrapPath?: string;
  /** `bubblewrap 0.8.0`, when the binary answered. */
  version?: string;
  /** True when a trivial sandbox really started here (namespaces allowed). */
  working: boolean;
  /** Why it does not work, when it does not: what bwrap said, or that it is not installed. */
  reason?: string;
}

export const INSTALL_HINT =
  'Install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap; Arch: pacman -S bubblewrap) ' +
  'and make sure unprivileged user namespaces are allowed (sysctl kernel.unprivileged_userns_clone=1; on Ubuntu 24.04+ ' +
  'kernel.apparmor_restrict_unprivileged_userns=0), or set sandbox.mode to "off" to run Bash without it.';

/** What to do where the sandbox cannot work (macOS, containers that refuse user namespaces). */
export const UNAVAILABLE_HINT =
  `${process.platform === 'linux' ? INSTALL_HINT.replace(/, or set sandbox.mode.*$/, '. ') : 'There is no bubblewrap on this system. '}` +
  'To run Bash without the OS sandbox — protected only by the permission rules, with your files, keys and network in reach of every command — set `"sandbox": { "mode": "off" }` in ~/.codex-task/config.json, or CODEX_TASK_SANDBOX=off, or --sandbox off.';

const PROBE_TIMEOUT_MS = 5_000;
const probes = new Map<string, SandboxProbe>();

/** The `bwrap` the host may run (see findTrustedBinary: never one a sandboxed command could plant). */
export function findBwrap(path?: string): string | undefined {
  return findTrustedBinary('bwrap', path === undefined ? {} : { path });
}

/**
 * Finds bwrap and starts one sandbox with the isolation every command gets (`true` inside). Having
 * the binary is not enough: containers and hardened kernels often refuse the namespaces it needs, and
 * that must be known before a command runs. The answer is cached per binary for the process.
 */
export function probeBubblewrap(options: { bwrapPath?: string } = {}): SandboxProbe {
  const bwrapPath = options.bwrapPath ?? findBwrap();
  const key = bwrapPath ?? '';
  let probe = probes.get(key);
  if (!probe) {
    probe = runProbe(bwrapPath);
    probes.set(key, probe);
  }
  return probe;
}

function runProbe(bwrapPath: string | undefined): SandboxProbe {
  if (!bwrapPath && process.platform !== 'linux')
    return { working: false, reason: `bubblewrap runs on Linux only (this is ${process.platform})` };
  if (!bwrapPath)
    return {
      working: false,
      reason:
        'bubblewrap (bwrap) is not installed (not found in the system directories, nor on PATH outside the project)',
    };
  const version = spawnSync(bwrapPath, ['--version'], { encoding: 'utf8', timeout: PROBE_TIMEOUT_MS });
  if (version.error) {
    const code = (version.error as NodeJS.ErrnoException).code;
    return {
      bwrapPath,
      working: false,
      reason:
        code === 'ENOENT'
          ? `${bwrapPath} does not exist`
          : `${bwrapPath} cannot run: ${version.error.message}`,
    };
  }
  const found = { bwrapPath, version: version.stdout.trim() || version.stderr.trim() };
  const run = spawnSync(
    bwrapPath,
    [...isolationArgs({ network: false }), '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', 'true'],
    { encoding: 'utf8', timeout: PROBE_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (run.status === 0) return { ...found, working: true };
  const said = run.stderr.trim() || run.error?.message || `exit code ${run.status ?? run.signal}`;
  return { ...found, working: false, reason: `bwrap cannot create a sandbox here: ${said}` };
}
