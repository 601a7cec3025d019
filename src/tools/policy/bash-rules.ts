import type { SimpleCommand } from './bash-commands.ts';

/**
 * Compiles a Bash rule specifier into a test of one simple command's words. Three forms, as in
 * Claude Code: `npm test:*` (legacy prefix: these words, then anything), `git diff *` (wildcards,
 * `*` is any text; a trailing ` *` also matches nothing, so `git diff *` covers `git diff`), and an
 * exact command. Words are compared after quote removal; a word holding an expansion only ever
 * matches a `*`, never a literal.
 */
export function compileBashRule(specifier: string): (words: readonly string[]) => boolean {
  if (specifier.endsWith(':*')) {
    const prefix = specifier.slice(0, -2).trim().split(/\s+/);
    return (words) => prefix.length <= words.length && prefix.every((p, i) => p === words[i]);
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
  return (words) => regex.test(words.join(' '));
}

/** A rule matches a simple command when it matches what really runs (the innermost form)… */
export function coversCommand(test: (words: readonly string[]) => boolean, command: SimpleCommand): boolean {
  return test(command.unwrapped.at(-1) ?? command.words);
}

/** …and a deny rule also when it matches any wrapper around it (`Bash(sudo:*)` denies `sudo ls`). */
export function touchesCommand(test: (words: readonly string[]) => boolean, command: SimpleCommand): boolean {
  return test(command.words) || command.unwrapped.some((form) => test(form));
}
