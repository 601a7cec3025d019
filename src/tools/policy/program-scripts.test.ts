import { describe, expect, it } from 'vitest';
import { analyzeBash } from './bash-commands.ts';
import { compileRule } from './compiled-rules.ts';
import { decide } from './decide.ts';
import { awkRunsCode, sedRunsCode } from './program-scripts.ts';
import { parseRule } from './rule-syntax.ts';
import { secretPaths } from './secret-paths.ts';

const bases = { cwd: '/ws', home: '/home/u', root: '/ws' };

/** The decision on a Bash command under allow rules only, as a subagent in default mode gets it. */
function underAllow(command: string, allow: string[]) {
  const rules = allow.map((text) => {
    const parsed = parseRule(text);
    if (!parsed.ok) throw new Error(parsed.message);
    return compileRule(parsed.rule, { text, behavior: 'allow', source: 'test', bases });
  });
  return decide(
    { name: 'Bash', bash: () => analyzeBash(command) },
    rules,
    'default',
    secretPaths([], [], bases),
  );
}

const refusal = (shown: string, uses: string, rule: string) =>
  `Bash denied: \`${shown}\` uses \`${uses}\`, which can make the program run other code: \`${rule}\` (test) covers it only if it spells it out (e.g. \`Bash(node -e:*)\` covers \`node -e\`), and nobody can approve it in this unattended run (permissionMode default)`;

describe('sed programs', () => {
  it.each([
    [['s/a/b/'], []],
    [['-n', 's/a/b/gp; /x/d', 'f'], []],
    [['-e', 's|a/b|c|', '-e', 'y/abc/xyz/', 'f'], []],
    [['s/[/]/x/', 'f'], []],
    [['-E', '/^#/!{s/e/w/g}', 'f'], []],
    [['1a\\', 'text with e and w'], []],
    [['s/x/y/e'], ['e command']],
    [['s/[/]/x/e'], ['e command']],
    [['-ne', '1e date'], ['e command']],
    [['$!{N}; e date'], ['e command']],
    [['s/a/b/w out'], ['w command']],
    [['--expression=/x/w out'], ['w command']],
    [['-f', 'evil.sed', 'f'], ['-f']],
    [['-i.bak', 's/x/y/e', 'f'], ['e command']],
    [['--sandbox', 's/x/y/e'], []],
    [['s/unterminated'], ['script it cannot read']],
    [['k'], ['script it cannot read']],
  ])('sed %j → %j', (args, expected) => {
    expect(sedRunsCode(args)).toEqual(expected);
  });
});

describe('awk programs', () => {
  it.each([
    [['{print $1}', 'f'], []],
    [['-F:', '$3 > 100 {print $1}', 'f'], []],
    [['/a|b/ {n++} END {print n}'], []],
    [['{ if ($1 ~ /x|y/ || $2) print "a|b" }'], []],
    [['-v', 'x=1', 'BEGIN { y = 4 / 2; print y / x }'], []],
    [['BEGIN{system("date")}'], ['system()']],
    [['{print | "sh"}'], ['pipe']],
    [['BEGIN{"date" | getline d}'], ['pipe']],
    [['{print > ".git/config"}'], ['print to a file']],
    [['{printf "%s", $0 >> "out"}'], ['print to a file']],
    [['@load "x"'], ['@load']],
    [['-f', 'prog.awk'], ['-f']],
    [['--exec=prog.awk'], ['--exec']],
    [['--sandbox', 'BEGIN{system("date")}'], []],
    [['{print "unterminated'], ['script it cannot read']],
  ])('awk %j → %j', (args, expected) => {
    expect(awkRunsCode(args)).toEqual(expected);
  });
});

