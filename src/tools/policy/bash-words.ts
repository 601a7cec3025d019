import type { Assignment, Word, WordPart } from 'unbash';

/** Marks a word whose value depends on an expansion: no literal in a rule can match it. */
export const DYNAMIC = '\u0000';

/** The word's value after quote removal; expansions (`$x`, `$(…)`, globs stay literal) become DYNAMIC. */
export function wordValue(word: Word, isName: boolean): string {
  if (!word.parts) return word.value;
  return word.parts.map((part) => partValue(part, isName)).join('');
}

/** `declare x=1` as the builtin sees it (an array value is computed). */
export function assignmentValue(a: Assignment): string {
  const index = a.index ? `[${wordValue(a.index, false)}]` : '';
  const value = a.value.type === 'Word' ? wordValue(a.value, false) : DYNAMIC;
  return `${a.name}${index}${a.append ? '+' : ''}=${value}`;
}

/** In a command name, a glob or brace expansion is computed too (`cu{rl,}` runs curl). */
function partValue(part: WordPart, isName: boolean): string {
  switch (part.type) {
    case 'Literal':
    case 'SingleQuoted':
    case 'AnsiCQuoted':
      return part.value;
    case 'Glob':
    case 'ExtendedGlob':
    case 'BraceExpansion':
      return isName ? DYNAMIC : part.text;
    case 'DoubleQuoted':
    case 'LocaleString':
      return part.parts.map((p) => partValue(p, isName)).join('');
    default:
      return DYNAMIC;
  }
}

/** True when the word has an unquoted glob or brace expansion: the shell picks the file. */
export function hasPattern(word: Word): boolean {
  return (word.parts ?? []).some(
    (p) => p.type === 'Glob' || p.type === 'ExtendedGlob' || p.type === 'BraceExpansion',
  );
}

/**
 * Whether the word may become an option, or several words, when it runs: `true` when its text is
 * the command's to choose (a command substitution, a glob or brace expansion, a `${x:-default}`
 * where the option's name would be), else the variables whose values decide it (an unquoted `$x`
 * is split, so `a$x` may give `a --require=y`; a quoted one where the name would be: `"$x"`, `-$x`),
 * else `false`. A variable counts only if the command sets it: the environment's are the user's.
 */
export function mayBecomeOption(word: Word): boolean | string[] {
  let literal = '';
  const variables: string[] = [];
  for (const part of word.parts ?? []) {
    switch (part.type) {
      case 'Literal':
      case 'SingleQuoted':
      case 'AnsiCQuoted':
        literal += part.value;
        continue;
      case 'ProcessSubstitution':
        return false; // a /dev/fd path
      case 'DoubleQuoted':
      case 'LocaleString': {
        let quoted = true;
        for (const p of part.parts) {
          if (p.type === 'Literal') literal += p.value;
          else if (openName(literal)) {
            const decided = expansionVariables(p);
            if (decided === true) return true;
            variables.push(...decided);
            quoted = false;
          }
        }
        if (!quoted) literal = DYNAMIC;
        continue;
      }
      case 'Glob':
      case 'ExtendedGlob':
      case 'BraceExpansion':
        if (openName(literal) || part.parts?.some((p) => p.type !== 'Literal' && p.type !== 'SingleQuoted'))
          return true;
        literal += part.text;
        continue;
      default: {
        // Unquoted: split into words, any of which may be an option.
        const decided = expansionVariables(part);
        if (decided === true) return true;
        variables.push(...decided);
      }
    }
  }
  return variables.length > 0 ? variables : false;
}

/** The variable an expansion reads, or `true` when its text is written in the command or computed. */
function expansionVariables(part: WordPart): true | string[] {
  if (part.type === 'SimpleExpansion') return [part.text.slice(1)];
  if (part.type === 'ParameterExpansion') {
    const kind = part.operation?.type;
    return kind === 'Default' || kind === 'Replace' || kind === 'Unknown' ? true : [part.parameter];
  }
  return true;
}

/** An option's name is still open after this literal start: nothing yet, or `-`/`--na` without `=`. */
function openName(literal: string): boolean {
  return literal === '' || (literal.startsWith('-') && !literal.includes('='));
}
