import { awkProgram } from './awk-program.ts';

/**
 * sed and awk take a program as an argument, and both languages can run commands and write files:
 * sed's `e` command, `s///e` and `w`; awk's `system()`, pipes (`print | "sh"`, `"cmd" | getline`),
 * `print > file` and gawk's `@load`. These return what a program argument does of that kind (empty
 * when nothing), so `Bash(sed:*)` covers `sed 's/a/b/'` but not `sed 's/a/b/e'`. A program read from
 * a file (`-f`) or one that does not parse as expected counts too: only a rule naming it covers it.
 * The programs are read as the tools read them (a sed label ends at a blank, `/` after awk's `print`
 * starts a regex), and where the tools, or their versions, would read one differently it counts as
 * unreadable: what looks like text to this reader must be text to the program too.
 */
export function sedRunsCode(args: readonly string[]): string[] {
  const found: string[] = [];
  const scripts: string[] = [];
  let scriptGiven = false;
  let operandSeen = false;
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    // Only before the operands: with POSIXLY_CORRECT set, options end at the first one.
    if (word === '--sandbox' && !operandSeen) return [];
    if (word === '--') {
      if (!scriptGiven && args[i + 1] !== undefined) scripts.push(args[i + 1]!);
      scriptGiven = true;
      break;
    }
    if (word.startsWith('--')) {
      const [given, value] = splitLong(word);
      const name = SED_LONG.find((full) => abbreviates(given, full)) ?? given;
      const next = value ?? args[i + 1];
      if (name === '--expression' || name === '--file') {
        if (value === undefined) i++;
        scriptGiven = true;
        if (name === '--file') found.push('-f');
        else if (next !== undefined) scripts.push(next);
      } else if (name === '--line-length' && value === undefined) i++;
      continue;
    }
    if (word.startsWith('-') && word.length > 1) {
      for (let j = 1; j < word.length; j++) {
        const letter = word[j]!;
        if (letter === 'i') break; // -i[SUFFIX]
        if (letter === 'e' || letter === 'f' || letter === 'l') {
          const value = j + 1 < word.length ? word.slice(j + 1) : args[++i];
          if (letter === 'e' && value !== undefined) scripts.push(value);
          if (letter === 'f') found.push('-f');
          if (letter !== 'l') scriptGiven = true;
          break;
        }
      }
      continue;
    }
    operandSeen = true;
    if (!scriptGiven) {
      scripts.push(word);
      scriptGiven = true;
    }
  }
  if (scripts.length > 0) found.push(...sedScript(scripts.join('\n')));
  return [...new Set(found)];
}

function splitLong(word: string): [string, string | undefined] {
  const eq = word.indexOf('=');
  return eq === -1 ? [word, undefined] : [word.slice(0, eq), word.slice(eq + 1)];
}

/**
 * Whether `given` names the long option `full`: GNU getopt takes any unique prefix (`--expr` is
 * `--expression`). A prefix shared with another option is refused by the program, so counting it as
 * this one only ever finds more.
 */
function abbreviates(given: string, full: string): boolean {
  return given.length > 2 && full.startsWith(given);
}

/** GNU sed's long options that take a value. */
const SED_LONG = ['--expression', '--file', '--line-length'];

/** C's `isspace`, which GNU sed skips between commands (`in_nonblank` skips only blanks). */
const SED_SPACE = new Set([' ', '\t', '\n', '\v', '\f', '\r']);
/** Commands that take nothing and end there (`read_end_of_cmd`). */
const SED_PLAIN = new Set('=dDFgGhHnNpPxz'.split(''));

/**
 * GNU sed's commands that run a program (`e`, `s///e`) or write a file (`w`, `W`, `s///w`), read as
 * sed 4.9's compile.c reads the script (the `-e` parts joined by newlines: a text ending in a
 * backslash goes on in the next part, as sed's pending text does). Anything sed would refuse, or
 * read in a way this does not follow, counts as unreadable.
 */
