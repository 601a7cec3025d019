import { execFile, execFileSync } from 'node:child_process';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bashScript } from '../src/cli/completion/bash.ts';
import { commandTree } from '../src/cli/completion/command-tree.ts';
import { runCli, spawnCollecting } from './cli-support.ts';
import { agentFile, makeWorkspace } from './support.ts';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../src/cli/bin.ts', import.meta.url));
const RECORDER = fileURLToPath(new URL('./fixtures/record-imports.mjs', import.meta.url));

function installed(shell: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${shell}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const HAS_ZSH = installed('zsh');
const HAS_FISH = installed('fish');
if (!HAS_ZSH)
  console.warn('cli-completion: zsh is not installed: its script is not checked (apt-get install zsh)');
if (!HAS_FISH)
  console.warn('cli-completion: fish is not installed: its script is not checked (apt-get install fish)');

/** A workspace with one agent, and `codex-task` on a PATH of its own (the scripts call it for agent names). */
let workspace: string;
let cli: string;
let env: Record<string, string>;
const scripts: Record<string, string> = {};

beforeAll(async () => {
  workspace = await makeWorkspace({
    '.claude/agents/code-reviewer.md': agentFile({ name: 'code-reviewer', description: 'Reviews code' }),
    'src/app.js': 'export {};\n',
  });
  await mkdir(join(workspace, 'bin'));
  cli = join(workspace, 'bin', 'codex-task');
  await writeFile(cli, `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`);
  await chmod(cli, 0o755);
  env = { PATH: `${join(workspace, 'bin')}:${process.env.PATH ?? ''}`, HOME: workspace, NO_COLOR: '1' };
  for (const shell of ['bash', 'zsh', 'fish']) {
    const printed = await runCli(['completion', shell], { cwd: workspace, env });
    expect(printed.code, printed.stderr).toBe(0);
    scripts[shell] = join(workspace, `completion.${shell}`);
    await writeFile(scripts[shell]!, printed.stdout);
  }
}, 60_000);
afterAll(async () => {
  await rm(workspace, { recursive: true, force: true });
});

/** Sources a bash script in a real bash, sets COMP_WORDS/COMP_CWORD as bash does on TAB, returns COMPREPLY. */
async function bashComplete(script: string, fn: string, words: string[]): Promise<string[]> {
  const { stdout } = await run(
    'bash',
    [
      '-c',
      `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); ${fn}; printf '%s\\n' "\${COMPREPLY[@]}"`,
      'bash',
      script,
      ...words,
    ],
    { cwd: workspace, env },
  );
  return stdout.split('\n').filter(Boolean);
}
const complete = (...words: string[]) => bashComplete(scripts.bash!, '_codex_task', [cli, ...words]);

describe('codex-task completion bash', () => {
  it('completes subcommands, at the top and below', async () => {
    const top = await complete('');
    expect(top).toEqual(expect.arrayContaining(['run', 'batch', 'agents', 'config', 'completion', 'proxy']));
    expect(await complete('ag')).toEqual(['agents']);
    expect(await complete('agents', '')).toEqual(
      expect.arrayContaining(['list', 'show', 'validate', 'new', 'export']),
    );
    expect(await complete('config', '')).toContain('init');
  });

  it('completes the agent names of the workspace after `run`, and nothing for the prompt', async () => {
    expect((await complete('run', '')).sort()).toEqual([
      'Explore',
      'Plan',
      'code-reviewer',
      'general-purpose',
    ]);
    expect(await complete('run', 'code')).toEqual(['code-reviewer']);
    expect(await complete('--quiet', 'run', '-m', 'sonnet', 'co')).toEqual(['code-reviewer']);
    expect(await complete('run', 'code-reviewer', '')).toEqual([]);
    expect(await complete('agents', 'show', 'E')).toEqual(['Explore']);
  });

  it("completes a command's options (the global ones too), option values and fixed choices", async () => {
    const options = await complete('run', '--');
    expect(options).toEqual(
      expect.arrayContaining(['--model', '--timeout', '--cwd', '--json', '--quiet', '--help']),
    );
    expect(options).not.toContain('--version');
    expect(await complete('run', '-C', 's')).toEqual(['src']);
    expect(await complete('completion', '')).toEqual(['bash', 'zsh', 'fish']);
    expect(await complete('config', 'init', '--')).toEqual(expect.arrayContaining(['--user', '--force']));
    expect(await complete('config', 'init', '--')).not.toContain('--json');
    expect(await complete('completion', '--')).not.toContain('--agent-names');
  });

  it('is generated from the command tree: a new command and option complete with no edit', async () => {
    const program = new Command('demo-cli').option('--loud', 'shout');
    program.command('fresh').description('new').option('--shiny <file>', 'a file').argument('<agent>');
    program.command('secret', { hidden: true });
    const file = join(workspace, 'demo-cli.bash');
    await writeFile(file, bashScript('demo-cli', commandTree(program)));
    const demo = (...words: string[]) => bashComplete(file, '_demo_cli', ['demo-cli', ...words]);
    expect(await demo('')).toEqual(['fresh', 'help']);
    expect(await demo('fresh', '--')).toEqual(['--shiny', '--help', '--loud']);
    expect(await demo('fresh', '--shiny', 'sr')).toEqual(['src']);
  });

  it('asks for agent names through a fast path: no config, engine, AI SDK or script renderer loaded', async () => {
    const record = join(workspace, 'imports.txt');
    const names = await spawnCollecting('--import', [RECORDER, BIN, 'completion', '--agent-names'], {
      cwd: workspace,
      env: { ...env, RECORD_IMPORTS_TO: record },
    }).done;
    expect(names.code, names.stderr).toBe(0);
    expect(names.stdout.split('\n').filter(Boolean).sort()).toEqual([
      'Explore',
      'Plan',
      'code-reviewer',
      'general-purpose',
    ]);
    const loaded = (await readFile(record, 'utf8')).split('\n');
    expect(
      loaded.filter((url) =>
        /\/node_modules\/(zod|ai|@ai-sdk|yaml|undici|pino)\/|\/src\/(engine|models|tools|config)\/|\/completion\/(bash|zsh|fish)\.ts/.test(
          url,
        ),
      ),
    ).toEqual([]);
  });

  it('refuses an unknown shell with a usage error', async () => {
    const bad = await runCli(['completion', 'tcsh'], { cwd: workspace, env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bash, zsh, fish');
    const none = await runCli(['completion'], { cwd: workspace, env });
    expect(none.code).toBe(2);
  });
});

describe.skipIf(!HAS_ZSH)('codex-task completion zsh', () => {
  it('parses, and offers described subcommands, agent names and files', async () => {
    await run('zsh', ['-n', scripts.zsh!]);
    // compsys needs a terminal; its entry points are stood in for by functions that print their input.
    const { stdout } = await run(
      'zsh',
      [
        '-f',
        '-c',
        `compdef() { :; }
_describe() { print -r -- "describe \${(j: :)\${(@P)\${@[-1]}}}" }
compadd() { [[ $1 == -a ]] && { print -r -- "compadd \${(@P)2}"; return }; shift; print -r -- "compadd $*" }
_files() { print -r -- "files $*" }
source "$1"
t() { words=("$@"); CURRENT=$#; PREFIX=\${words[-1]}; _codex_task }
t codex-task ''
t codex-task run ''
t codex-task run -C ''
t codex-task completion ''`,
        'zsh',
        scripts.zsh!,
      ],
      { cwd: workspace, env },
    );
    const [top, agents, dir, shells] = stdout.trim().split('\n');
    expect(top).toMatch(/^describe .*run:Run one Task/);
    expect(agents!.split(' ').slice(1).sort()).toEqual([
      'Explore',
      'Plan',
      'code-reviewer',
      'general-purpose',
    ]);
    expect(dir).toBe('files -/');
    expect(shells).toBe('compadd bash zsh fish');
  });
});

describe.skipIf(!HAS_FISH)('codex-task completion fish', () => {
  it('parses, and completes subcommands with descriptions and agent names', async () => {
    await run('fish', ['-n', scripts.fish!]);
    const fish = async (line: string) =>
      (
        await run('fish', ['-N', '-c', 'source $argv[1]; complete -C$argv[2]', scripts.fish!, line], {
          cwd: workspace,
          env,
        })
      ).stdout
        .split('\n')
        .filter(Boolean);
    expect(await fish('codex-task ')).toContain(
      'run\tRun one Task: progress on stderr, the final answer on stdout',
    );
    expect((await fish('codex-task run ')).sort()).toEqual([
      'Explore',
      'Plan',
      'code-reviewer',
      'general-purpose',
    ]);
    expect(await fish('codex-task run --mo')).toEqual([
      '--model\tmodel override (alias, full id or provider:model)',
    ]);
  });
});
