import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentPolicy, loadPermissionPolicy } from './index.ts';

/**
 * Wrappers, shells, builtins and options that change what a Bash command runs or where it writes,
 * decided by the real policy over a temporary workspace: the decision and the reason the agent reads.
 */
let home: string;
let ws: string;

beforeEach(async () => {
  const base = await realpath(await mkdtemp(path.join(tmpdir(), 'codex-task-bash-forms-')));
  home = path.join(base, 'home');
  ws = path.join(base, 'ws');
  await mkdir(path.join(ws, '.git'), { recursive: true });
  await mkdir(home, { recursive: true });
});
afterEach(() => rm(path.dirname(home), { recursive: true, force: true }));

async function decide(allow: string[], command: string) {
  const policy = agentPolicy(
    loadPermissionPolicy({ cwd: ws, homeDir: home, config: { allow } }),
    { name: 'a' },
    ws,
  );
  return policy.check('Bash', { command });
}

const CANNOT = (why: string) => `Bash denied: ${why}, so the permission rules cannot be checked.`;

describe('wrappers: what they run is what the rules see', () => {
  const allow = ['Bash(npm test:*)'];

  it('`env --` and `nice -N` end their own options: the command after them is checked', async () => {
    expect(await decide(allow, 'env -- npm test')).toMatchObject({
      decision: 'allowed',
      rule: 'Bash(npm test:*)',
    });
    expect(await decide(allow, 'nice -5 npm test')).toMatchObject({
      decision: 'allowed',
      rule: 'Bash(npm test:*)',
    });
    for (const command of ['env -- curl x', 'nice -5 curl x']) {
      const d = await decide(allow, command);
      expect(d.decision, command).toBe('denied');
      expect(d.reason, command).toMatch(/^Bash denied: `curl x` is not covered by an allow rule/);
    }
  });

  it('`env PATH=…` changes which program runs: refused, naming the variable', async () => {
    expect(await decide(allow, 'env PATH=/tmp/evil npm test')).toMatchObject({
      decision: 'denied',
      reason: CANNOT('it sets PATH, which changes what the command runs'),
    });
  });

  it('`env -S` with quotes splits at run time: refused; plain words are the command', async () => {
    expect(await decide(allow, `env -S 'npm "test"'`)).toMatchObject({
      decision: 'denied',
      reason: CANNOT('`env -S` runs a command computed when it runs'),
    });
    expect((await decide(allow, `env -S 'npm test'`)).decision).toBe('allowed');
  });
});

describe('shells: the script they run is checked', () => {
  it('options before `-c` (`-O extglob`, `--rcfile x`) do not hide the script', async () => {
    const allow = ['Bash(bash:*)', 'Bash(npm test:*)'];
    expect((await decide(allow, "bash -O extglob -c 'npm test'")).decision).toBe('allowed');
    for (const command of ["bash -O extglob -c 'curl x'", "bash --rcfile x -c 'curl x'"]) {
      const d = await decide(allow, command);
      expect(d.decision, command).toBe('denied');
      expect(d.reason, command).toMatch(/^Bash denied: `curl x` is not covered by an allow rule/);
    }
  });

  it('a script file (`sh -- file`, `sh < file`) is run by the rule naming the shell; `sh -` reads its input', async () => {
    const allow = ['Bash(sh:*)'];
    expect(await decide(allow, 'sh -- script.sh')).toMatchObject({ decision: 'allowed', rule: 'Bash(sh:*)' });
    expect(await decide(allow, 'sh < script.sh')).toMatchObject({ decision: 'allowed', rule: 'Bash(sh:*)' });
    expect(await decide(allow, 'echo x | sh -')).toMatchObject({
      decision: 'denied',
      reason: CANNOT('`sh` runs commands it reads from its standard input'),
    });
    // A here-string is text the policy can read: checked as a command.
    const d = await decide(allow, "sh <<< 'curl x'");
    expect(d.decision).toBe('denied');
    expect(d.reason).toMatch(/^Bash denied: `curl x` is not covered by an allow rule/);
  });
});

