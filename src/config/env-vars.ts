import { didYouMean, nearest } from '../agents/index.ts';

/** One `CODEX_TASK_*` variable codex-task reads. */
export interface EnvVar {
  name: `CODEX_TASK_${string}`;
  description: string;
  /** The config key it sets (`proxy.port`): env wins over config files, flags over env. */
  configKey?: string;
  /** How its text is read before the config schema checks it (default: as text). */
  type?: 'number' | 'duration' | 'boolean';
  /** What it accepts, in words, for the error a bad value gets. */
  accepts?: string;
  example?: string;
}

/**
 * Every `CODEX_TASK_*` variable: the ones that set config keys (read by loadConfig) and the ones
 * read where they are used. One list, so a misspelt name is caught (`unknownEnvVars`) and the
 * README's table is generated from it.
 */
export const ENV_VARS: readonly EnvVar[] = [
  {
    name: 'CODEX_TASK_CONCURRENCY',
    description: 'Tasks running at once (config `concurrency`).',
    configKey: 'concurrency',
    type: 'number',
    accepts: 'a whole number ≥ 1',
    example: '5',
  },
  {
    name: 'CODEX_TASK_TIMEOUT',
    description: 'Timeout of each task (config `taskTimeout`).',
    configKey: 'taskTimeout',
    type: 'duration',
    accepts: 'a duration: milliseconds, or a number with ms, s, m or h',
    example: '90s',
  },
  {
    name: 'CODEX_TASK_MAX_TURNS',
    description: 'Model turns a subagent may take (config `maxTurns`).',
    configKey: 'maxTurns',
    type: 'number',
    accepts: 'a whole number ≥ 1',
    example: '30',
  },
  {
    name: 'CODEX_TASK_MAX_SPAWN_DEPTH',
    description: 'How deep subagents may nest (config `maxSpawnDepth`).',
    configKey: 'maxSpawnDepth',
    type: 'number',
    accepts: 'a whole number from 1 to 10',
    example: '2',
  },
  {
    name: 'CODEX_TASK_MODEL',
    description: 'The model `inherit` means for the library and CLI (config `model`).',
    configKey: 'model',
    accepts: 'an alias (sonnet), a model id or provider:model',
    example: 'openai:gpt-5.5',
  },
  {
    name: 'CODEX_TASK_MAX_TASKS',
    description: 'Tasks one engine may start, nested ones included (config `maxTasks`).',
    configKey: 'maxTasks',
    type: 'number',
    accepts: 'a whole number ≥ 1',
    example: '20',
  },
  {
    name: 'CODEX_TASK_MAX_COST_USD',
    description: 'USD one engine may spend on priced models (config `maxCostUsd`).',
    configKey: 'maxCostUsd',
    type: 'number',
    accepts: 'a number of US dollars > 0',
    example: '2.5',
  },
  {
    name: 'CODEX_TASK_OUTPUT_MAX_CHARS',
    description:
      "A subagent's output is cut to this many characters for its caller (config `outputMaxChars`).",
    configKey: 'outputMaxChars',
    type: 'number',
    accepts: 'a whole number ≥ 1000',
    example: '40000',
  },
  {
    name: 'CODEX_TASK_SANDBOX',
    description: 'The OS sandbox for Bash (config `sandbox.mode`).',
    configKey: 'sandbox.mode',
    accepts: 'auto, require or off',
    example: 'require',
  },
  {
    name: 'CODEX_TASK_PROXY_PORT',
    description: '`codex-task proxy` port (config `proxy.port`).',
    configKey: 'proxy.port',
    type: 'number',
    accepts: 'a port number from 1 to 65535',
    example: '10000',
  },
  {
    name: 'CODEX_TASK_PROXY_HOST',
    description: '`codex-task proxy` interface (config `proxy.host`).',
    configKey: 'proxy.host',
    accepts: 'an interface address',
    example: '127.0.0.1',
  },
  {
    name: 'CODEX_TASK_PROXY_UPSTREAM',
    description: '`codex-task proxy` upstream Responses API base URL (config `proxy.upstream`).',
    configKey: 'proxy.upstream',
    accepts: 'a URL',
    example: 'https://api.openai.com/v1',
  },
  {
    name: 'CODEX_TASK_PROXY_INJECT_TASK',
    description: 'Whether `codex-task proxy` adds the Task tool (config `proxy.injectTask`).',
    configKey: 'proxy.injectTask',
    type: 'boolean',
    accepts: 'true or false (1 or 0)',
    example: 'false',
  },
  {
    name: 'CODEX_TASK_PROXY_TOKEN',
    description: 'Token clients of `codex-task proxy` send in x-codex-task-token (or --token).',
  },
  {
    name: 'CODEX_TASK_API_TOKEN',
    description: 'Bearer token of `codex-task serve` (or --token).',
  },
  {
    name: 'CODEX_TASK_MCP_TOKEN',
    description: 'Bearer token of `codex-task mcp --http` (or --token).',
  },
  {
    name: 'CODEX_TASK_TRUST_WORKSPACE',
    description:
      "1 trusts this run's workspace as it is (its .mcp.json, agents' mcpServers, provider URLs, allow rules), like --trust-workspace.",
  },
  {
    name: 'CODEX_TASK_SUBAGENT_MODEL',
    description: 'The model of every subagent, over agent files (CLAUDE_CODE_SUBAGENT_MODEL too).',
  },
  {
    name: 'CODEX_TASK_FAILOVER',
    description: 'Failover chains when config has none: `sonnet=anthropic:claude-sonnet-5,openai:gpt-5.5;…`.',
  },
  {
    name: 'CODEX_TASK_OPENAI_API',
    description: '`chat` sends OpenAI requests to Chat Completions instead of the Responses API.',
  },
  {
    name: 'CODEX_TASK_RUNS_DB',
    description: 'The run store (SQLite) of `codex-task runs` (default ~/.codex-task/runs.db).',
  },
  {
    name: 'CODEX_TASK_AUDIT_LOG',
    description: 'The audit log, JSON lines (default ~/.codex-task/audit.jsonl).',
  },
  {
    name: 'CODEX_TASK_LOG_LEVEL',
    description: 'Level of the JSON logs of the servers: trace, debug, info, warn, error (default info).',
  },
];

const PREFIX = 'CODEX_TASK_';

/** `CODEX_TASK_*` names in `env` that codex-task does not read, each as a one-line warning with the nearest known name. */
export function unknownEnvVars(env: Record<string, string | undefined>): string[] {
  const known = ENV_VARS.map((v) => v.name);
  return Object.keys(env)
    .filter((name) => name.startsWith(PREFIX) && !known.includes(name as EnvVar['name']))
    .map((name) => {
      const suggestion = didYouMean(nearestName(name.slice(PREFIX.length)));
      return `warning: ${name} is not a codex-task variable and is ignored${suggestion ? ` (${suggestion})` : ''}`;
    });
}

/**
 * Compared without the shared prefix, which would make every name look close to every other. A
 * name that holds a known one (`TASK_TIMEOUT` for `TIMEOUT`) is a match too.
 */
function nearestName(suffix: string): string[] {
  const suffixes = ENV_VARS.map((v) => v.name.slice(PREFIX.length));
  const found = nearest(suffix, suffixes);
  const matches = found.length > 0 ? found : suffixes.filter((known) => suffix.includes(known));
  return matches.map((known) => `${PREFIX}${known}`);
}
