import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import {
  configFiles,
  DEFAULT_SECRET_EXCEPTIONS,
  DEFAULT_SECRET_PATHS,
  type PermissionsConfig,
} from '../../config/index.ts';
import { CodexTaskError } from '../../errors/index.ts';
import {
  digestOf,
  skippedNotice,
  type TrustChecker,
  type TrustItem,
  trustChecker,
} from '../../trust/index.ts';
import { type CompiledRule, compileRule } from './compiled-rules.ts';
import { parseRule } from './rule-syntax.ts';
import {
  claudeSettingsFiles,
  type RuleSource,
  readSettingsFile,
  SettingsFileError,
} from './settings-files.ts';

export const PERMISSION_MODES = ['default', 'acceptEdits', 'plan', 'bypassPermissions', 'dontAsk'] as const;
export type PermissionMode = (typeof PERMISSION_MODES)[number];

/** A permission rule or settings file that cannot be used; names the file, the rule and the fix. */
export class PermissionConfigError extends CodexTaskError<{ file?: string; field?: string; rule?: string }> {
  /** `file` as written where the rule came from (`config` for flags and env), `rule` as `deny Read(./.env)`. */
  constructor(
    message: string,
    hint?: string,
    details: { file?: string; field?: string; rule?: string } = {},
  ) {
    super('PermissionConfig', message, hint, { details });
  }
}

export interface PermissionPolicyOptions {
  cwd: string;
  homeDir?: string;
  /** `permissions` of the effective codex-task config. */
  config?: PermissionsConfig;
  /** Where each config rule came from (`allow Bash(x)` → `file /…/config.json`), from LoadedConfig. */
  ruleSources?: Record<string, string>;
  /** The user's trust decisions: a project's allow rules lift protections only when trusted. */
  trust?: TrustChecker;
  /**
   * Directories no task may see except the part that is its own workspace: a queue worker's
   * caches of other clients' repositories and their tasks' worktrees.
   */
  privateRoots?: readonly string[];
}

/** How strict each mode is for unattended runs (`default` and `dontAsk` both refuse what would ask). */
const MODE_STRICTNESS: Record<PermissionMode, number> = {
  bypassPermissions: 0,
  acceptEdits: 1,
  default: 2,
  dontAsk: 2,
  plan: 3,
};

/** The stricter of two modes (the first when equally strict). */
export function stricterMode(a: PermissionMode, b: PermissionMode): PermissionMode {
  return MODE_STRICTNESS[b] > MODE_STRICTNESS[a] ? b : a;
}

export function isPermissionMode(text: string | undefined): text is PermissionMode {
  return text !== undefined && (PERMISSION_MODES as readonly string[]).includes(text);
}

/** The rules that govern the tasks of one working directory, compiled once. */
export interface PermissionPolicy {
  readonly cwd: string;
  readonly home: string;
  readonly rules: readonly CompiledRule[];
  /** Every file rules were read from (lowest precedence first), for `doctor` and the audit log. */
  readonly sources: readonly { file: string; rules: number }[];
  /** Rules ignored or widened to a whole tool, said once when the policy is loaded. */
  readonly warnings: readonly string[];
  readonly config: PermissionsConfig;
  /**
   * The mode of agents that set none: the user's (their config, else `~/.claude/settings.json`,
   * else `default`), made stricter — never looser — by a project's config or settings files.
   */
  readonly defaultMode: PermissionMode;
  /** The user's own mode: what a project's agent file may tighten but never loosen. */
  readonly userMode: PermissionMode;
  /** Allow rules that may lift a protection (control paths, private hosts): the user's, and a trusted project's. */
  readonly liftingRules: readonly CompiledRule[];
  readonly secretPatterns: readonly string[];
  readonly secretExceptions: readonly string[];
  /** PermissionPolicyOptions.privateRoots. */
  readonly privateRoots?: readonly string[];
}

/**
 * Loads Claude Code's settings files and our config's `permissions` for `cwd`. Rules of our own
 * config must all be valid (an error names the rule); in Claude Code's files, which other tools
 * read too, a bad allow rule is ignored and a bad deny/ask rule denies/asks for its whole tool —
 * both with a warning, so a typo never widens access silently.
 */
