import { didYouMean, nearest } from '../agents/index.ts';
import { placedSettings } from './setting.ts';
import { CONFIG_SETTINGS } from './settings.ts';

/** One `CODEX_TASK_*` variable codex-task reads. */
export interface EnvVar {
  name: `CODEX_TASK_${string}`;
  description: string;
  /** The config key it sets (`proxy.port`): env wins over config files, flags over env. */
  configKey?: string;
  /** How its text is read before the config schema checks it (default: as text). */
  type?: 'number' | 'boolean';
  /** What it accepts, in words, for the error a bad value gets. */
  accepts?: string;
  example?: string;
}

/** The variables that set a setting (read by loadConfig), from the settings' declaration. */
const SETTING_VARS: EnvVar[] = placedSettings(CONFIG_SETTINGS).flatMap(({ key, setting }) => {
  if (!setting.env || !key) return [];
  const kind = typeof setting.default;
  return [
    {
      ...setting.env,
      description: setting.doc,
      configKey: key.join('.'),
      ...(kind === 'number' || kind === 'boolean' ? { type: kind } : {}),
    },
  ];
});

/**
 * Every `CODEX_TASK_*` variable: the ones that set settings (config/settings.ts) and the ones read
 * where they are used. One list, so a misspelt name is caught (`unknownEnvVars`) and
 * docs/environment.md's table is generated from it.
 */
export const ENV_VARS: readonly EnvVar[] = [
  ...SETTING_VARS,
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
