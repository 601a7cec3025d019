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
    [['/[/|]x/ {print}', 'f'], []],
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
    // An optional value is attached: `-d/tmp/vars` dumps variables there and reads no program.
    expect(awkRunsCode(['-d/tmp/vars', '{print}', 'f'])).toEqual([]);
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
      "awk -F: '{print $1}' /etc/passwd",
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