describe('sed: where the program is, and what its commands do', () => {
  it.each([
    // After `--` the first word is the script, unless one was given; then all are files.
    [['--', 's/x/y/e', 'f'], ['e command']],
    [['-n', '--', 's/a/b/', 'f'], []],
    [['-e', 'p', '--', 's/x/y/e'], []],
    // `-l N` and `--line-length N` take the next word: the script is the one after.
    [['--line-length', '5', 's/x/y/e'], ['e command']],
    [['--line-length=5', 'p', 'f'], []],
    [['-l', '5', 'l', 'f'], []],
    // Labels, branches, comments, line counts and reads run nothing.
    [[':a;N;$!ba;s/\\n/ /g', 'f'], []],
    [['/x/bend; s/a/b/; :end', 'f'], []],
    [['# e is only a word here\np', 'f'], []],
    [['10q', 'f'], []],
    [['$!N; l 40; Q 3', 'f'], []],
    [['/include/r other.txt', 'f'], []],
    [['$R other.txt', 'f'], []],
    // Ranges: both addresses are read, and the command after them.
    [['/start/,/end/d', 'f'], []],
    [['1, /end/ w out', 'f'], ['w command']],
    [['/a/,+2 e date', 'f'], ['e command']],
    [['1,/unterminated', 'f'], ['script it cannot read']],
    // POSIX classes inside brackets hold a `/` or `]` that does not end the regex.
    [['s/[[:space:]/]*$//', 'f'], []],
    [['s/[[:space:]/]*$//e', 'f'], ['e command']],
    [['s/[[:alpha/x/', 'f'], ['script it cannot read']],
  ])('sed %j → %j', (args, expected) => {
    expect(sedRunsCode(args)).toEqual(expected);
  });

  it('a long option abbreviated as GNU sed accepts it is still that option (was a bypass)', () => {
    expect(sedRunsCode(['--expr=1e touch p', 'package.json'])).toEqual(['e command']);
    expect(sedRunsCode(['--exp', '1e touch p', 'package.json'])).toEqual(['e command']);
    expect(sedRunsCode(['--e=s/x/y/w out', 'f'])).toEqual(['w command']);
    expect(sedRunsCode(['--fil=evil.sed', 'package.json'])).toEqual(['-f']);
    expect(sedRunsCode(['--line', '5', 's/x/y/e'])).toEqual(['e command']);
    // Other long options take no value: the next word is the script.
    expect(sedRunsCode(['--posix', 's/x/y/e'])).toEqual(['e command']);
    expect(sedRunsCode(['--debug', 'p', 'f'])).toEqual([]);
  });
});

