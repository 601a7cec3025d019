import { Command, CommanderError } from 'commander';
import { EXIT } from './exit-codes.ts';
import { VERSION } from './version.ts';

/**
 * The codex-task command line. Heavy modules (AI SDK, engine) are imported inside the actions that
 * need them, so `--help` and `--version` start fast.
 */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const setExit = (code: number) => {
    exitCode = code;
  };
  const program = new Command('codex-task')
    .description(
      "Claude Code's subagents (.claude/agents + the Task tool) for Codex CLI, MCP clients, scripts and CI",
    )
    .version(VERSION, '-v, --version')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });

  program
    .command('demo')
    .description('Run three subagents in parallel on a sample project, offline, on the scripted model')
    .option('--keep', 'keep the sample project (its path is printed) instead of deleting it')
    .addHelpText('after', '\nExample:\n  npx codex-task demo')
    .action(async (opts: { keep?: boolean }) => {
      const { runDemo } = await import('../demo/index.ts');
      setExit(await runDemo({ keep: Boolean(opts.keep) }));
    });

  program
    .command('scripted-model')
    .description(
      'Serve the scripted model (Anthropic, OpenAI Responses/Chat, Gemini wire formats) on loopback',
    )
    .option('-p, --port <port>', 'port to listen on (0 = any free port)', '8788')
    .option('-s, --script <file>', 'reply script (JSON or YAML)')
    .option('--latency <ms>', 'latency before each reply, in ms', '0')
    .addHelpText('after', '\nExample:\n  codex-task scripted-model --port 8788 --script replies.yaml')
    .action(async (opts: { port: string; script?: string; latency: string }) => {
      const { serveScriptedModel } = await import('./scripted-model-command.ts');
      setExit(await serveScriptedModel(opts));
    });

  const agents = program.command('agents').description('List and validate agent definitions');
  agents
    .command('validate')
    .description('Check agent files (files or directories; default: the agents this directory sees)')
    .argument('[paths...]', 'agent files or directories')
    .option('--json', 'print { files, agents, errors, warnings } as JSON')
    .addHelpText('after', '\nExample:\n  codex-task agents validate .claude/agents --json')
    .action(async (paths: string[], opts: { json?: boolean }) => {
      const { validateCommand } = await import('./agents-command.ts');
      setExit(await validateCommand(paths, opts));
    });
  agents
    .command('list')
    .description('List the agents available here, with their source, model and tools')
    .option('--json', 'print as JSON')
    .addHelpText('after', '\nExample:\n  codex-task agents list')
    .action(async (opts: { json?: boolean }) => {
      const { listCommand } = await import('./agents-command.ts');
      setExit(await listCommand(opts));
    });

  program
    .command('run')
    .description('Run one Task: progress on stderr, the final answer on stdout')
    .argument('<agent>', 'agent name (subagent_type)')
    .argument('<prompt...>', 'the task; `-` reads it from stdin')
    .option('-m, --model <model>', 'model override (alias or provider:model)')
    .option('-t, --timeout <ms>', 'task timeout in ms')
    .option('-C, --cwd <dir>', 'working directory (workspace root)')
    .option('--json', 'print the full TaskResult as JSON on stdout')
    .addHelpText(
      'after',
      '\nExample:\n  codex-task run code-reviewer "Review src/auth.ts for injection risks"',
    )
    .action(async (agent: string, prompt: string[], opts: RunFlags) => {
      const { runCommand } = await import('./run-command.ts');
      setExit(await runCommand(agent, prompt, opts));
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    throw error;
  }
  return exitCode;
}

export interface RunFlags {
  model?: string;
  timeout?: string;
  cwd?: string;
  json?: boolean;
}