export function loadPermissionPolicy(options: PermissionPolicyOptions): PermissionPolicy {
  const cwd = path.resolve(options.cwd);
  const home = path.resolve(options.homeDir ?? homedir());
  const config = options.config ?? {};
  const warnings: string[] = [];
  const sources: RuleSource[] = [];
  if (config.claudeSettings !== false) {
    for (const { file, root } of claudeSettingsFiles(cwd, home)) {
      try {
        sources.push(readSettingsFile(file, root));
      } catch (error) {
        if (!(error instanceof SettingsFileError)) throw error;
        throw new PermissionConfigError(
          error.message,
          'Fix the file (its permission rules cannot be ignored: dropping its deny rules would widen access), or set `permissions.claudeSettings: false` in ~/.codex-task/config.json.',
          { file: error.file, field: error.field },
        );
      }
    }
  }
  const trust = options.trust ?? trustChecker({ homeDir: home });
  const userSettings = path.join(home, '.claude', 'settings.json');
  const userConfig = path.join(home, '.codex-task', 'config.json');
  const isProjectFile = (file: string) =>
    file !== userSettings && file !== userConfig && path.isAbsolute(file);
  /** Project files whose allow rules lift nothing (the workspace is not trusted with them). */
  const untrusted = new Set<string>();
  const weighAllowRules = (file: string, allow: readonly string[]) => {
    if (!isProjectFile(file) || allow.length === 0) return;
    const item = { kind: 'settings-allow' as const, file, digest: digestOf(allow), summary: [] };
    const verdict = trust.verdict(item);
    if (verdict.trusted) return;
    untrusted.add(file);
    const lifting = allow.filter((text) =>
      /^\s*(Edit|Write|MultiEdit|NotebookEdit|WebFetch)\s*\(/.test(text),
    );
    if (lifting.length > 0)
      warnings.push(
        `${skippedNotice({ ...item, summary: lifting }, verdict)} (Until then they still narrow what is allowed, but cannot open control files or private hosts.)`,
      );
  };
  for (const source of sources)
    weighAllowRules(
      source.file,
      source.rules.filter((r) => r.behavior === 'allow').map((r) => r.text),
    );
  const configAllowByFile = new Map<string, string[]>();
  for (const text of config.allow ?? []) {
    const origin = options.ruleSources?.[`allow ${text}`] ?? 'config';
    if (!origin.startsWith('file ')) continue;
    const list = configAllowByFile.get(origin.slice(5)) ?? [];
    list.push(text);
    configAllowByFile.set(origin.slice(5), list);
  }
  for (const [file, allow] of configAllowByFile) weighAllowRules(file, allow);
  const rules: CompiledRule[] = [];
  const counted: { file: string; rules: number }[] = [];
  for (const source of sources) {
    let n = 0;
    for (const { behavior, text } of source.rules) {
      const bases = { cwd, home, root: source.root };
      const parsed = parseRule(text);
      if (parsed.ok) {
        rules.push(compileRule(parsed.rule, { text, behavior, source: source.file, bases }));
        n++;
        continue;
      }
      const tool = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*\(/.exec(text)?.[1];
      if (behavior !== 'allow' && tool) {
        const whole = parseRule(tool);
        if (whole.ok) rules.push(compileRule(whole.rule, { text, behavior, source: source.file, bases }));
        n++;
        warnings.push(
          `${source.file}: ${behavior} rule \`${text}\`: ${parsed.message}; applied to the whole ${tool} tool instead (${parsed.hint})`,
        );
      } else {
        warnings.push(
          `${source.file}: ${behavior} rule \`${text}\` ignored: ${parsed.message} (${parsed.hint})`,
        );
      }
    }
    counted.push({ file: source.file, rules: n });
  }
  const configCounts = new Map<string, number>();
  for (const behavior of ['deny', 'ask', 'allow'] as const) {
    for (const text of config[behavior] ?? []) {
      const origin = options.ruleSources?.[`${behavior} ${text}`] ?? 'config';
      const file = origin.startsWith('file ') ? origin.slice(5) : origin;
      const parsed = parseRule(text);
      if (!parsed.ok) {
        throw new PermissionConfigError(
          `${file}: permissions.${behavior} rule \`${text}\`: ${parsed.message}`,
          parsed.hint,
          { file, field: `permissions.${behavior}`, rule: text },
        );
      }
      const root = origin.startsWith('file ') ? path.dirname(path.dirname(file)) : cwd;
      rules.push(compileRule(parsed.rule, { text, behavior, source: file, bases: { cwd, home, root } }));
      configCounts.set(file, (configCounts.get(file) ?? 0) + 1);
    }
  }
  for (const [file, n] of configCounts) counted.push({ file, rules: n });
  const modeOf = (text: string | undefined, file: string): PermissionMode | undefined => {
    if (text === undefined || isPermissionMode(text)) return text;
    warnings.push(
      `${file}: permissions.defaultMode \`${text}\` is not a mode; ignored (modes: ${PERMISSION_MODES.join(', ')})`,
    );
    return undefined;
  };
  // The user's mode (their config, env or flag, else their own settings file) is the base; a
  // project's config or settings may make it stricter, never looser.
  const userSettingsMode = modeOf(sources.find((s) => s.file === userSettings)?.defaultMode, userSettings);
  const userMode: PermissionMode = config.defaultMode ?? userSettingsMode ?? 'default';
  let defaultMode = userMode;
  const projectModes: [PermissionMode | undefined, string][] = [
    ...sources
      .filter((s) => s.file !== userSettings)
      .map((s): [PermissionMode | undefined, string] => [modeOf(s.defaultMode, s.file), s.file]),
    ...Object.entries(options.ruleSources ?? {}).flatMap(
      ([key, origin]): [PermissionMode | undefined, string][] =>
        key.startsWith('defaultMode ') ? [[modeOf(key.slice(12), origin), origin.replace(/^file /, '')]] : [],
    ),
  ];
  for (const [mode, file] of projectModes) {
    if (mode === undefined) continue;
    const next = stricterMode(defaultMode, mode);
    if (next !== mode)
      warnings.push(
        `${file}: permissions.defaultMode \`${mode}\` is looser than your own mode \`${defaultMode}\`; a project may only make it stricter, so \`${defaultMode}\` holds (set it in ~/.codex-task/config.json to change your mode)`,
      );
    defaultMode = next;
  }
  return {
    cwd,
    home,
    rules,
    sources: counted,
    warnings,
    config,
    defaultMode,
    userMode,
    liftingRules: rules.filter((r) => r.behavior === 'allow' && !untrusted.has(r.source)),
    secretPatterns: config.secretPaths ?? DEFAULT_SECRET_PATHS,
    secretExceptions: config.secretExceptions ?? DEFAULT_SECRET_EXCEPTIONS,
    ...(options.privateRoots?.length ? { privateRoots: options.privateRoots } : {}),
  };
}

/**
 * The trust items of a project's allow rules for a task in `cwd` (for `codex-task trust`): each
 * project `.claude/settings*.json` and project `.codex-task/config.json` that has allow rules.
 */
export function projectAllowTrustItems(cwd: string, homeDir = homedir()): TrustItem[] {
  const home = path.resolve(homeDir);
  const userConfig = path.join(home, '.codex-task', 'config.json');
  const items: TrustItem[] = [];
  const add = (file: string, allow: string[]) => {
    if (allow.length > 0)
      items.push({ kind: 'settings-allow', file, digest: digestOf(allow), summary: allow });
  };
  for (const { file, root } of claudeSettingsFiles(path.resolve(cwd), home)) {
    if (file === path.join(home, '.claude', 'settings.json')) continue;
    try {
      add(
        file,
        readSettingsFile(file, root)
          .rules.filter((r) => r.behavior === 'allow')
          .map((r) => r.text),
      );
    } catch {
      // A broken settings file fails every task anyway, with its own error.
    }
  }
  for (const file of configFiles(path.resolve(cwd), home)) {
    if (file === userConfig) continue;
    try {
      const raw = JSON.parse(readFileSync(file, 'utf8')) as { permissions?: { allow?: unknown } };
      const allow = raw.permissions?.allow;
      if (Array.isArray(allow))
        add(
          file,
          allow.filter((t): t is string => typeof t === 'string'),
        );
    } catch {
      // Reported by the config loader.
    }
  }
  return items;
}