describe('awk: where the program is, and what it does', () => {
  it.each([
    // After `--` the first word is the program.
    [['--', 'BEGIN{system("date")}'], ['system()']],
    [['-F:', '--', '{print $1}', 'f'], []],
    // `-e`/`--source` give the program text; `-v`/`--assign`/`-F` a value in the next word.
    [['-e', 'BEGIN{system("date")}'], ['system()']],
    [['--source', 'BEGIN{system("date")}'], ['system()']],
    [['--source={print $1}', 'f'], []],
    [['--assign', 'x=1', '{print x}', 'f'], []],
    [['--assign', 'x=1', 'BEGIN{system("date")}'], ['system()']],
    [['-F', ':', 'BEGIN{system("date")}'], ['system()']],
    // Comments and regex literals are not code; a `/` inside brackets does not end the regex.
    [['# system("date") | sh\n{print}', 'f'], []],
    // A `/` in brackets ends the regex in the one true awk but not in gawk or mawk: not read.
    [['/[/|]x/ {print}', 'f'], ['script it cannot read']],
    [['$1 ~ /[[:digit:]|]/ {print}', 'f'], []],
    [['/[abc/ {print}'], ['script it cannot read']],
    [['/unterminated {print}'], ['script it cannot read']],
    [['/[[:alpha/ {print}'], ['script it cannot read']],
  ])('awk %j → %j', (args, expected) => {
    expect(awkRunsCode(args)).toEqual(expected);
  });

  it('options end at the program: a `--sandbox` or `-S` after it is the program’s argument (was a bypass)', () => {
    expect(awkRunsCode(['BEGIN{system("touch p")}', '--sandbox'])).toEqual(['system()']);
    expect(awkRunsCode(['BEGIN{system("touch p")}', '-S'])).toEqual(['system()']);
    expect(awkRunsCode(['-e', 'BEGIN{system("touch p")}', 'f', '--sandbox'])).toEqual(['system()']);
    // Nor is a later `-e` or `-f` read as one.
    expect(awkRunsCode(['{print}', '-f', 'x.awk', '-e', 'BEGIN{system("x")}'])).toEqual([]);
    // Before the program it is the real sandbox.
    expect(awkRunsCode(['-S', 'BEGIN{system("touch p")}'])).toEqual([]);
  });

  it('mawk’s and gawk’s `-W` forms that read code count, abbreviated or in a list (was a bypass)', () => {
    expect(awkRunsCode(['-We', 'evil.awk'])).toEqual(['-W']);
    expect(awkRunsCode(['-W', 'e', 'evil.awk'])).toEqual(['-W']);
    expect(awkRunsCode(['-Winteractive,ex', 'evil.awk'])).toEqual(['-W']);
    expect(awkRunsCode(['-W', 'source=BEGIN{print}'])).toEqual(['-W']);
    expect(awkRunsCode(['-Wfile=evil.awk'])).toEqual(['-W']);
    // gawk's `-W assign` takes the next word like `--assign`: the program is the one after.
    expect(awkRunsCode(['-W', 'ass', 'x=1', 'BEGIN{system("x")}'])).toEqual(['system()']);
    // The harmless ones stay harmless.
    expect(awkRunsCode(['-W', 'version'])).toEqual([]);
    expect(awkRunsCode(['-Winteractive', '{print}', 'f'])).toEqual([]);
    expect(awkRunsCode(['-W', 'sprintf=2000', '{print}', 'f'])).toEqual([]);
  });

  it('gawk’s long options abbreviated (`--so`, `--fi`, `--ex`) are those options (was a bypass)', () => {
    expect(awkRunsCode(['--so=BEGIN{system("x")}'])).toEqual(['system()']);
    expect(awkRunsCode(['--fi=evil.awk', 'f'])).toEqual(['--file']);
    expect(awkRunsCode(['--ex', 'evil.awk'])).toEqual(['--exec']);
    expect(awkRunsCode(['--inc', 'lib.awk', '{print}'])).toEqual(['--include']);
    expect(awkRunsCode(['--lo', 'ext'])).toEqual(['--load']);
    expect(awkRunsCode(['--field-separator', ':', 'BEGIN{system("x")}'])).toEqual(['system()']);
    expect(awkRunsCode(['--ass', 'x=1', 'BEGIN{system("x")}'])).toEqual(['system()']);
    expect(awkRunsCode(['--posix', '{print}', 'f'])).toEqual([]);
  });

  it('letters cluster as getopt reads them: `-bf prog.awk` reads a program file (was a bypass)', () => {
    expect(awkRunsCode(['-bf', 'evil.awk', 'f'])).toEqual(['-f']);
    expect(awkRunsCode(['-ce', 'BEGIN{system("x")}'])).toEqual(['system()']);
    expect(awkRunsCode(['-bF:', '{print $1}', 'f'])).toEqual([]);
    // gawk's `-d[file]` writes a variable dump (there, or awkvars.out) and `-D` runs its debugger,
    // whose commands evaluate awk: both count, attached value or not. `-L` (lint) does not.
    expect(awkRunsCode(['-d/tmp/vars', '{print}', 'f'])).toEqual(['-d']);
    expect(awkRunsCode(['-d', '{print}', 'f'])).toEqual(['-d']);
    expect(awkRunsCode(['-D', '{print}', 'f'])).toEqual(['-D']);
    expect(awkRunsCode(['--dump-variables=/tmp/v', '{print}', 'f'])).toEqual(['--dump-variables']);
    expect(awkRunsCode(['--debug', '{print}', 'f'])).toEqual(['--debug']);
    expect(awkRunsCode(['-Lfatal', '{print}', 'f'])).toEqual([]);
  });

  it('gawk’s indirect call and a line continued before a `/` are seen (was a bypass)', () => {
    expect(awkRunsCode(['BEGIN{f="sys" "tem"; @f("touch p")}'])).toEqual(['indirect call']);
    // `1 \⏎/ 2` divides: what follows is code, not a regex literal.
    expect(awkRunsCode(['BEGIN { x = 1 \\\n/ 2; system("touch p"); y = 4 / 2 }'])).toEqual(['system()']);
    // A newline alone starts a new pattern, which may be a regex.
    expect(awkRunsCode(['{ n++ }\n/x|y/ { print }', 'f'])).toEqual([]);
    expect(awkRunsCode(['@namespace "ns"\n{print}', 'f'])).toEqual([]);
  });
});

