import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { z } from 'zod';
import { CodexTaskError } from '../errors/index.ts';
import { digestOf, skippedNotice, type TrustChecker, type TrustItem, trustChecker } from '../trust/index.ts';
import { type ConfigFile, type ConfigInput, configSchemas } from './config-schema.ts';
import { describeTrustedKeys, LOWER_ONLY_KEYS, splitTrustedKeys, userOnlyKeyIn } from './project-keys.ts';

export class ConfigError extends CodexTaskError {
  constructor(message: string, hint?: string) {
    super('ConfigError', message, hint);
  }
}

/** Where a value came from, for `codex-task config`. */
export type ConfigSource = 'default' | 'flag' | `env ${string}` | `file ${string}`;

export interface LoadedConfig {
  values: ConfigFile;
  /** Source of each top-level key (and each entry of `providers`, `failover`, `prices` as `key.entry`). */
  sources: Record<string, ConfigSource>;
  /** Config files read, lowest precedence first. */
  files: string[];
  /**
   * Where each permission rule was written: `allow Bash(npm test:*)` → source; a project's
   * `permissions.defaultMode` as `defaultMode <mode>` → its file (it may only tighten the user's).
   */
  ruleSources: Record<string, ConfigSource>;
  /** Trusted-only keys of a project config left out because the workspace is not trusted, each with its notice. */
  skipped: { item: TrustItem; notice: string }[];
}

/** Env vars that set config keys (`CODEX_TASK_*`), parsed like the file values. */
const ENV_KEYS: Record<string, { key: keyof ConfigFile; number?: boolean; field?: string }> = {
  CODEX_TASK_CONCURRENCY: { key: 'concurrency', number: true },
  CODEX_TASK_TIMEOUT: { key: 'taskTimeout' },
  CODEX_TASK_MAX_TURNS: { key: 'maxTurns', number: true },
  CODEX_TASK_MAX_SPAWN_DEPTH: { key: 'maxSpawnDepth', number: true },
  CODEX_TASK_MODEL: { key: 'model' },
  CODEX_TASK_MAX_TASKS: { key: 'maxTasks', number: true },
  CODEX_TASK_MAX_COST_USD: { key: 'maxCostUsd', number: true },
  CODEX_TASK_OUTPUT_MAX_CHARS: { key: 'outputMaxChars', number: true },
  CODEX_TASK_SANDBOX: { key: 'sandbox', field: 'mode' },
};

/** Env vars that set `proxy.*` keys. */
const PROXY_ENV_KEYS: Record<string, { key: string; number?: boolean; boolean?: boolean }> = {
  CODEX_TASK_PROXY_PORT: { key: 'port', number: true },
  CODEX_TASK_PROXY_HOST: { key: 'host' },
  CODEX_TASK_PROXY_UPSTREAM: { key: 'upstream' },
  CODEX_TASK_PROXY_INJECT_TASK: { key: 'injectTask', boolean: true },
};

const MERGED_BY_ENTRY = ['providers', 'failover', 'prices', 'proxy', 'resilience', 'sandbox'] as const;

/** Project `.codex-task/config.json` (nearest, up to the repository root) over the user's, over defaults. */
export function configFiles(cwd: string, homeDir = homedir()): string[] {
  const files = [join(homeDir, '.codex-task', 'config.json')];
  let dir = cwd;
  for (;;) {
    const file = join(dir, '.codex-task', 'config.json');
    if (existsSync(file) && !files.includes(file)) {
      files.push(file);
      break;
    }
    if (existsSync(join(dir, '.git')) || dirname(dir) === dir) break;
    dir = dirname(dir);
  }
  return files;
}

/**
 * The effective configuration: defaults < user file < project file < `CODEX_TASK_*` env < flags.
 * Every value is validated; a bad one throws a ConfigError naming the file (or variable), the key
 * and what is accepted.
 */
export function loadConfig(options: {
  cwd: string;
  homeDir?: string;
  env?: Record<string, string | undefined>;
  flags?: ConfigInput;
  /** The user's trust decisions; default: ~/.codex-task/trust.json and CODEX_TASK_TRUST_WORKSPACE. */
  trust?: TrustChecker;
}): LoadedConfig {
  const env = options.env ?? process.env;
  const loaded: LoadedConfig = { values: {}, sources: {}, files: [], ruleSources: {}, skipped: [] };
  const homeDir = options.homeDir ?? homedir();
  const userFile = join(homeDir, '.codex-task', 'config.json');
  const trust = options.trust ?? trustChecker({ homeDir, env });
  for (const file of configFiles(options.cwd, options.homeDir)) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new ConfigError(
        `${display(file, options.cwd)} is not valid JSON: ${(error as Error).message}`,
        'Fix the JSON syntax (a trailing comma or a missing quote is the usual cause).',
      );
    }
    const values = parse(raw, display(file, options.cwd));
    if (file === userFile) merge(loaded, values, `file ${file}`);
    else mergeProject(loaded, values, file, { where: display(file, options.cwd), userFile, trust });
    loaded.files.push(file);
  }
  for (const [name, { key, number, field }] of Object.entries(ENV_KEYS)) {
    const text = env[name]?.trim();
    if (!text) continue;
    const value = number && /^\d+(\.\d+)?$/.test(text) ? Number(text) : text;
    const raw = { [key]: field ? { [field]: value } : value };
    merge(loaded, parse(raw, `environment variable ${name}`), `env ${name}`);
  }
  for (const [name, { key, number, boolean }] of Object.entries(PROXY_ENV_KEYS)) {
    const text = env[name]?.trim();
    if (!text) continue;
    const value =
      number && /^\d+$/.test(text)
        ? Number(text)
        : boolean && /^(true|false|1|0)$/i.test(text)
          ? /^(true|1)$/i.test(text)
          : text;
    merge(loaded, parse({ proxy: { [key]: value } }, `environment variable ${name}`), `env ${name}`);
  }
  if (options.flags) merge(loaded, parse(options.flags, 'command-line flags'), 'flag');
  return loaded;
}

