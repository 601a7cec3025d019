/**
 * sed and awk take a program as an argument, and both languages can run commands and write files:
 * sed's `e` command, `s///e` and `w`; awk's `system()`, pipes (`print | "sh"`, `"cmd" | getline`),
 * `print > file` and gawk's `@load`. These return what a program argument does of that kind (empty
 * when nothing), so `Bash(sed:*)` covers `sed 's/a/b/'` but not `sed 's/a/b/e'`. A program read from
 * a file (`-f`) or one that does not parse as expected counts too: only a rule naming it covers it.
 */
export function sedRunsCode(args: readonly string[]): string[] {
  const found: string[] = [];
  const scripts: string[] = [];
  let scriptGiven = false;
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === '--sandbox') return [];
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
    if (!scriptGiven) {
      scripts.push(word);
      scriptGiven = true;
    }
  }
  for (const script of scripts) found.push(...sedScript(script));
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

const SED_PLAIN = new Set('{}=dDgGhHnNpPxzF'.split(''));

/** GNU sed's commands that run a program (`e`, `s///e`) or write a file (`w`, `W`, `s///w`). */
function sedScript(script: string): string[] {
  const found = new Set<string>();
  const n = script.length;
  let i = 0;
  const restOfLine = () => {
    while (i < n && script[i] !== '\n') i++;
  };
  const label = () => {
    while (i < n && script[i] !== '\n' && script[i] !== ';') i++;
  };
  /** Past a regex or replacement ending at `delim`; brackets hold a literal delimiter in a regex. */
  const skipTo = (delim: string, regex: boolean): boolean => {
    while (i < n) {
      const c = script[i]!;
      if (c === '\\') i += 2;
      else if (c === delim) {
        i++;
        return true;
      } else if (regex && c === '[') {
        const end = bracketEnd(script, i);
        if (end === -1) return false;
        i = end + 1;
      } else i++;
    }
    return false;
  };
  const address = (): boolean => {
    const c = script[i];
    if (c === '/' || c === '\\') {
      const delim = c === '/' ? '/' : script[i + 1]!;
      i += c === '/' ? 1 : 2;
      if (!skipTo(delim, true)) return false;
      while (script[i] === 'I' || script[i] === 'M') i++;
    } else if (c === '$') i++;
    else if (c === '+' || c === '~' || /\d/.test(c ?? '')) {
      i++;
      while (/[\d~]/.test(script[i] ?? '')) i++;
    }
    return true;
  };
  while (i < n) {
    while (i < n && /[\s;]/.test(script[i]!)) i++;
    if (i >= n) break;
    if (script[i] === '#') {
      restOfLine();
      continue;
    }
    if (!address()) return ['script it cannot read'];
    while (script[i] === ' ' || script[i] === '\t') i++;
    if (script[i] === ',') {
      i++;
      while (script[i] === ' ') i++;
      if (!address()) return ['script it cannot read'];
    }
    while (script[i] === ' ' || script[i] === '\t' || script[i] === '!') i++;
    const command = script[i++] ?? '';
    if (SED_PLAIN.has(command)) continue;
    switch (command) {
      case 'e':
        found.add('e command');
        restOfLine();
        break;
      case 'w':
      case 'W':
        found.add('w command');
        restOfLine();
        break;
      case 'r':
      case 'R':
        restOfLine();
        break;
      case 'a':
      case 'i':
      case 'c':
        // Text to the end of the line, continued past lines ending in a backslash.
        while (i < n) {
          restOfLine();
          if (script[i - 1] !== '\\') break;
          i++;
        }
        break;
      case ':':
      case 'b':
      case 't':
      case 'T':
      case 'v':
        label();
        break;
      case 'l':
      case 'L':
      case 'q':
      case 'Q':
        while (/[\s\d]/.test(script[i] ?? '') && script[i] !== '\n') i++;
        break;
      case 's':
      case 'y': {
        const delim = script[i++];
        if (delim === undefined || delim === '\n' || delim === '\\') return ['script it cannot read'];
        if (!skipTo(delim, command === 's') || !skipTo(delim, false)) return ['script it cannot read'];
        while (command === 's' && i < n && /[gpiImMe\dw]/.test(script[i]!)) {
          if (script[i] === 'e') found.add('e command');
          if (script[i] === 'w') {
            found.add('w command');
            restOfLine();
            break;
          }
          i++;
        }
        break;
      }
      default:
        return ['script it cannot read'];
    }
  }
  return [...found];
}

/** Index of the `]` closing the bracket expression opened at `start`, or -1. */
function bracketEnd(text: string, start: number): number {
  let j = start + 1;
  if (text[j] === '^') j++;
  if (text[j] === ']') j++;
  while (j < text.length && text[j] !== ']') {
    if (text[j] === '[' && /[:.=]/.test(text[j + 1] ?? '')) {
      const close = text.indexOf(`${text[j + 1]}]`, j + 2);
      if (close === -1) return -1;
      j = close + 2;
    } else j++;
  }
  return j < text.length ? j : -1;
}

/** awk's options that name a program file or a library, and the letters whose value follows. */
const AWK_FILES = new Set(['f', 'E', 'i', 'l', 'o', 'p']);
const AWK_VALUES = new Set(['F', 'v', 'e', 'W', ...AWK_FILES]);
/** gawk's letters whose value, if any, is attached (`-d[file]`): the rest of the word. */
const AWK_OPTIONAL = new Set(['d', 'D', 'L']);
const AWK_LONG_FILES = ['--file', '--exec', '--include', '--load', '--pretty-print', '--profile'];
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
        if (AWK_OPTIONAL.has(letter)) break;
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

/** Characters after which `/` starts a regex literal rather than a division. */
const BEFORE_REGEX = new Set('(,~!{};&|\n=<>?:'.split(''));

function awkProgram(text: string): string[] {
  // The program's code with strings, regex literals and comments blanked out.
  let code = '';
  let last = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && text[i + 1] === '\n') {
      // A line continued: what follows is read as if on the same line (`1 \⏎/ 2` divides).
      i++;
      code += ' ';
    } else if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      if (i >= text.length) return ['script it cannot read'];
      code += '""';
      last = '"';
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      code += '\n';
      last = '\n';
    } else if (c === '/' && (last === '' || BEFORE_REGEX.has(last))) {
      i++;
      while (i < text.length && text[i] !== '/') {
        if (text[i] === '[') {
          const end = bracketEnd(text, i);
          if (end === -1) return ['script it cannot read'];
          i = end + 1;
        } else i += text[i] === '\\' ? 2 : 1;
      }
      if (i >= text.length) return ['script it cannot read'];
      code += '//';
      last = '/';
    } else {
      code += c;
      if (c !== ' ' && c !== '\t') last = c;
    }
  }
  const found: string[] = [];
  if (/\bsystem\s*\(/.test(code)) found.push('system()');
  if (code.replaceAll('||', '').includes('|')) found.push('pipe');
  if (/\bprintf?\b[^;{}\n]*>/.test(code)) found.push('print to a file');
  if (/@(load|include)\b/.test(code)) found.push('@load');
  // gawk's indirect call `@f(...)` calls the function named by `f`'s value, `system` included.
  if (/@[A-Za-z_][\w:]*\s*\(/.test(code)) found.push('indirect call');
  return found;
}