describe('sed: labels end at a blank, and a/i/c text at an unescaped newline (were bypasses)', () => {
  it.each([
    // GNU sed ends a label at a blank, `;`, `}` or `#` and reads the next command.
    [['-n', ':a e touch p', 'f'], ['e command']],
    [['-n', ':a\te touch p', 'f'], ['e command']],
    [['-n', ':a\nb a e touch p', 'f'], ['e command']],
    [['-n', ':x\nt x e touch p', 'f'], ['e command']],
    [['-n', ':x\nT x e touch p', 'f'], ['e command']],
    [['-n', 'v 4.2 e touch p', 'f'], ['e command']],
    [['-n', ':a#c\ne touch p', 'f'], ['e command']],
    [['-n', '{:a}\ne touch p', 'f'], ['e command']],
    [['-n', 'b#x\ne touch p', 'f'], ['e command']],
    [['-n', ': a;b a', 'f'], []],
    [['-n', '/x/{p;b}', 'f'], []],
    [[':', 'f'], ['script it cannot read']],
    // a/i/c text: an odd run of trailing backslashes escapes the newline, an even one (`\\`) is a
    // backslash and the text ends there.
    [['a foo\\\\\n1e touch p', 'f'], ['e command']],
    [['a\\\\\n1e touch p', 'f'], ['e command']],
    [['i\\\\\n1e touch p', 'f'], ['e command']],
    [['1c foo\\\\\n1e touch p', 'f'], ['e command']],
    [['$a\\\n  x\\\\\n1e touch p', 'f'], ['e command']],
    [['a\n1e touch p', 'f'], ['e command']],
    [['a foo\\\n1e touch p', 'f'], []],
    [['a foo\\\\\\\n1e touch p', 'f'], []],
    [['a\\\n1e touch p', 'f'], []],
    // `-e` parts join with newlines: a text ending in one backslash goes on in the next part.
    [['-e', 'a\\', '-e', '1e touch p', 'f'], []],
    [['-e', 'a foo\\', '-e', '1e touch p', 'f'], []],
    [['-e', 'a foo\\\\', '-e', '1e touch p', 'f'], ['e command']],
    [['-e', 'a foo', '-e', '1e touch p', 'f'], ['e command']],
  ])('sed %j → %j', (args, expected) => {
    expect(sedRunsCode(args)).toEqual(expected);
  });
});