function parse(raw: unknown, where: string): ConfigFile {
  const schema = configSchemas().configFile;
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => describeIssue(issue));
  throw new ConfigError(
    `${where}: ${problems.join('; ')}`,
    `Fix the value(s) above; the accepted keys are: ${Object.keys(schema.shape)
      .filter((k) => k !== '$schema')
      .join(', ')}.`,
  );
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys')
    return `unknown key(s) ${issue.keys.map((k) => `\`${k}\``).join(', ')}`;
  if (issue.code === 'invalid_value')
    return `\`${key}\` must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return `\`${key}\`: ${issue.message}`;
}

/**
 * A project config (the repository's) may only tighten: user-only keys are errors, trusted-only keys
 * count only in a trusted workspace (see project-keys.ts), and lower-only limits never raise the user's.
 */
function mergeProject(
  into: LoadedConfig,
  values: ConfigFile,
  file: string,
  context: { where: string; userFile: string; trust: TrustChecker },
): void {
  const { where, userFile } = context;
  // The sandbox likewise: a project may ask for more of it (`require`), never for less.
  const mode = values.sandbox?.mode;
  if (mode !== undefined && mode !== 'require') {
    throw new ConfigError(
      `${where}: \`sandbox.mode: "${mode}"\` is only honoured in your own config (${userFile}), not in a project's (which may only set "require")`,
      `Remove it from ${where}; if you want it, set it in ${userFile} (a repository must not be able to turn the Bash sandbox off).`,
    );
  }
  const userOnly = userOnlyKeyIn(values);
  if (userOnly) {
    throw new ConfigError(
      `${where}: \`${userOnly}\` is only honoured in your own config (${userFile}), not in a project's`,
      `Remove it from ${where}; if you want it, set it in ${userFile} (a repository must not be able to widen what its subagents may do, nor choose which of your variables a key is read from).`,
    );
  }
  const { gated, rest } = splitTrustedKeys(values);
  // A project's mode only tightens the user's: kept apart (the policy makes the user's stricter with
  // it), so `permissions.defaultMode` is always the user's own.
  const projectMode = values.permissions?.defaultMode;
  if (projectMode !== undefined) {
    into.ruleSources[`defaultMode ${projectMode}`] = `file ${file}`;
    const { defaultMode: _, ...permissions } = values.permissions!;
    rest.permissions = permissions;
  }
  for (const key of LOWER_ONLY_KEYS) {
    const mine = into.values[key];
    if (rest[key] !== undefined && mine !== undefined && rest[key] > mine) delete rest[key];
  }
  if (!gated) {
    merge(into, rest, `file ${file}`);
    return;
  }
  const item: TrustItem = {
    kind: 'project-config',
    file,
    digest: digestOf(gated),
    summary: describeTrustedKeys(gated),
  };
  const verdict = context.trust.verdict(item);
  if (verdict.trusted) {
    merge(into, rest, `file ${file}`);
    merge(into, gated, `file ${file}`);
    return;
  }
  into.skipped.push({ item, notice: skippedNotice(item, verdict) });
  merge(into, rest, `file ${file}`);
}

/** The trust item of a project config's trusted-only keys (for `codex-task trust`), if it has any. */
export function projectConfigTrustItem(file: string): TrustItem | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const parsed = configSchemas().configFile.safeParse(raw);
  if (!parsed.success) return undefined;
  const { gated } = splitTrustedKeys(parsed.data);
  return gated
    ? { kind: 'project-config', file, digest: digestOf(gated), summary: describeTrustedKeys(gated) }
    : undefined;
}

/** Rules add up across files (a project can add deny rules to the user's); modes and switches override. */
function mergePermissions(
  into: LoadedConfig,
  value: NonNullable<ConfigFile['permissions']>,
  source: ConfigSource,
): void {
  into.values.permissions ??= {};
  const target = into.values.permissions as Record<string, unknown>;
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    if (key === 'allow' || key === 'deny' || key === 'ask') {
      const rules = item as string[];
      target[key] = [...((target[key] as string[] | undefined) ?? []), ...rules];
      for (const rule of rules) into.ruleSources[`${key} ${rule}`] = source;
    } else target[key] = item;
    into.sources[`permissions.${key}`] = source;
  }
}

function merge(into: LoadedConfig, values: ConfigFile, source: ConfigSource): void {
  const target = into.values as Record<string, unknown>;
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined || key === '$schema') continue;
    if (key === 'permissions') {
      mergePermissions(into, value as NonNullable<ConfigFile['permissions']>, source);
      continue;
    }
    if ((MERGED_BY_ENTRY as readonly string[]).includes(key)) {
      const entries = value as Record<string, unknown>;
      target[key] = { ...(target[key] as Record<string, unknown> | undefined), ...entries };
      for (const entry of Object.keys(entries)) into.sources[`${key}.${entry}`] = source;
    } else {
      target[key] = value;
      into.sources[key] = source;
    }
  }
}

function display(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel.startsWith('..') ? file : rel;
}
