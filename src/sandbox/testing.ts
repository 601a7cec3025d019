import { probeBubblewrap } from './detect.ts';

/**
 * Why the tests that need a working bubblewrap cannot run on this machine, or `undefined` when they
 * can. The reason is printed when there is one, and callers put it in their describe title: a
 * machine without user namespaces skips these tests visibly, never silently.
 */
export function sandboxSkipReason(): string | undefined {
  const probe = probeBubblewrap();
  if (probe.working) return undefined;
  const reason = `no working bubblewrap here: ${probe.reason}`;
  console.warn(`SKIPPING the OS sandbox tests: ${reason}`);
  return reason;
}
