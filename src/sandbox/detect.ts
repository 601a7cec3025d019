import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { isolationArgs } from './bwrap-args.ts';

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

const PROBE_TIMEOUT_MS = 5_000;
const probes = new Map<string, SandboxProbe>();

/** The first executable `bwrap` on PATH. */
export function findBwrap(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, 'bwrap');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
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
    return { working: false, reason: 'bubblewrap (bwrap) is not installed (not found on PATH)' };
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
