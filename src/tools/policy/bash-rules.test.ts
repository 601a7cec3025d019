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
