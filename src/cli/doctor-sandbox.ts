import { SANDBOX_DEFAULTS } from '../config/index.ts';
import { type SandboxMode, sandboxStatus, UNAVAILABLE_HINT } from '../sandbox/index.ts';

/** `doctor`'s sandbox line: the mode, whether bubblewrap is there and works, and what Bash does then. */
export function sandboxCheck(configured: SandboxMode | undefined) {
  const mode = configured ?? SANDBOX_DEFAULTS.mode;
  const { probe, bash } = sandboxStatus({ mode });
  const found = probe.bwrapPath ? `${probe.version || 'bwrap'} at ${probe.bwrapPath}` : 'bwrap not found';
  const sandbox = {
    mode,
    available: probe.bwrapPath !== undefined,
    working: probe.working,
    ...(probe.bwrapPath ? { bwrapPath: probe.bwrapPath } : {}),
    ...(probe.version ? { version: probe.version } : {}),
    ...(probe.reason ? { reason: probe.reason } : {}),
    bash,
  };
  const [status, detail, fix] =
    bash === 'sandboxed'
      ? (['ok', `${found} works; Bash runs sandboxed (mode ${mode})`] as const)
      : mode === 'off'
        ? ([
            'warn',
            `mode off: Bash runs without the OS sandbox (${probe.working ? `${found} works` : probe.reason})`,
            'Set sandbox.mode to "auto" (or remove it) in .codex-task/config.json, or unset CODEX_TASK_SANDBOX.',
          ] as const)
        : ([
            'warn',
            `mode ${mode}, and ${probe.reason}: Bash is refused (it runs only in the sandbox)`,
            UNAVAILABLE_HINT,
          ] as const);
  return { check: 'sandbox', status, detail, ...(fix ? { fix } : {}), sandbox };
}
