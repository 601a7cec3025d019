import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import type { RuleBehavior } from './rule-syntax.ts';

/** One source of rules: a settings file (or our config), and the project root its `/path` rules use. */
export interface RuleSource {
  /** Absolute file path, or a label such as `default secret list`. */
  file: string;
  root: string;
  rules: { behavior: RuleBehavior; text: string }[];
  defaultMode?: string;
}

const rules = z.array(z.string()).optional();
/** Claude Code's settings carry much more than permissions: only that part is ours to read. */
const settingsSchema = z.looseObject({
  permissions: z
    .looseObject({ allow: rules, deny: rules, ask: rules, defaultMode: z.string().optional() })
    .optional(),
});

/**
 * Claude Code's settings files a task in `cwd` is governed by, lowest precedence first (precedence
 * only matters for `defaultMode`; rules of every file apply): `~/.claude/settings.json`, then from
 * the repository root down to `cwd` each directory's `.claude/settings.json` and
 * `.claude/settings.local.json` — found like agent directories, walking up to the nearest `.git`.
 */
export function claudeSettingsFiles(cwd: string, homeDir: string): { file: string; root: string }[] {
  const user = join(resolve(homeDir), '.claude', 'settings.json');
  const project: { file: string; root: string }[] = [];
  let dir = resolve(cwd);
  for (;;) {
    for (const name of ['settings.local.json', 'settings.json']) {
      const file = join(dir, '.claude', name);
      if (file !== user && existsSync(file)) project.unshift({ file, root: dir });
    }
    if (existsSync(join(dir, '.git'))) break;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return [...(existsSync(user) ? [{ file: user, root: resolve(homeDir) }] : []), ...project];
}

/**
 * A Claude settings file that cannot be read. Not a CodexTaskError, because it never reaches a user
 * as itself: loading the policy reports it as a PermissionConfigError with the fix (which is about
 * codex-task's config, not this file), and listing trust items skips the file.
 */
export class SettingsFileError extends Error {
  readonly file: string;
  /** The offending key (`permissions.allow.0`), absent when the file is not JSON at all. */
  readonly field: string | undefined;
  constructor(message: string, file: string, field?: string) {
    super(message);
    this.file = file;
    this.field = field;
  }
}

/**
 * Reads one settings file's permission rules. A file that is not JSON, or whose `permissions` has
 * the wrong shape, is an error: skipping it would drop its deny rules, which widens access.
 */
export function readSettingsFile(file: string, root: string): RuleSource {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SettingsFileError(`${file} is not valid JSON: ${(error as Error).message}`, file);
  }
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.');
    throw new SettingsFileError(`${file}: \`${field}\`: ${issue.message}`, file, field);
  }
  const p = parsed.data.permissions ?? {};
  const source: RuleSource = { file, root, rules: [] };
  for (const behavior of ['deny', 'ask', 'allow'] as const) {
    for (const text of p[behavior] ?? []) source.rules.push({ behavior, text });
  }
  if (p.defaultMode !== undefined) source.defaultMode = p.defaultMode;
  return source;
}
