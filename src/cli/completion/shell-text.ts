import type { WalkTables } from './command-tree.ts';

/** `codex-task` → `_codex_task`: a name every shell accepts for the completion's functions. */
export function functionPrefix(program: string): string {
  return `_${program.replace(/[^A-Za-z0-9]/g, '_')}`;
}

/** One word for sh, bash and zsh, whatever it holds. */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * The arms of a `case` over `<path>|<word>` keys (sh, bash, zsh): `'run|0') …;;`. A key ending in
 * `|*` (the rest of a variadic argument) becomes a pattern, so it must follow the exact keys of
 * its command, as walkTables lists them.
 */
export function caseArms(entries: readonly (readonly [key: string, body: string])[]): string {
  return entries
    .map(([key, body]) => {
      const pattern = key.endsWith('|*') ? `${shellQuote(key.slice(0, -1))}*` : shellQuote(key);
      return `    ${pattern}) ${body} ;;`;
    })
    .join('\n');
}

/**
 * The lookups bash and zsh walk the typed words with (the same `case` syntax in both):
 * `<fn>_sub`, `<fn>_valued` and `<fn>_positional`, each printing its answer for one key.
 */
export function caseLookups(fn: string, tables: WalkTables): string {
  const echo = (entries: [string, string][]) =>
    caseArms(entries.map(([key, value]) => [key, `echo ${shellQuote(value)}`]));
  return `# "<command path>|<word>" → the canonical subcommand, if the word names one.
${fn}_sub() {
  case "$1" in
${echo(tables.subcommands)}
  esac
}

# "<command path>|<option>" → what the option's value completes to (nothing for a switch).
${fn}_valued() {
  case "$1" in
${echo(tables.valued)}
  esac
}

# "<command path>|<index>" → what that positional argument completes to.
${fn}_positional() {
  case "$1" in
${echo(tables.positionals)}
  esac
}`;
}
