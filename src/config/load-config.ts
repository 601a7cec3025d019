import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { z } from 'zod';
import { didYouMean, nearest } from '../agents/index.ts';
import { CodexTaskError } from '../errors/index.ts';
import { digestOf, skippedNotice, type TrustChecker, type TrustItem, trustChecker } from '../trust/index.ts';
import { type ConfigFile, type ConfigInput, configSchemas } from './config-schema.ts';
import { ENV_VARS, type EnvVar } from './env-vars.ts';
import { configSlots, resolvePrecedence } from './precedence.ts';
import { describeTrustedKeys, LOWER_ONLY_KEYS, splitTrustedKeys, userOnlyKeyIn } from './project-keys.ts';
import { CONFIG_SETTINGS } from './settings.ts';

export class ConfigError extends CodexTaskError {
  constructor(message: string, hint?: string) {
    super('ConfigError', message, hint);
  }
}

/** Where a value came from, for `codex-task config`. */
export type ConfigSource = 'default' | 'flag' | `env ${string}` | `file ${string}`;

export interface LoadedConfig {
  values: ConfigFile;
  /** Source of each setting set, by config key (`proxy.port`; an entry of `providers`, `failover`, `prices` as `prices.gpt-5`). */
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
 * The effective configuration: defaults < user file < project file < `CODEX_TASK_*` env < flags,
 * each setting resolved on its own (resolvePrecedence). Every value is validated; a bad one throws a
 * ConfigError naming the file (or variable), the key and what is accepted.
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
  const homeDir = options.homeDir ?? homedir();
  const userFile = join(homeDir, '.codex-task', 'config.json');
  const trust = options.trust ?? trustChecker({ homeDir, env });
  const loaded: LoadedConfig = { values: {}, sources: {}, files: [], ruleSources: {}, skipped: [] };
  /** Lowest first, as they are read. */
  const levels: { source: ConfigSource; values: ConfigFile }[] = [];
  let user: ConfigFile = {};
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
    if (file === userFile) {
      user = values;
      levels.push({ source: `file ${file}`, values });
    } else {
      const context = { where: display(file, options.cwd), userFile, trust, user };
      for (const part of projectLevels(loaded, values, file, context))
        levels.push({ source: `file ${file}`, values: part });
    }
    loaded.files.push(file);
  }
  for (const variable of ENV_VARS) {
    const text = env[variable.name]?.trim();
    if (!text || !variable.configKey) continue;
    levels.push({ source: `env ${variable.name}`, values: parseEnv(variable, text) });
  }
  if (options.flags) levels.push({ source: 'flag', values: parse(options.flags, 'command-line flags') });
  const { values, sources } = resolvePrecedence(configSlots(CONFIG_SETTINGS), levels.toReversed());
  loaded.values = values as ConfigFile;
  loaded.sources = sources;
  // The first level to write a rule keeps it: the user's file is read before a project's, so a
  // repository that repeats the user's rule word for word cannot make it count as its own (an
  // untrusted repository's allow rules only narrow).
  for (const { source, values: level } of levels)
    for (const kind of ['allow', 'deny', 'ask'] as const)
      for (const rule of level.permissions?.[kind] ?? []) loaded.ruleSources[`${kind} ${rule}`] ??= source;
  return loaded;
}

/** A variable's text as the value of its config key; a bad one names the variable, the value and what it takes. */
function parseEnv(variable: EnvVar, text: string): ConfigFile {
  // A duration's text that is not a number ("90s") is left for its schema to read.
  const value =
    variable.type === 'number' && /^[-+]?\d+(\.\d+)?$/.test(text)
      ? Number(text)
      : variable.type === 'boolean' && /^(true|false|1|0)$/i.test(text)
        ? /^(true|1)$/i.test(text)
        : text;
  const raw = variable.configKey!.split('.').reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
  try {
    return parse(raw, `environment variable ${variable.name}`);
  } catch (error) {
    if (!variable.accepts) throw error;
    throw new ConfigError(
      `environment variable ${variable.name}='${text}' is not accepted: it takes ${variable.accepts}`,
      `Set it like ${variable.name}=${variable.example}, or unset it.`,
    );
  }
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
  if (issue.code === 'unrecognized_keys') {
    const known = keysAt(issue.path);
    const keys = issue.keys.map((k) => {
      const suggestion = didYouMean(nearest(k, known));
      return `\`${k}\`${suggestion ? ` (${suggestion})` : ''}`;
    });
    return `unknown key(s) ${keys.join(', ')}${issue.path.length ? ` in \`${key}\`` : ''}`;
  }
  if (issue.code === 'invalid_value')
    return `\`${key}\` must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return `\`${key}\`: ${issue.message}`;
}

/** The keys the config schema accepts at `path` (`['proxy']` → port, host…), for did-you-mean. */
function keysAt(path: readonly PropertyKey[]): string[] {
  type Def = { type: string; innerType?: Node; shape?: Record<string, Node>; valueType?: Node };
  type Node = { _zod: { def: Def } };
  const unwrap = (node: Node | undefined) => {
    let current = node;
    while (current?._zod.def.innerType) current = current._zod.def.innerType;
    return current;
  };
  let node = unwrap(configSchemas().configFile as unknown as Node);
  for (const segment of path) {
    const def = node?._zod.def;
    node = unwrap(def?.shape ? def.shape[String(segment)] : def?.valueType);
  }
  return Object.keys(node?._zod.def.shape ?? {}).filter((k) => k !== '$schema');
}

/**
 * A project config (the repository's) may only tighten: user-only keys are errors, trusted-only keys
 * count only in a trusted workspace (see project-keys.ts), and lower-only limits never raise the
 * user's. Returns what of it counts.
 */
function projectLevels(
  into: LoadedConfig,
  values: ConfigFile,
  file: string,
  context: { where: string; userFile: string; trust: TrustChecker; user: ConfigFile },
): ConfigFile[] {
  const { where, userFile, user } = context;
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
    const mine = user[key];
    if (rest[key] !== undefined && mine !== undefined && rest[key] > mine) delete rest[key];
  }
  if (!gated) return [rest];
  const item: TrustItem = {
    kind: 'project-config',
    file,
    digest: digestOf(gated),
    summary: describeTrustedKeys(gated),
  };
  const verdict = context.trust.verdict(item);
  if (verdict.trusted) return [rest, gated];
  into.skipped.push({ item, notice: skippedNotice(item, verdict) });
  return [rest];
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

function display(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel.startsWith('..') ? file : rel;
}
