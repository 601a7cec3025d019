import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { useInProcessCli } from './cli-in-process-support.ts';
import { agentFile } from './support.ts';

// `codex-task completion`, in process: each script generated from the command tree (cli-completion
// drives the scripts in real shells).
const t = useInProcessCli();

/** The shell's own syntax check of a script (no execution), when that shell is installed. */
function syntaxError(shell: string, script: string): string | undefined {
  // fish reads no script from a pipe here, and exits 0 on a parse error with -c: its stderr tells.
  const checked =
    shell === 'fish'
      ? spawnSync(shell, ['--no-execute', '-c', script], { encoding: 'utf8', timeout: 10_000 })
      : spawnSync(shell, ['-n'], { input: script, encoding: 'utf8', timeout: 10_000 });
  if (checked.error) return undefined; // not installed here
  return checked.status === 0 && !checked.stderr ? undefined : checked.stderr || `exit ${checked.status}`;
}

describe('codex-task completion, in process', () => {
  it.each([
    ['bash', /complete -F _codex_task\S* codex-task/, "'run|--model') echo none"],
    ['zsh', /^#compdef codex-task$/m, "'--model:model override (alias, full id or provider:model)'"],
    ['fish', /^# codex-task completion for fish/m, "case 'run|--model'"],
  ])(
    '%s: a script naming every subcommand and the options of each, valid for the shell',
    async (shell, head, option) => {
      const run = await t.cli(['completion', shell], { cwd: await t.workspace() });
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toMatch(head);
      expect(run.stdout).toContain(option);
      for (const command of ['run', 'batch', 'agents', 'trust', 'doctor', 'install', 'proxy', 'runs'])
        expect(run.stdout).toContain(command);
      // Agent names come from the fast path at TAB time, not from the script.
      expect(run.stdout).toContain('completion --agent-names');
      expect(syntaxError(shell, run.stdout)).toBeUndefined();
    },
  );

  it('--agent-names prints the agents this directory sees, one a line (built-ins included)', async () => {
    const ws = await t.workspace({
      '.claude/agents/alpha.md': agentFile({ name: 'alpha', description: 'a' }),
      '.claude/agents/beta.md': agentFile({ name: 'beta', description: 'b' }),
    });
    const run = await t.cli(['completion', '--agent-names'], { cwd: ws });
    expect(run.code).toBe(0);
    const names = run.stdout.trim().split('\n');
    expect(names).toEqual(expect.arrayContaining(['alpha', 'beta', 'general-purpose']));
    expect(new Set(names).size).toBe(names.length);
  });

  it('refuses an unknown shell, or none, with a usage error (exit 2)', async () => {
    const ws = await t.workspace();
    const bad = await t.cli(['completion', 'tcsh'], { cwd: ws });
    expect(bad.code).toBe(2);
    const none = await t.cli(['completion']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('which shell?');
    expect(none.stderr).toContain('codex-task completion bash, codex-task completion zsh');
  });
});
