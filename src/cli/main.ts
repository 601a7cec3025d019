import { Command, CommanderError } from 'commander';
import { EXIT } from './exit-codes.ts';
import { outputPrefs } from './output.ts';
import { registerRunsCommands } from './runs-command.ts';
import { VERSION } from './version.ts';
import { registerWorktreesCommands } from './worktrees-command.ts';

/** The queue flag of every command that runs tasks (and of `worker`, `doctor`): one definition. */
const REDIS_OPTION = [
  '--redis <url>',
  'run tasks on the queue at this Redis: redis://, rediss:// or redis+sentinel:// URL (default: CODEX_TASK_REDIS_URL, queue.url)',
] as const;

const example = (...lines: string[]) =>
  `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  ${l}`).join('\n')}`;

/**
 * The codex-task command line. Each action imports its module when it runs, so `--help`,
 * `--version` and light commands start without loading the AI SDK.
 */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const act =
    <A extends unknown[]>(load: () => Promise<(...args: A) => Promise<number>>) =>
    async (...args: A) => {
      exitCode = await (await load())(...args);
    };

  const program = new Command('codex-task')
    .description(
      "Claude Code's subagents (.claude/agents + the Task tool) for Codex CLI, MCP clients, scripts and CI",
    )
    .version(VERSION, '-v, --version')
    .option('-q, --quiet', 'print only results and errors')
    .option('--verbose', 'print progress details and stack traces')
    .option(
      '--trust-workspace',
      "trust this run's workspace as it is (its .mcp.json, agents' mcpServers, provider URLs, allow rules): for CI on its own repository",
    )
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({ outputError: (text, write) => write(text) })
    .hook('preAction', async (command, action) => {
      const opts = command.optsWithGlobals() as {
        quiet?: boolean;
        verbose?: boolean;
        trustWorkspace?: boolean;
      };
      outputPrefs.quiet = Boolean(opts.quiet);
      outputPrefs.verbose = Boolean(opts.verbose);
      // The same switch as the variable, so every part that checks trust sees it (MCP pool, config, policy).
      if (opts.trustWorkspace) process.env.CODEX_TASK_TRUST_WORKSPACE = '1';
      // Named before any work starts: a -C that is no directory, a misspelt CODEX_TASK_* variable.
      const { cwd } = action.opts() as { cwd?: unknown };
      if (typeof cwd === 'string') (await import('./read-input.ts')).checkDirectory('-C', cwd);
      if (Object.keys(process.env).some((name) => name.startsWith('CODEX_TASK_'))) {
        const { unknownEnvVars } = await import('../config/index.ts');
        for (const warning of unknownEnvVars(process.env)) process.stderr.write(`${warning}\n`);
      }
    });

  program
    .command('run')
    .description('Run one Task: progress on stderr, the final answer on stdout')
    .argument('<agent>', 'agent name (subagent_type), e.g. general-purpose')
    .argument('<prompt...>', 'the task; `-` reads it from stdin')
    .option('-m, --model <model>', 'model override (alias, full id or provider:model)')
    .option('-t, --timeout <duration>', 'task timeout: ms, or 90s / 5m')
    .option('-C, --cwd <dir>', 'working directory (workspace root)')
    .option(
      '--json',
      'print the full TaskResult as JSON on stdout (with --background: { taskId, status, pid })',
    )
    .option('--sandbox <mode>', 'OS sandbox for Bash: auto, require or off (default: config, else auto)')
    .option('--priority <n>', 'admission priority, -100 (last) to 100 (first); default 0')
    .option(...REDIS_OPTION)
    .option(
      '--background',
      'print the task id at once and run the task in a detached process (see `runs wait`, `runs show --follow`)',
    )
    .addOption(
      program.createOption('--task-id <id>', "the task's id, chosen by `run --background`").hideHelp(),
    )
    .addHelpText(
      'after',
      example(
        'codex-task run code-reviewer "Review src/auth.ts for injection risks"',
        'git diff | codex-task run code-reviewer - --json',
        'id=$(codex-task run code-reviewer "Review src/" --background) && codex-task runs wait "$id"',
      ),
    )
    .action(act(async () => (await import('./run-command.ts')).runCommand));

  program
    .command('batch')
    .description('Run many Tasks in parallel from a JSON array or JSONL file, with a live view')
    .argument(
      '<file>',
      'tasks file, or `-` for stdin: [{ "subagent_type", "description", "prompt", "model"?, "priority"? }]',
    )
    .option('-c, --concurrency <n>', 'tasks running at once')
    .option('-t, --timeout <duration>', 'timeout per task: ms, or 90s / 5m')
    .option('-C, --cwd <dir>', 'working directory (workspace root)')
    .option('--json', 'print all TaskResults as one JSON array (input order)')
    .option('--jsonl', 'print each TaskResult as a JSON line as soon as it finishes')
    .option('--max-tasks <n>', 'refuse tasks beyond this many (nested ones included)')
    .option('--max-cost <usd>', 'refuse tasks once this much USD is spent on priced models')
    .option('--sandbox <mode>', 'OS sandbox for Bash: auto, require or off (default: config, else auto)')
    .option(...REDIS_OPTION)
    .addHelpText(
      'after',
      example(
        'codex-task batch reviews.jsonl --concurrency 5',
        'codex-task batch tasks.json --json > results.json',
      ),
    )
    .action(act(async () => (await import('./batch-command.ts')).batchCommand));

  const agents = program.command('agents').description('List, show, validate and create agent definitions');
  agents
    .command('list')
    .description('Agents available here: source, model → resolved model, effective tools')
    .option('--json', 'print as JSON')
    .option('-C, --cwd <dir>', 'project directory')
    .addHelpText('after', example('codex-task agents list', 'codex-task agents list -C ~/src/my-app'))
    .action(act(async () => (await import('./agents-command.ts')).listCommand));
  agents
    .command('show')
    .description('The effective definition of one agent, with what was inherited, overridden or ignored')
    .argument('<name>', 'agent name')
    .option('--json', 'print as JSON')
    .option('-C, --cwd <dir>', 'project directory')
    .addHelpText('after', example('codex-task agents show code-reviewer'))
    .action(act(async () => (await import('./agents-command.ts')).showCommand));
  agents
    .command('validate')
    .description('Check agent files (default: the agents this directory sees); exit 1 on errors')
    .argument('[paths...]', 'agent files or directories')
    .option('--json', 'print { files, agents, errors, warnings } as JSON')
    .option('-C, --cwd <dir>', 'project directory (the paths given are relative to it)')
    .addHelpText('after', example('codex-task agents validate .claude/agents --json'))
    .action(act(async () => (await import('./agents-command.ts')).validateCommand));
  agents
    .command('new')
    .description('Write a new agent file into .claude/agents from a template')
    .argument('<name>', 'agent name: lowercase letters, digits and hyphens')
    .option(
      '--template <template>',
      'code-reviewer | test-runner | doc-writer | debugger | explorer',
      'code-reviewer',
    )
    .option('-C, --cwd <dir>', 'project directory')
    .addHelpText('after', example('codex-task agents new api-reviewer --template code-reviewer'))
    .action(act(async () => (await import('./agents-command.ts')).newCommand));
  agents
    .command('export')
    .description("Write agents as another tool's agent files: codex → $CODEX_HOME/agents/<name>.toml")
    .addArgument(agents.createArgument('<target>', 'codex').choices(['codex']))
    .argument('[agents...]', 'agent names (default: every agent found here, built-ins aside)')
    .option('--force', 'replace existing files')
    .option('--codex-home <dir>', 'Codex home (default: $CODEX_HOME, else ~/.codex)')
    .option('-C, --cwd <dir>', 'project directory (agent discovery)')
    .addHelpText(
      'after',
      example('codex-task agents export codex', 'codex-task agents export codex code-reviewer --force'),
    )
    .action(act(async () => (await import('./agents-export.ts')).agentsExportCommand));

  program
    .command('commands')
    .description('Slash commands (.claude/commands, .codexplus/commands, ~/.claude/commands)')
    .command('list')
    .description('Slash commands available here: /name and argument hint, source, description, model')
    .option('--json', 'print { commands, problems } as JSON')
    .option('-C, --cwd <dir>', 'project directory')
    .addHelpText('after', example('codex-task commands list', 'codex-task commands list --json'))
    .action(act(async () => (await import('./commands-command.ts')).commandsListCommand));

  const config = program
    .command('config')
    .description('The effective configuration and where each value came from (default, file, env, flag)')
    .option('--json', 'print as JSON')
    .option('-C, --cwd <dir>', 'project directory')
    .addHelpText('after', example('codex-task config --json', 'codex-task config init'))
    // `config init -C dir` reaches `config`'s -C first (commander parses a parent's options wherever
    // they stand): hand it down to the subcommand.
    .hook('preSubcommand', (self, sub) => {
      const { cwd } = self.opts() as { cwd?: string };
      if (cwd !== undefined) sub.setOptionValueWithSource('cwd', cwd, 'cli');
    })
    .action(act(async () => (await import('./config-command.ts')).configCommand));
  config
    .command('init')
    .description('Write a starter config (every value the default, each key explained) that loads as it is')
    .option('--user', 'write ~/.codex-task/config.json instead of the project .codex-task/config.json')
    .option('--force', 'replace an existing config file')
    .option('-C, --cwd <dir>', 'project directory (default: the current directory)')
    .addHelpText('after', example('codex-task config init', 'codex-task config init --user'))
    .action(act(async () => (await import('./config-init.ts')).configInitCommand));

  program
    .command('trust')
    .description(
      "Trust a workspace: let its .mcp.json, agents' mcpServers, provider URLs and allow rules take effect",
    )
    .argument('[dir]', 'the workspace (default: the current directory)')
    .option('--list', 'show what needs trust here and whether it is trusted, change nothing')
    .option('--revoke', 'forget the trust given to this workspace')
    .option('--json', 'print as JSON')
    .addHelpText(
      'after',
      example('codex-task trust --list', 'codex-task trust .', 'codex-task trust --revoke ~/src/cloned-repo'),
    )
    .action(act(async () => (await import('./trust-command.ts')).trustCommand));

  program
    .command('doctor')
    .description(
      'Check Node, providers and keys, agent files, ripgrep and ports; print the fix for each failure',
    )
    .option('--json', 'print the checks as JSON')
    .option('-C, --cwd <dir>', 'project directory')
    .option(REDIS_OPTION[0], 'also check this queue (default: CODEX_TASK_REDIS_URL, queue.url)')
    .addHelpText('after', example('codex-task doctor', 'codex-task doctor -C ~/src/my-app'))
    .action(act(async () => (await import('./doctor-command.ts')).doctorCommand));

  program
    .command('login')
    .description('Store an API key in ~/.codex-task/credentials.json (mode 0600); env vars take precedence')
    .argument('<provider>', 'anthropic | openai | google | a provider name from your config')
    .addHelpText(
      'after',
      example('codex-task login anthropic', 'echo "$OPENAI_KEY" | codex-task login openai'),
    )
    .action(act(async () => (await import('./login-command.ts')).loginCommand));
  program
    .command('logout')
    .description('Remove a stored API key')
    .argument('<provider>', 'provider name')
    .addHelpText('after', example('codex-task logout openai'))
    .action(act(async () => (await import('./login-command.ts')).logoutCommand));

  program
    .command('demo')
    .description('Run three subagents in parallel on a sample project, offline, on the scripted model')
    .option('--keep', 'keep the sample project (its path is printed) instead of deleting it')
    .addHelpText('after', example('npx codex-task demo'))
    .action(
      act(
        async () => async (opts: { keep?: boolean }) =>
          (await import('../demo/index.ts')).runDemo({ keep: Boolean(opts.keep) }),
      ),
    );

  program
    .command('scripted-model')
    .description(
      'Serve the scripted model (Anthropic, OpenAI Responses/Chat, Gemini wire formats) on loopback',
    )
    .option('-p, --port <port>', 'port to listen on (0 = any free port)', '8788')
    .option('-s, --script <file>', 'reply script (JSON or YAML)')
    .option('--latency <ms>', 'latency before each reply, in ms', '0')
    .addHelpText('after', example('codex-task scripted-model --port 8788 --script replies.yaml'))
    .action(act(async () => (await import('./scripted-model-command.ts')).serveScriptedModel));

  program
    .command('mcp')
    .description('Serve the Task tool to MCP clients (Codex CLI…) over stdio, or streamable HTTP with --http')
    .option('--http [port]', 'serve streamable HTTP on this port (default 8765) at /mcp instead of stdio')
    .option('--host <host>', 'interface for --http', '127.0.0.1')
    .option(
      '--token <token>',
      'bearer token clients must send with --http (default: CODEX_TASK_MCP_TOKEN); required off loopback',
    )
    .option('--tool-name <name>', 'Task or Agent (Claude Code accepts both)', 'Task')
    .option(...REDIS_OPTION)
    .option('-C, --cwd <dir>', 'project directory (agent discovery, workspace root)')
    .addHelpText(
      'after',
      example('codex-task install codex   # writes this server into Codex', 'codex-task mcp --http 8765'),
    )
    .action(act(async () => (await import('./mcp-command.ts')).mcpCommand));

  program
    .command('install')
    .description("Add codex-task's MCP server to a client's config (Codex: config.toml), idempotently")
    .argument('<client>', 'codex')
    .option('--scope <scope>', 'user ($CODEX_HOME/config.toml) or project (.codex/config.toml)', 'user')
    .option('--print', 'print the entry instead of writing it')
    .option(
      '--embed-env',
      "write the variables' values into the entry (default: only their names, in env_vars)",
    )
    .option('--no-warm', 'skip starting the server once to fill the compile cache')
    .option('-C, --cwd <dir>', 'project directory (for --scope project)')
    .addHelpText(
      'after',
      example('codex-task install codex', 'codex-task install codex --scope project --print'),
    )
    .action(act(async () => (await import('./install-command.ts')).installCommand));

  program
    .command('completion')
    .description('Print a shell completion script (subcommands, options, agent names)')
    .addArgument(program.createArgument('[shell]', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .addOption(program.createOption('--agent-names', 'print agent names, for the scripts').hideHelp())
    .addHelpText(
      'after',
      example(
        'source <(codex-task completion bash)              # in ~/.bashrc',
        'codex-task completion zsh > ~/.zfunc/_codex-task     # a directory in $fpath',
        'codex-task completion fish > ~/.config/fish/completions/codex-task.fish',
      ),
    )
    .action(act(async () => (await import('./completion-command.ts')).completionCommand));

  registerRunsCommands(program, (code) => {
    exitCode = code;
  });
  registerWorktreesCommands(program, (code) => {
    exitCode = code;
  });

  program
    .command('serve')
    .description('HTTP API: start, follow (SSE) and cancel tasks; agents, /health, /ready, /metrics')
    .option('-p, --port <port>', 'port (0 = any free port)', '8790')
    .option('--host <host>', 'interface; anything but loopback needs a token', '127.0.0.1')
    .option('--token <token>', 'bearer token (default: CODEX_TASK_API_TOKEN)')
    .option(...REDIS_OPTION)
    .option('-C, --cwd <dir>', 'project directory')
    .addHelpText('after', example('codex-task serve --port 8790'))
    .action(act(async () => (await import('./serve-command.ts')).serveCommand));

  program
    .command('worker')
    .description(
      'Run tasks from the queue (Redis): start one per machine or core; clients enqueue when a queue URL is set',
    )
    .option(
      REDIS_OPTION[0],
      'the queue: redis://, rediss:// or redis+sentinel:// URL (default: CODEX_TASK_REDIS_URL, queue.url)',
    )
    .option('-c, --concurrency <n>', 'tasks run at once', '4')
    .option('--name <name>', 'shown on the dashboard (default: the host name)')
    .option(
      '--grace <duration>',
      'on SIGTERM, how long running tasks may finish before going back to the queue',
      '30s',
    )
    .option('-C, --cwd <dir>', 'directory whose config the worker reads')
    .option(
      '--allow-path <dir>',
      "a directory tasks' paths may be in (repeatable; default: the working directory, none when that is / or home)",
      (dir: string, dirs: string[] = []) => [...dirs, dir],
    )
    .addHelpText(
      'after',
      example(
        'CODEX_TASK_REDIS_URL=redis://redis.internal:6379 codex-task worker --concurrency 8 --allow-path /srv/work',
      ),
    )
    .action(act(async () => (await import('./worker-command.ts')).workerCommand));

  program
    .command('ui')
    .description(
      'Open the dashboard of a running serve or proxy (a one-time login link; the token stays out of URLs)',
    )
    .option(
      '--url <url>',
      'the server (serve: http://127.0.0.1:8790; proxy: http://127.0.0.1:10000)',
      'http://127.0.0.1:8790',
    )
    .option(
      '--token <token>',
      "the server's token; better set CODEX_TASK_API_TOKEN (serve) or CODEX_TASK_PROXY_TOKEN (proxy): other users can read a command line",
    )
    .option('--print', 'print the link instead of opening a browser')
    .option('--insecure', 'allow plain http to a host off this machine (token and link in clear)')
    .addHelpText('after', example('codex-task ui', 'codex-task ui --url http://127.0.0.1:10000 --print'))
    .action(act(async () => (await import('./ui-command.ts')).uiCommand));

  program
    .command('proxy')
    .description(
      'Sit between Codex CLI and the model API: forward everything, add the Task tool and slash commands',
    )
    .option('-p, --port <port>', 'port (default: proxy.port or 10000; 0 = any free port)')
    .option('--host <host>', 'interface; anything but loopback needs a token (default 127.0.0.1)')
    .option(
      '--upstream <url>',
      'Responses API base URL (default: proxy.upstream or https://api.openai.com/v1)',
    )
    .option('--token <token>', 'token clients send in x-codex-task-token (default: CODEX_TASK_PROXY_TOKEN)')
    .option('--no-task', 'do not add the Task tool (forward only)')
    .option(...REDIS_OPTION)
    .option('-C, --cwd <dir>', 'project directory (agents, commands, workspace root)')
    .addHelpText(
      'after',
      example('codex-task proxy', 'codex-task proxy --port 10000 --upstream https://api.openai.com/v1'),
    )
    .action(act(async () => (await import('./proxy-command.ts')).proxyCommand));

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const { reportError } = await import('./output.ts');
    return reportError(error);
  }
  return exitCode;
}