describe('sed: s, y, w and the rest read as GNU sed reads them', () => {
  it.each([
    // Odd delimiters, and flags after blanks.
    [['s/x/y/ e', 'f'], ['e command']],
    [['s;x;touch p;e', 'f'], ['e command']],
    [['s x y e', 'f'], ['e command']],
    [['s\\x\\y\\e', 'f'], ['e command']],
    [['y/x/y/ ;1e touch p', 'f'], ['e command']],
    [['y,x,y,;1e touch p', 'f'], ['e command']],
    [['s/x/\\\ny/e', 'f'], ['e command']],
    [['s/a/b/ # e is a comment', 'f'], []],
    [['y/abc/xyz/ junk', 'f'], ['script it cannot read']],
    [['p junk', 'f'], ['script it cannot read']],
    [['s/x/y/q', 'f'], ['script it cannot read']],
    [['s/x/y/\u00e9', 'f'], ['script it cannot read']],
    [['s\u00e9x\u00e9y\u00e9', 'f'], ['script it cannot read']],
    // Brackets: sed 4.9 and the regex compiler part ways on `[.`, `[=` and odd `[:` forms
    // (`[[...]]` hid the `e` below behind what sed read as a comment); only `[:class:]` is read.
    [['s/[[...]]/x/;# .]]/y/;1e touch p', 'f'], ['script it cannot read']],
    [['s/[[=a=]]/x/', 'f'], ['script it cannot read']],
    [['s/[[:alpha:][:digit:]]/x/', 'f'], []],
    [['s/[^]/]/x/', 'f'], []],
    [['s/[\\t ]*$//', 'f'], []],
    [['\\%x%Me touch p', 'f'], ['e command']],
    [['/x/I,+1e touch p', 'f'], ['e command']],
    [['1 ! e touch p', 'f'], ['e command']],
    [['0~1e touch p', 'f'], ['e command']],
    // w/W/r/R take the rest of the line as the file name: nothing after it is a command.
    [['1r f; e touch p', 'f'], []],
    [['1r f\n1w out', 'f'], ['w command']],
    [['$W out; p', 'f'], ['w command']],
    [['l 5;1e touch p', 'f'], ['e command']],
    [['q;1e touch p', 'f'], ['e command']],
    // `--sandbox` counts before the operands only (with POSIXLY_CORRECT options end at the first).
    [['1e touch p', 'f', '--sandbox'], ['e command']],
    [['-n', '--sandbox', '1e touch p', 'f'], []],
  ])('sed %j → %j', (args, expected) => {
    expect(sedRunsCode(args)).toEqual(expected);
  });
});

describe('awk: a `/` after print, return, else, do, `(`, `,` or an operator starts a regex (was a bypass)', () => {
  const hide = (before: string) => `BEGIN { ${before} /"/; system("touch p"); y = "\\"" }`;
  it.each([
    [hide('print'), ['system()']],
    [hide('printf'), ['system()']],
    [`function f() { return /"/; system("touch p"); y = "\\"" } BEGIN { f() }`, ['system()']],
    [hide('if (1) x = 1; else'), ['system()']],
    [hide('do'), ['system()']],
    [hide('if (1)'), ['system()']],
    [hide('while (0)'), ['system()']],
    [hide('for (;;)'), ['system()']],
    [hide('x = ('), ['system()']],
    [hide('x = 1,'), ['system()']],
    [hide('x = !'), ['system()']],
    [hide('x = 1 &&'), ['system()']],
    [hide('x = $0 ~'), ['system()']],
    [hide('x = 1 +'), ['system()']],
    [hide('exit'), ['system()']],
    // Where the awks differ on what the `/` is, the program is not read: mawk matches after
    // `length` and `n++`, gawk divides; `case` and `switch` are keywords in gawk only.
    [hide('x = length'), ['script it cannot read']],
    [hide('x = 1; x++'), ['script it cannot read']],
    [hide('getline'), ['script it cannot read']],
    [hide('x = 1 in'), ['script it cannot read']],
    [hide('x = /a/'), ['script it cannot read']],
    ['BEGIN { x = case /1; system("touch p"); y = 2/ 1 }', ['script it cannot read']],
    ['BEGIN { y = switch (1) /1; system("touch p"); z = 2/ 1 }', ['script it cannot read']],
    // After an operand it divides, in every awk.
    ['BEGIN { x = 1 /2; system("touch p"); y = 2/ 1 }', ['system()']],
    ['BEGIN { x = "a" /2; system("touch p"); y = 2/ 1 }', ['system()']],
    ['BEGIN { x = a[1] /2; system("touch p"); y = 2/ 1 }', ['system()']],
    ['BEGIN { x = f(1) /2; system("touch p"); y = 2/ 1 }', ['system()']],
    ['{ x = $1 / 2; print x }', []],
    // `system` is code wherever it is: after a number, or bare (the one true awk runs `$0`).
    ['BEGIN { x = 1system("touch p") }', ['system()']],
    ['BEGIN { x = 1e2system("touch p") }', ['system()']],
    ['{ system }', ['system()']],
    ['BEGIN { awk::system("touch p") }', ['system()']],
    // Brackets the awks end differently: a `/` in them, or a backslash before `]`.
    ['BEGIN { x = /[^/]/; system("touch p") }', ['script it cannot read']],
    ['BEGIN { x = /[\\]/; y = "]/; system("touch p"); z = "" } # "', ['script it cannot read']],
    ['/^[ \\t]*$/ { n++ } END { print n }', []],
    ['$1 ~ /^[[:alpha:]_][[:alnum:]_]*$/', []],
    ['/a\\/b/', []],
    // Not awk: refused rather than guessed.
    ["BEGIN { x = 'a' }", ['script it cannot read']],
    ['BEGIN { x = 1 \\ 2 }', ['script it cannot read']],
    ['BEGIN { x = "a\nb" }', ['script it cannot read']],
    ['BEGIN { x = /a\nb/ }', ['script it cannot read']],
  ])('awk %j → %j', (program, expected) => {
    expect(awkRunsCode([program])).toEqual(expected);
  });
});

