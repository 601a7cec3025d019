import { realpathSync } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { ENGINE_DEFAULTS, loadRuntimeSettings, type RuntimeSettings } from '../config/index.ts';
import {
  applyCodexEntry,
  codexEntry,
  renderCodexEntry,
  serverVariables,
  warmUpServer,
} from '../mcp/index.ts';
import { agentPolicy, loadPermissionPolicy } from '../tools/policy/index.ts';
import { EXIT } from './exit-codes.ts';
import { note, printError, usageError } from './output.ts';

/** The source the policy names when the secret list refuses a path. */
const SECRET_LIST_SOURCE = 'default secret list';

export interface InstallFlags {
  scope?: string;
  print?: boolean;
  embedEnv?: boolean;
  cwd?: string;
  warm?: boolean;
}

/**
 * `codex-task install codex`: writes `[mcp_servers.codex-task]` into Codex's config.toml (user:
 * `$CODEX_HOME/config.toml`, project: `.codex/config.toml`), or prints it with `--print`.
 */
export async function installCommand(client: string, flags: InstallFlags): Promise<number> {
  if (client !== 'codex') {
    usageError(
      `Unknown client '${client}'`,
      'codex-task install codex (the only client with a config file to edit)',
    );
    return EXIT.usage;
  }
  const scope = flags.scope ?? 'user';
  if (scope !== 'user' && scope !== 'project') {
    usageError(
      `--scope must be user or project (got '${scope}')`,
      'codex-task install codex --scope project',
    );
    return EXIT.usage;
  }
  if (flags.embedEnv && !flags.print && scope === 'project') {
    usageError(
      '--embed-env with --scope project would write provider keys into .codex/config.toml, a file of the repository that gets committed and that subagents can read',
      'Leave out --embed-env: the entry then names the variables (env_vars) and Codex passes them on from its own environment. Or install at user scope (--scope user).',
    );
    return EXIT.usage;
  }
  try {
    const cwd = resolve(flags.cwd ?? process.cwd());
    const settings = loadRuntimeSettings({ cwd });
    const env = settings.engine.env;
    const variables = serverVariables(
      env,
      settings.engine.providers.flatMap((p) => (p.apiKeyEnv ? [p.apiKeyEnv] : [])),
    );
    const { command, args, warning } = serverCommand();
    const entry = codexEntry({
      command,
      args,
      taskTimeoutMs: settings.engine.taskTimeoutMs ?? ENGINE_DEFAULTS.taskTimeoutMs,
      envVars: flags.embedEnv ? [] : variables,
      ...(flags.embedEnv
        ? { env: Object.fromEntries(variables.map((name) => [name, env[name] ?? ''])) }
        : {}),
    });
    if (warning) note(`warning: ${warning}`);
    if (flags.print) {
      process.stdout.write(`${renderCodexEntry(entry)}\n`);
      return EXIT.ok;
    }
    const file =
      scope === 'project'
        ? join(cwd, '.codex', 'config.toml')
        : join(env.CODEX_HOME?.trim() || join(homedir(), '.codex'), 'config.toml');
    if (flags.embedEnv && variables.length > 0 && !(await isSecret(file, cwd, settings))) {
      usageError(
        `--embed-env would write provider keys into ${file}, which is not on the secret list: subagents could read it, and Bash could print it`,
        `Add "${file}" to permissions.secretPaths in ~/.codex-task/config.json (the list replaces the default one: keep its entries), or leave out --embed-env so the file only names the variables.`,
      );
      return EXIT.usage;
    }
    const before = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    const { text, action } = applyCodexEntry(before, entry);
    if (action !== 'unchanged') await writeAtomically(file, text);
    note(
      action === 'unchanged'
        ? `${file}: mcp_servers.codex-task is already up to date`
        : `${file}: mcp_servers.codex-task ${action}`,
    );
    note(
      variables.length > 0
        ? `Codex passes these variables on to it: ${variables.join(', ')}${flags.embedEnv ? ' (values written into the file)' : ''}`
        : 'No provider key is set here: run `codex-task login <provider>` (or set the key before starting Codex).',
    );
    if (scope === 'project')
      note('Codex loads project MCP servers only in trusted projects: `codex exec --trust` once.');
    if (flags.warm !== false) await warmUpServer(command, args, cwd);
    return EXIT.ok;
  } catch (error) {
    printError(error);
    return EXIT.failed;
  }
}

/**
 * Whether subagents are kept from `file` as from a secret (file tools refuse it, the Bash sandbox
 * hides it): never write a key into a file that is not itself one. Asked of the permission policy
 * that the engine would apply here, so a user's own `secretPaths` count.
 */
async function isSecret(file: string, cwd: string, settings: RuntimeSettings): Promise<boolean> {
  const policy = loadPermissionPolicy({
    cwd,
    homeDir: settings.engine.homeDir,
    ...(settings.engine.permissions ? { config: settings.engine.permissions } : {}),
  });
  const decision = await agentPolicy(policy, { name: 'install' }, cwd).check('Read', { file_path: file });
  return decision.decision === 'denied' && decision.source === SECRET_LIST_SOURCE;
}

/** Write-then-rename, so Codex never reads half a file; keeps the file's mode (it may hold keys). */
async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const mode = await stat(file).then(
    (s) => s.mode & 0o777,
    () => 0o600,
  );
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode });
  await rename(tmp, file);
}

/**
 * How Codex should start the server: this Node and this entry script, by absolute path. Not `npx`:
 * its own start-up would eat most of the second Codex allows (docs/compatibility.md), and Codex's PATH may differ.
 */
function serverCommand(): { command: string; args: string[]; warning?: string } {
  const entry = realpathSync(process.argv[1] ?? '');
  const ephemeral = entry.split(sep).includes('_npx');
  return {
    command: process.execPath,
    args: [entry, 'mcp'],
    ...(ephemeral
      ? {
          warning:
            'codex-task runs from an npx cache, which npm may clear: install it (npm i -g codex-task) and run this again for a lasting path.',
        }
      : {}),
  };
}
