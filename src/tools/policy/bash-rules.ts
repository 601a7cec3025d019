import type { SimpleCommand } from './bash-commands.ts';
import { codeLoadingOptions } from './code-loading-options.ts';

/** A compiled Bash rule: a test of one simple command's words, and the code-loading options it names. */
export type BashRuleTest = ((words: readonly string[]) => boolean) & {
  /**
   * Code-loading options the rule spells out (code-loading-options.ts), with how often: it covers
   * those, as often as it has them (`Bash(npx vitest --config=ci.ts:*)` is not a second `--config`).
   */
  readonly names?: ReadonlyMap<string, number>;
};

/**
 * Compiles a Bash rule specifier into a test of one simple command's words. Three forms, as in
 * Claude Code: `npm test:*` (legacy prefix: these words, then anything), `git diff *` (wildcards,
 * `*` is any text; a trailing ` *` also matches nothing, so `git diff *` covers `git diff`), and an
 * exact command. Words are compared after quote removal; a word holding an expansion only ever
 * matches a `*`, never a literal.
 */
export function compileBashRule(specifier: string): BashRuleTest {
  if (specifier.endsWith(':*')) {
    const prefix = specifier.slice(0, -2).trim().split(/\s+/);
    const test = (words: readonly string[]) =>
      prefix.length <= words.length && prefix.every((p, i) => p === words[i]);
    return Object.assign(test, { names: namedOptions(prefix) });
  }
  const parts = specifier.trim().split(/\s+/).join(' ');
  let source = '';
  for (let i = 0; i < parts.length; i++) {
    const ch = parts[i]!;
    if (ch === '*') source += '[^]*';
    else if (ch === ' ' && parts.slice(i) === ' *') {
      source += '(?: [^]*)?';
      break;
    } else source += ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  const regex = new RegExp(`^${source}$`);
  const test = (words: readonly string[]) => regex.test(words.join(' '));
  return Object.assign(test, { names: namedOptions(parts.split(' ').filter((w) => w !== '*')) });
}

function namedOptions(words: readonly string[]): ReadonlyMap<string, number> {
  return counts(codeLoadingOptions(words));
}

function counts(options: readonly string[]): Map<string, number> {
  const n = new Map<string, number>();
  for (const o of options) n.set(o, (n.get(o) ?? 0) + 1);
  return n;
}

/**
 * A rule covers a simple command when it matches what really runs (the innermost form) and names
 * every code-loading option that uses: `Bash(npm test:*)` is not `npm test --node-options=…`.
 */
export function coversCommand(test: BashRuleTest, command: SimpleCommand): boolean {
  return test(innermost(command)) && unnamed(test, command).length === 0;
}

/** The code-loading options of `command` a rule matching its words does not name, if any. */
export function unnamedOptions(test: BashRuleTest, command: SimpleCommand): string[] {
  return test(innermost(command)) ? unnamed(test, command) : [];
}

function unnamed(test: BashRuleTest, command: SimpleCommand): string[] {
  if (command.codeOptions.length === 0) return [];
  return [...counts(command.codeOptions)].filter(([o, n]) => n > (test.names?.get(o) ?? 0)).map(([o]) => o);
}

/** …and a deny rule also when it matches any wrapper around it (`Bash(sudo:*)` denies `sudo ls`). */
export function touchesCommand(test: (words: readonly string[]) => boolean, command: SimpleCommand): boolean {
  return test(command.words) || command.unwrapped.some((form) => test(form));
}

function innermost(command: SimpleCommand): string[] {
  return command.unwrapped.at(-1) ?? command.words;
}
