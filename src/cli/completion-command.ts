import type { Command } from 'commander';
import { AgentRegistry } from '../agents/index.ts';
import type { CommandSpec } from './completion/command-tree.ts';
import { EXIT } from './exit-codes.ts';
import { usageError } from './output.ts';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

type Render = (program: string, root: CommandSpec) => string;
const RENDER: Record<Shell, () => Promise<Render>> = {
  bash: async () => (await import('./completion/bash.ts')).bashScript,
  zsh: async () => (await import('./completion/zsh.ts')).zshScript,
  fish: async () => (await import('./completion/fish.ts')).fishScript,
};

/**
 * `codex-task completion bash|zsh|fish`: a completion script generated from the program's own
 * command tree, so a new command or option completes without a change here. `--agent-names` is
 * what the scripts call when TAB is pressed after `run`: it loads only the agent files (no config,
 * no engine, not even the script renderers), to answer in about a node start-up's time.
 */
export async function completionCommand(
  shell: string | undefined,
  opts: { agentNames?: boolean },
  command: Command,
): Promise<number> {
  if (opts.agentNames) {
    const names = new AgentRegistry({ cwd: process.cwd(), rescanIntervalMs: 0 }).list().map((a) => a.name);
    process.stdout.write(names.length ? `${names.join('\n')}\n` : '');
    return EXIT.ok;
  }
  if (!SHELLS.includes(shell as Shell)) {
    usageError(
      shell ? `no completion for '${shell}'` : 'which shell?',
      `Use one of: ${SHELLS.map((s) => `codex-task completion ${s}`).join(', ')}.`,
    );
    return EXIT.usage;
  }
  let program = command;
  while (program.parent) program = program.parent;
  const { commandTree } = await import('./completion/command-tree.ts');
  const render = await RENDER[shell as Shell]();
  process.stdout.write(render(program.name(), commandTree(program)));
  return EXIT.ok;
}