describe('awk: a print statement goes on past a newline after `,`, `&&`, `||` (was a bypass)', () => {
  it.each([
    ['BEGIN { print "a",\n"b" > "p" }', ['print to a file']],
    ['BEGIN { print "a" &&\n"b" > "p" }', ['print to a file']],
    ['BEGIN { print "a" ||\n"b" > "p" }', ['print to a file']],
    ['BEGIN { print "a", # c\n"b" > "p" }', ['print to a file']],
    ['BEGIN { print "a",\n\n"b" >> "p" }', ['print to a file']],
    ['BEGIN { print "a" \\\n > "p" }', ['print to a file']],
    ['BEGIN { printf "%s",\n"b" >> "p" }', ['print to a file']],
    ['BEGIN { print("a",\n"b") > "p" }', ['print to a file']],
    ['BEGIN { print 1 ?\n2 : 3 > "p" }', ['print to a file']],
    ['BEGIN { print 1 ? 2 :\n3 > "p" }', ['print to a file']],
    ['BEGIN { print "a" +\n1 > "p" }', ['print to a file']],
    ['BEGIN { if (1)\nprint "a" > "p" }', ['print to a file']],
    ['BEGIN { if (1) print "x"; else\nprint "a" > "p" }', ['print to a file']],
    ['BEGIN { print\n"a" | "sh" }', ['pipe']],
    ['BEGIN { system(\n"touch p") }', ['system()']],
    // In parentheses `>` compares in every awk, but it is counted all the same.
    ['{ print ($1 > 2 ? "a" : "b") }', ['print to a file']],
    // A newline after a whole operand ends the statement: the `>` after it is a pattern's.
    ['{ print $1 }\n$2 > 0 { n++ }', []],
    ['{ print\n}\n$2 > 0', []],
    ['{ print $1; if ($2 > 0) n++ }', []],
    // gawk's typed regex and namespaces are harmless; `@load`/`@include`, spaced or not, are not.
    ['BEGIN { x = @/a|b/ }', []],
    ['@ load "x"', ['@load']],
    ['@include "x.awk"', ['@load']],
    ['BEGIN { @ f() }', ['indirect call']],
    ['BEGIN { extension("x.so", "init") }', ['extension()']],
  ])('awk %j → %j', (program, expected) => {
    expect(awkRunsCode([program])).toEqual(expected);
  });
});

