import { homedir } from 'node:os';
import path from 'node:path';
import {
  DEFAULT_SECRET_EXCEPTIONS,
  DEFAULT_SECRET_PATHS,
  type PermissionsConfig,
} from '../../config/index.ts';
import { CodexTaskError } from '../../errors/index.ts';
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
export class PermissionConfigError extends CodexTaskError {
  constructor(message: string, hint?: string) {
    super('PermissionConfig', message, hint);
  }
}

export interface PermissionPolicyOptions {
  cwd: string;
  homeDir?: string;
  /** `permissions` of the effective codex-task config. */
  config?: PermissionsConfig;
  /** Where each config rule came from (`allow Bash(x)` → `file /…/config.json`), from LoadedConfig. */
  ruleSources?: Record<string, string>;
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
  /** `defaultMode` from the config, else from the highest-precedence settings file that sets one. */
  readonly defaultMode: string | undefined;
  readonly secretPatterns: readonly string[];
  readonly secretExceptions: readonly string[];
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
        );
      }
    }
  }
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
        );
      }
      const root = origin.startsWith('file ') ? path.dirname(path.dirname(file)) : cwd;
      rules.push(compileRule(parsed.rule, { text, behavior, source: file, bases: { cwd, home, root } }));
      configCounts.set(file, (configCounts.get(file) ?? 0) + 1);
    }
  }
  for (const [file, n] of configCounts) counted.push({ file, rules: n });
  const settingsMode = sources.findLast((s) => s.defaultMode !== undefined);
  let defaultMode: string | undefined = config.defaultMode;
  if (defaultMode === undefined && settingsMode?.defaultMode !== undefined) {
    if ((PERMISSION_MODES as readonly string[]).includes(settingsMode.defaultMode))
      defaultMode = settingsMode.defaultMode;
    else
      warnings.push(
        `${settingsMode.file}: permissions.defaultMode \`${settingsMode.defaultMode}\` is not a mode; ignored (modes: ${PERMISSION_MODES.join(', ')})`,
      );
  }
  return {
    cwd,
    home,
    rules,
    sources: counted,
    warnings,
    config,
    defaultMode,
    secretPatterns: config.secretPaths ?? DEFAULT_SECRET_PATHS,
    secretExceptions: config.secretExceptions ?? DEFAULT_SECRET_EXCEPTIONS,
  };
}
