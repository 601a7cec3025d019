import { describe, expect, it } from 'vitest';
import { codeLoadingOptions } from './code-loading-options.ts';

const options = (command: string, computed: string[] = []) =>
  codeLoadingOptions(command.split(' '), (w) => computed.includes(w));

describe('code-loading options of a simple command', () => {
  it.each([
    ['npm test --node-options=--require=x', ['npm --node-options']],
    ['npm test exec -c x', ['npm -c']],
    ['npm test --node-options --require=x', ['npm --node-options', 'npm --require']],
    ['npm test -- --node-options=x', []],
    ['npm exec -c cmd', ['npm -c']],
    ['npm exec -- vitest --config=x', ['vitest --config']],
    ['npx --yes vitest run -cx.ts', ['vitest -c']],
    ['npx -p pkg vitest', ['npx -p']],
    ['npx eslint --config x', []],
    ['pnpm exec jest --setupFiles x', ['jest --setupFiles']],
    ['yarn vitest --root /tmp', ['vitest --root']],
    ['/usr/bin/node -pe 1', ['node -p']],
    ['node -r./x.js app.js', ['node -r']],
    ['node --title x app.js', []],
    ['node -C dev -r x', ['node -r']],
    ['python3.12 -Sc code', ['python -c']],
    ['python -W error::DeprecationWarning -m pytest -p x', ['python -m', 'pytest -p']],
    ['python -Werror::Deprecation -mpytest -q', ['python -m']],
    ['python script.py -c conf', []],
    ['git -c a=b -C dir log --output=x', ['git -c', 'git -C', 'git --output']],
    ['git diff -c HEAD', []],
    ['git commit -c HEAD', []],
    ['git add -u', []],
    ['git clone -u x src', ['git -u']],
    ['git submodule foreach cmd', ['git foreach']],
    ['make -j4 -sf evil.mk', ['make -f']],
    ['make CC=evil test', ['make CC=']],
    ['tar -czf out-I.tgz src', []],
    ['tar xIf zstd a.tar', ['tar -I']],
    ['find . -name x -delete', ['find -delete']],
    ['ls --pre x', []],
  ])('%s → %j', (command, expected) => {
    expect(options(command)).toEqual(expected);
  });

  it('a computed word counts as an option only where one could be, before `--`', () => {
    expect(options('npm test $X', ['$X'])).toEqual(['npm <computed>']);
    expect(options('npm test -- $X', ['$X'])).toEqual([]);
    expect(options('git add $X', ['$X'])).toEqual([]);
    expect(options('cat $X', ['$X'])).toEqual([]);
  });
});