describe('builtins and programs that run or evaluate their operands', () => {
  it('`watch` runs its operands as a command, after its options and `--`', async () => {
    const allow = ['Bash(watch:*)', 'Bash(npm test:*)'];
    for (const command of ['watch -n 1 -- npm test', 'watch --interval 2 -d npm test'])
      expect((await decide(allow, command)).decision, command).toBe('allowed');
    for (const command of ["watch -n 1 'curl x'", 'watch -- curl x']) {
      const d = await decide(allow, command);
      expect(d.decision, command).toBe('denied');
      expect(d.reason, command).toMatch(/^Bash denied: `curl x` is not covered by an allow rule/);
    }
  });

  it('`find -exec` with a computed command is refused; `declare "x=$(…)"` stores code for later', async () => {
    const allow = ['Bash(find:*)', 'Bash(declare:*)', 'Bash(npm test:*)'];
    expect(await decide(allow, 'find . -exec $CMD {} \\;')).toMatchObject({
      decision: 'denied',
      reason: CANNOT('`find -exec` runs a command computed when it runs'),
    });
    expect(await decide(allow, 'declare "x=$(npm test)"')).toMatchObject({
      decision: 'denied',
      reason: CANNOT('`"x=$(npm test)"` assigns command or arithmetic text that later expansions may run'),
    });
  });

  it('`read --` still names a variable whose subscript is evaluated', async () => {
    expect(await decide(['Bash(read:*)'], "read -- 'a[$(touch p)]' <<< x")).toMatchObject({
      decision: 'denied',
      reason: CANNOT('`a[$(touch p)]` has a computed subscript, evaluated as arithmetic'),
    });
  });

  it('`set` with operands sets "$@": then an allowed command’s "$@" could be any option', async () => {
    const allow = ['Bash(set:*)', 'Bash(npm test:*)'];
    for (const command of ['set -e x; npm test "$@"', 'set -o pipefail -- --node-options=x; npm test "$@"']) {
      const d = await decide(allow, command);
      expect(d.decision, command).toBe('denied');
      expect(d.reason, command).toMatch(/^Bash denied: `npm test …` has an argument computed when it runs/);
    }
    // Options alone (`set -e`, `set -o errexit`) leave the positional parameters as they were.
    for (const command of ['set -e; npm test "$@"', 'set -o errexit; npm test "$1"'])
      expect((await decide(allow, command)).decision, command).toBe('allowed');
  });

  it('a command nesting shells past the depth the policy follows is refused', async () => {
    let command = 'npm test';
    for (let i = 0; i < 10; i++) command = `eval ${shellQuote(command)}`;
    const allow = ['Bash(eval:*)', 'Bash(npm test:*)'];
    expect(await decide(allow, command)).toMatchObject({
      decision: 'denied',
      reason: CANNOT('the command nests shells too deeply to check'),
    });
    // Within the depth, the innermost command is what the rules see.
    expect((await decide(allow, `eval ${shellQuote('eval "npm test"')}`)).decision).toBe('allowed');
  });
});

describe('where `cd -P` and `pushd -n` leave the shell', () => {
  it('`cd -P dir` moves there: a later redirection into a control file is refused', async () => {
    for (const command of ['cd -P .git && echo x >> config', 'cd -L -- .git; echo x >> config']) {
      const d = await decide(['Bash'], command);
      expect(d.decision, command).toBe('denied');
      expect(d.reason, command).toContain(
        `it redirects into ${path.join(ws, '.git', 'config')}, a protected control path`,
      );
    }
    expect((await decide(['Bash'], 'cd -P src && echo x >> out.txt')).decision).toBe('allowed');
  });

  it('`pushd -n dir` only edits the stack: the shell stays, and so does where it writes', async () => {
    expect((await decide(['Bash'], 'pushd -n .git; echo x >> config')).decision).toBe('allowed');
  });
});

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
