import { execFileSync } from 'node:child_process';
import { describe, it } from 'vitest';
import { probeBubblewrap, type SandboxProbe } from './detect.ts';

/**
 * Whether the tests that need a working bubblewrap run here, in one place for every test file:
 * - bubblewrap works: they run;
 * - it does not, locally: they are skipped, with the reason printed and put in their title;
 * - it does not, in CI (`CI` set, not `false`/`0`): they FAIL, saying why. A CI machine where the
 *   sandbox cannot start would otherwise pass green with none of its escape tests run.
 */
export type SandboxTestStatus = { run: true } | { run: false; ci: boolean; reason: string };

export function sandboxTestStatus(
  env: NodeJS.ProcessEnv = process.env,
  probe: SandboxProbe = probeBubblewrap(),
): SandboxTestStatus {
  if (probe.working) return { run: true };
  return { run: false, ci: inCi(env), reason: `no working bubblewrap here: ${probe.reason}` };
}

export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}

/** What a CI run without a working sandbox fails with. */
export function ciSandboxFailure(reason: string): string {
  return (
    `CI is set, and the OS sandbox tests cannot run: ${reason}. In CI they must run, not skip: ` +
    'install bubblewrap and allow unprivileged user namespaces on this runner (see INSTALL_HINT in src/sandbox/detect.ts), or unset CI to skip them locally.'
  );
}

/**
 * `describe` for tests that need bubblewrap: runs them, skips them visibly (locally), or replaces
 * them with one failing test (in CI), per sandboxTestStatus.
 */
export function describeWithSandbox(title: string, body: () => void): void {
  const status = sandboxTestStatus();
  if (status.run) {
    describe(title, body);
  } else if (status.ci) {
    describe(title, () => {
      it('needs a working bubblewrap in CI', () => {
        throw new Error(ciSandboxFailure(status.reason));
      });
    });
  } else {
    console.warn(`SKIPPING the OS sandbox tests "${title}": ${status.reason}`);
    describe.skip(`${title} (SKIPPED: ${status.reason})`, body);
  }
}

/**
 * The older form, for callers that use `describe.skipIf(reason)`: the reason to skip locally,
 * `undefined` when the tests can run; in CI, where they must run, it throws instead (the test file
 * fails to load, with the reason) rather than hand back a reason to skip.
 */
export function sandboxSkipReason(
  env: NodeJS.ProcessEnv = process.env,
  probe: SandboxProbe = probeBubblewrap(),
): string | undefined {
  const status = sandboxTestStatus(env, probe);
  if (status.run) return undefined;
  if (status.ci) throw new Error(ciSandboxFailure(status.reason));
  console.warn(`SKIPPING the OS sandbox tests: ${status.reason}`);
  return status.reason;
}

/** The environment for a test's own `git commit` on the host: a fixed identity, nothing from the machine's config. */
export const GIT_TEST_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'n',
  GIT_AUTHOR_EMAIL: 'a@b.c',
  GIT_COMMITTER_NAME: 'n',
  GIT_COMMITTER_EMAIL: 'a@b.c',
};

/** Runs git on the host for a test: a fixed identity, local submodules allowed; its output as text. */
export function testGit(cwd: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.email=a@b.c', '-c', 'user.name=n', '-c', 'protocol.file.allow=always', ...args],
    { cwd, stdio: 'pipe', encoding: 'utf8' },
  );
}