function sedScript(s: string): string[] {
  const unreadable = ['script it cannot read'];
  const found = new Set<string>();
  const n = s.length;
  let i = 0;
  const blanks = () => {
    while (s[i] === ' ' || s[i] === '\t') i++;
  };
  const digits = () => {
    while (/\d/.test(s[i] ?? '')) i++;
  };
  const restOfLine = () => {
    while (i < n && s[i] !== '\n') i++;
  };
  /** `read_end_of_cmd`: blanks, then the end of the line or script or a `;`, or a `}`/`#` read next. */
  const endOfCommand = (): boolean => {
    blanks();
    if (i >= n || s[i] === '\n' || s[i] === ';') {
      i++;
      return true;
    }
    return s[i] === '}' || s[i] === '#';
  };
  /** `read_label`: up to a blank, newline, `;`, `}` or `#`, which is read next (`:a e cmd` runs `e`). */
  const label = (): string => {
    blanks();
    const start = i;
    while (i < n && !/[ \t\n;}#]/.test(s[i]!)) i++;
    return s.slice(start, i);
  };
  /**
   * The text of `a`, `i`, `c` or `e` (`read_text`): after blanks, `a\` takes the next character as
   * the text's first (a newline: the text is on the next line); then to the end of the line, each
   * backslash escaping the next character. `a x\⏎` goes on; `a x\\⏎` is an escaped backslash and ends.
   */
  const text = () => {
    blanks();
    if (s[i] === '\\') i += 2;
    while (i < n && s[i] !== '\n') i += s[i] === '\\' ? 2 : 1;
  };
  /**
   * `snarf_char_class`: past a bracket expression in a regex (`i` after its `[`); a delimiter in it
   * does not end the regex. Only `[:class:]` is read inside: sed's reading of `[.`, `[=` and `[:` is
   * not the regex compiler's (`[[...]]`), so those count as unreadable.
   */
  const bracket = (): boolean => {
    if (s[i] === '^') i++;
    if (s[i] === ']') i++;
    while (i < n && s[i] !== '\n') {
      if (s[i] === ']') {
        i++;
        return true;
      }
      if (s[i] === '[' && /[.:=]/.test(s[i + 1] ?? '')) {
        const named = /^\[:[A-Za-z]+:\]/.exec(s.slice(i, i + 16));
        if (!named) return false;
        i += named[0].length;
      } else i++;
    }
    return false;
  };
  /** `match_slash`: past a regex or text ending at `delim`, on one line unless a newline is escaped. */
  const slashed = (delim: string | undefined, regex: boolean): boolean => {
    if (delim === undefined || delim === '\n' || delim > '\x7f') return false;
    while (i < n && s[i] !== '\n') {
      const c = s[i++]!;
      if (c === delim) return true;
      if (c === '\\') {
        if (i >= n) return false;
        i++;
      } else if (c === '[' && regex && !bracket()) return false;
    }
    return false;
  };
  /** `compile_address`: whether one was read, undefined if it does not end. */
  const address = (): boolean | undefined => {
    const c = s[i];
    if (c === '/' || c === '\\') {
      i++;
      if (!slashed(c === '/' ? '/' : s[i++], true)) return undefined;
      for (blanks(); s[i] === 'I' || s[i] === 'M'; blanks()) i++;
      return true;
    }
    if (/\d/.test(c ?? '')) {
      digits();
      blanks();
      if (s[i] === '~') {
        i++;
        blanks();
        digits();
      }
      return true;
    }
    if (c === '+' || c === '~') {
      i++;
      blanks();
      digits();
      return true;
    }
    if (c === '$') i++;
    return c === '$';
  };
  /** `mark_subst_opts`: the flags after `s///`, each after blanks, up to the end of the command. */
  const substFlags = (): boolean => {
    for (;;) {
      blanks();
      const flag = s[i++];
      if (flag === undefined || flag === '\n' || flag === ';') return true;
      if (flag === '}' || flag === '#') {
        i--;
        return true;
      }
      if (flag === 'e') found.add('e command');
      else if (flag === 'w') {
        found.add('w command');
        restOfLine();
        return true;
      } else if (/\d/.test(flag)) digits();
      else if (flag === '\r' && s[i] === '\n') {
        i++;
        return true;
      } else if (!'gpiImM'.includes(flag)) return false;
    }
  };
  for (;;) {
    while (i < n && (s[i] === ';' || SED_SPACE.has(s[i]!))) i++;
    if (i >= n) break;
    const addressed = address();
    if (addressed === undefined) return unreadable;
    if (addressed) {
      blanks();
      if (s[i] === ',') {
        i++;
        blanks();
        if (address() !== true) return unreadable;
        blanks();
      }
    }
    if (s[i] === '!') {
      i++;
      blanks();
    }
    const command = s[i++] ?? '';
    if (SED_PLAIN.has(command)) {
      if (!endOfCommand()) return unreadable;
      continue;
    }
    switch (command) {
      case '#':
        if (addressed) return unreadable;
        restOfLine();
        break;
      case '{':
        break;
      case '}':
        if (addressed || !endOfCommand()) return unreadable;
        break;
      case ':':
        if (addressed || label() === '') return unreadable;
        break;
      case 'b':
      case 't':
      case 'T':
      case 'v':
        label();
        break;
      case 'e':
        found.add('e command');
        text();
        break;
      case 'a':
      case 'i':
      case 'c':
        blanks();
        if (i >= n) return unreadable;
        text();
        break;
      case 'l':
      case 'L':
      case 'q':
      case 'Q':
        blanks();
        digits();
        if (!endOfCommand()) return unreadable;
        break;
      case 'r':
      case 'R':
        restOfLine();
        break;
      case 'w':
      case 'W':
        found.add('w command');
        restOfLine();
        break;
      case 's': {
        const delim = s[i++];
        if (!slashed(delim, true) || !slashed(delim, false) || !substFlags()) return unreadable;
        break;
      }
      case 'y': {
        const delim = s[i++];
        if (!slashed(delim, false) || !slashed(delim, false) || !endOfCommand()) return unreadable;
        break;
      }
      default:
        return unreadable;
    }
  }
  return [...found];
}

/** awk's options that name a program file or a library, and the letters whose value follows. */
const AWK_FILES = new Set(['f', 'E', 'i', 'l', 'o', 'p']);
const AWK_VALUES = new Set(['F', 'v', 'e', 'W', ...AWK_FILES]);
/** gawk's letters whose value, if any, is attached (`-d[file]`): the rest of the word. */
const AWK_OPTIONAL = new Set(['d', 'D', 'L']);
const AWK_LONG_FILES = [
  '--file',
  '--exec',
  '--include',
  '--load',
  '--pretty-print',
  '--profile',
  // A variable dump written to a file, and the debugger (its commands evaluate awk): fail closed.
  '--dump-variables',
  '--debug',
];
/** gawk's long options whose value may be the next word. */
const AWK_LONG_VALUES = [
  '--file',
  '--exec',
  '--include',
  '--load',
  '--source',
  '--assign',
  '--field-separator',
];

/**
 * What a `-W` value names: gawk reads `-W name` as `--name`, mawk takes abbreviations (`-We` is
 * `-W exec`) and lists (`-Winteractive,exec`). The options, and whether the last takes the next word.
 */
function awkW(value: string): { runsCode: boolean; takesNext: boolean } {
  const items = value.split(',').map((item) => splitLong(`--${item}`));
  const [lastName, lastValue] = items.at(-1)!;
  return {
    runsCode: items.some(([name]) => [...AWK_LONG_FILES, '--source'].some((full) => abbreviates(name, full))),
    takesNext: lastValue === undefined && AWK_LONG_VALUES.some((full) => abbreviates(lastName, full)),
  };
}

export function awkRunsCode(args: readonly string[]): string[] {
  const found: string[] = [];
  const programs: string[] = [];
  let programGiven = false;
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === '--sandbox' || word === '-S') return [];
    if (word === '--') {
      if (!programGiven && args[i + 1] !== undefined) programs.push(args[i + 1]!);
      programGiven = true;
      break;
    }
    if (word.startsWith('--')) {
      const [given, value] = splitLong(word);
      const named = (full: string) => abbreviates(given, full);
      const file = AWK_LONG_FILES.find(named);
      if (file) {
        found.push(file);
        programGiven = true;
      }
      if (named('--source')) {
        programs.push(value ?? args[i + 1] ?? '');
        programGiven = true;
      }
      if (value === undefined && AWK_LONG_VALUES.some(named)) i++;
      continue;
    }
    if (word.startsWith('-') && word.length > 1) {
      // A cluster of letters (`-bf prog.awk`), up to one whose value is the rest or the next word.
      for (let j = 1; j < word.length; j++) {
        const letter = word[j]!;
        if (AWK_OPTIONAL.has(letter)) {
          // gawk's `-d[file]` writes a variable dump (awkvars.out by default) and `-D` starts its
          // debugger, whose commands evaluate awk: both fail closed, as a file written or code run.
          if (letter !== 'L') found.push(`-${letter}`);
          break;
        }
        if (!AWK_VALUES.has(letter)) continue;
        const value = j + 1 < word.length ? word.slice(j + 1) : args[++i];
        const w = letter === 'W' ? awkW(value ?? '') : undefined;
        if (AWK_FILES.has(letter) || w?.runsCode) {
          found.push(`-${letter}`);
          programGiven = true;
        }
        if (w?.takesNext) i++;
        if (letter === 'e') {
          programs.push(value ?? '');
          programGiven = true;
        }
        break;
      }
      continue;
    }
    // The program, or the first operand after `-f`/`-e`: options end there (`awk 'prog' --sandbox`
    // hands `--sandbox` to the program).
    if (!programGiven) programs.push(word);
    break;
  }
  for (const program of programs) found.push(...awkProgram(program));
  return [...new Set(found)];
}