describe('the bypasses, as the policy decides them under `Bash(sed:*)`, `Bash(awk:*)`, `Bash(gawk:*)`', () => {
  const RULES = ['Bash(sed:*)', 'Bash(awk:*)', 'Bash(gawk:*)'];

  it.each([
    [
      "sed --expr='1e touch p' package.json",
      'sed --expr=1e touch p package.json',
      'sed e command',
      'Bash(sed:*)',
    ],
    ['sed --fil=evil.sed package.json', 'sed --fil=evil.sed package.json', 'sed -f', 'Bash(sed:*)'],
    ['awk -We evil.awk', 'awk -We evil.awk', 'awk -W', 'Bash(awk:*)'],
    ['awk -W e evil.awk', 'awk -W e evil.awk', 'awk -W', 'Bash(awk:*)'],
    [
      `awk 'BEGIN{system("touch p")}' --sandbox`,
      'awk BEGIN{system("touch p")} --sandbox',
      'awk system()',
      'Bash(awk:*)',
    ],
    ['gawk --ex evil.awk', 'gawk --ex evil.awk', 'gawk --exec', 'Bash(gawk:*)'],
    ['gawk -bf evil.awk', 'gawk -bf evil.awk', 'gawk -f', 'Bash(gawk:*)'],
    [
      `gawk 'BEGIN{f="system"; @f("touch p")}'`,
      'gawk BEGIN{f="system"; @f("touch p")}',
      'gawk indirect call',
      'Bash(gawk:*)',
    ],
    // The reviewer's four: a label ended by a blank, an escaped backslash ending `a` text, a
    // regex after `print`, and a print statement continued after a comma.
    [
      "sed -n ':a e touch p' package.json",
      'sed -n :a e touch p package.json',
      'sed e command',
      'Bash(sed:*)',
    ],
    [
      "sed 'a foo\\\\\n1e touch p' package.json",
      'sed a foo\\\\\n1e touch p package.json',
      'sed e command',
      'Bash(sed:*)',
    ],
    [
      `awk 'BEGIN { print /"/; system("touch p"); y = "\\"" }' package.json`,
      'awk BEGIN { print /"/; system("touch p"); y = "\\"" } package.json',
      'awk system()',
      'Bash(awk:*)',
    ],
    [
      `awk 'BEGIN { print "a",\n"b" > "p" }'`,
      'awk BEGIN { print "a",\n"b" > "p" }',
      'awk print to a file',
      'Bash(awk:*)',
    ],
    // Their family: a version label, `a\\`, a gawk/mawk disagreement, an `&&` continuation.
    ["sed -n 'v 4.2 e touch p' f", 'sed -n v 4.2 e touch p f', 'sed e command', 'Bash(sed:*)'],
    ["sed 'i\\\\\n1e touch p' f", 'sed i\\\\\n1e touch p f', 'sed e command', 'Bash(sed:*)'],
    [
      `awk 'BEGIN { x = length /"/; system("touch p"); y = "\\"" }'`,
      'awk BEGIN { x = length /"/; system("touch p"); y = "\\"" }',
      'awk script it cannot read',
      'Bash(awk:*)',
    ],
    [
      `gawk 'BEGIN { print "a" &&\n"b" > "p" }'`,
      'gawk BEGIN { print "a" &&\n"b" > "p" }',
      'gawk print to a file',
      'Bash(gawk:*)',
    ],
  ])('%s is denied, naming what it uses and the rule', (command, shown, uses, rule) => {
    const d = underAllow(command, RULES);
    expect(d.decision).toBe('denied');
    expect(d.reason).toBe(refusal(shown, uses, rule));
  });

  it('the everyday forms stay allowed by the rule', () => {
    for (const command of [
      "sed -n 's/a/b/p' f",
      "sed --expression='s/a/b/' --line-length=80 f",
      "sed ':a;N;$!ba;s/\\n/ /g' f",
      "sed -n '1,20p' f",
      "sed 's/a/b/g' f",
      "sed '/^#/d; s/[[:space:]]*$//' f",
      "awk -F: '{print $1}' /etc/passwd",
      "awk '{ s += $2 } END { print s }' f",
      "awk 'NR==1' f",
      "awk '/^[ \\t]*$/ { n++ } END { print n + 0 }' f",
      "awk '{ a[$1]++ } END { for (k in a) print k, a[k] }' f",
      "awk -v n=2 'NR > n' f",
      "gawk --field-separator=: '{print $1}' f",
      'awk -W version',
    ]) {
      const program = command.split(' ', 1)[0]!;
      expect(underAllow(command, RULES), command).toMatchObject({
        decision: 'allowed',
        rule: `Bash(${program}:*)`,
        reason: `allowed by \`Bash(${program}:*)\``,
      });
    }
  });
});
