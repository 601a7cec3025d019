import { describe, expect, it } from 'vitest';
import { awkRunsCode, sedRunsCode } from './program-scripts.ts';

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
