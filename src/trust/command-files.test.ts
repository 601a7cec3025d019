import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CommandLine, commandFiles, shellWords, workspaceRootOf } from './command-files.ts';

let root: string;
let outside: string;

function put(path: string, text = `// ${path}\n`, mode?: number): string {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
  if (mode !== undefined) chmodSync(full, mode);
  return full;
}

const line = (command: string, args: string[] = [], extra: Partial<CommandLine> = {}): CommandLine => ({
  command,
  args,
  env: {},
  cwd: root,
  ...extra,
});
/** The files bound (the working directory's `dir:` entry left out). */
const files = (l: CommandLine, baseDir = root) =>
  Object.entries(commandFiles(l, { baseDir, root }))
    .filter(([, digest]) => digest.startsWith('sha256:'))
    .map(([path]) => path);

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'codex-task-runs-')));
  outside = realpathSync(mkdtempSync(join(tmpdir(), 'codex-task-runs-outside-')));
  mkdirSync(join(root, '.git'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('commandFiles', () => {
  it('binds the command when it is a path, the arguments that name files, and --opt=file', () => {
    const cmd = put('bin/server', '#!/bin/sh\n', 0o755);
    const entry = put('tools/server.cjs');
    const preload = put('lib/pre.cjs');
    expect(
      files(line('./bin/server', ['--port', '3000', 'tools/server.cjs', `--require=lib/pre.cjs`])),
    ).toEqual([cmd, entry, preload]);
  });

  it('binds what a NODE_OPTIONS-style variable names, relative to the entry’s cwd or its own directory', () => {
    const inSub = put('srv/lib/telemetry.cjs');
    const atTop = put('lib/top.cjs');
    const l = line('node', ['x'], {
      cwd: 'srv',
      env: { NODE_OPTIONS: '--require ./lib/telemetry.cjs --import=./lib/top.cjs' },
    });
    expect(files(l)).toEqual([inSub, atTop]);
    expect(commandFiles(l, { baseDir: root, root })[join(root, 'srv')]).toBe(`dir:${join(root, 'srv')}`);
  });

  it('leaves out data files a server writes, files outside the workspace, and directories', () => {
    put('data/app.sqlite', 'x');
    put('logs/run.log', 'x');
    mkdirSync(join(root, 'docs'));
    writeFileSync(join(outside, 'server.js'), '//');
    expect(
      files(line('node', ['data/app.sqlite', 'logs/run.log', 'docs', join(outside, 'server.js')])),
    ).toEqual([]);
  });

  it('follows a workspace link to its target’s content, wherever that is', () => {
    writeFileSync(join(outside, 'evil.js'), 'one');
    mkdirSync(join(root, 'tools'));
    symlinkSync(join(outside, 'evil.js'), join(root, 'tools/server.js'));
    const before = commandFiles(line('node', ['tools/server.js']), { baseDir: root, root });
    writeFileSync(join(outside, 'evil.js'), 'two');
    const after = commandFiles(line('node', ['tools/server.js']), { baseDir: root, root });
    expect(Object.keys(before)).toContain(join(root, 'tools/server.js'));
    expect(after[join(root, 'tools/server.js')]).not.toBe(before[join(root, 'tools/server.js')]);
  });

  it('binds node_modules/.bin/<name> that npx, npm exec, pnpm, yarn or bunx would take, up to the root', () => {
    const top = put('node_modules/.bin/docs-mcp', '#!/bin/sh\n', 0o755);
    const scoped = put('pkg/node_modules/.bin/server-files', '#!/bin/sh\n', 0o755);
    mkdirSync(join(root, 'pkg/src'), { recursive: true });
    const cwd = join(root, 'pkg/src');
    expect(files(line('npx', ['-y', 'docs-mcp@1.2.0'], { cwd }))).toEqual([top]);
    expect(files(line('npm', ['exec', '@acme/server-files@latest'], { cwd }))).toEqual([scoped]);
    expect(files(line('pnpm', ['dlx', 'docs-mcp'], { cwd }))).toEqual([top]);
    expect(files(line('bunx', ['docs-mcp'], { cwd }))).toEqual([top]);
    // Not a package runner: a bare word is no package.
    expect(files(line('node', ['docs-mcp'], { cwd }))).toEqual([]);
  });

  it('binds a bare command PATH resolves into the workspace, and only the first match', () => {
    const local = put('node_modules/.bin/tool', '#!/bin/sh\n', 0o755);
    writeFileSync(join(outside, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    const PATH = [join(root, 'node_modules/.bin'), outside].join(':');
    expect(files(line('tool', [], { env: { PATH } }))).toEqual([local]);
    const first = [outside, join(root, 'node_modules/.bin')].join(':');
    expect(files(line('tool', [], { env: { PATH: first } }))).toEqual([]);
  });

  it('changes its digest when a bound file changes, and drops a file that is gone', () => {
    put('tools/server.cjs', 'one');
    const l = line('node', ['tools/server.cjs']);
    const one = commandFiles(l, { baseDir: root, root });
    put('tools/server.cjs', 'two');
    const two = commandFiles(l, { baseDir: root, root });
    expect(two[join(root, 'tools/server.cjs')]).not.toBe(one[join(root, 'tools/server.cjs')]);
    rmSync(join(root, 'tools/server.cjs'));
    expect(commandFiles(l, { baseDir: root, root })).not.toHaveProperty(join(root, 'tools/server.cjs'));
  });

  it('finds the workspace root as the nearest directory with .git', () => {
    mkdirSync(join(root, 'a/b'), { recursive: true });
    expect(workspaceRootOf(join(root, 'a/b'))).toBe(root);
    expect(workspaceRootOf(outside)).toBe(outside);
  });

  it('resolves node module paths as Node does, new files that would take precedence included', () => {
    const js = put('tools/mcp-server.js');
    expect(files(line('node', ['tools/mcp-server']))).toEqual([js]);
    const before = commandFiles(line('node', ['tools/mcp-server']), { baseDir: root, root });
    put('tools/mcp-server.cjs');
    expect(commandFiles(line('node', ['tools/mcp-server']), { baseDir: root, root })).not.toEqual(before);
    const manifest = put('pkg/package.json', '{"main":"lib/start"}');
    const main = put('pkg/lib/start.cjs');
    const index = put('pkg/index.js');
    expect(files(line('tsx', ['pkg']))).toEqual([manifest, main, index]);
    const pre = put('lib/pre.mjs');
    expect(files(line('python', ['-r', 'lib/pre', '--import=lib/pre']))).toEqual([pre]);
  });

  it('reads NODE_OPTIONS words as Node does: quotes removed', () => {
    const pre = put('tools/preload.cjs');
    expect(files(line('node', [], { env: { NODE_OPTIONS: '--require "./tools/preload.cjs"' } }))).toEqual([
      pre,
    ]);
    expect(files(line('node', [], { env: { NODE_OPTIONS: "--require './tools/preload'" } }))).toEqual([pre]);
  });

  it('binds the files a shell -c string names', () => {
    const server = put('tools/x.cjs');
    const other = put('tools/y');
    expect(files(line('sh', ['-c', 'exec node tools/x.cjs']))).toEqual([server]);
    expect(files(line('bash', ['-lc', "cd . && FOO='tools/y' node 'tools/x' | cat"]))).toEqual([
      other,
      server,
    ]);
  });

  it('binds what npm, pnpm, yarn and bun read from the project: package.json, its scripts, their settings', () => {
    const manifest = put(
      'package.json',
      '{"scripts":{"mcp":"node tools/mcp-server","premcp":"sh -c \'node tools/pre.cjs\'"}}',
    );
    const npmrc = put('.npmrc', 'script-shell=./evil.sh\n');
    const yarnrc = put('.yarnrc.yml');
    const pnpmfile = put('.pnpmfile.cjs');
    const server = put('tools/mcp-server.cjs');
    const pre = put('tools/pre.cjs');
    expect(files(line('npm', ['run', '--silent', 'mcp'])).sort()).toEqual(
      [manifest, npmrc, yarnrc, pnpmfile, server, pre].sort(),
    );
    expect(files(line('npx', ['-y', 'docs-mcp']))).toEqual([manifest, npmrc, yarnrc, pnpmfile]);
  });

  it('splits shell words: quotes, escapes, separators', () => {
    expect(shellWords(`a 'b c' "d \\"e\\"" f\\ g; h|i && j\nk(l)`)).toEqual([
      ['a', 'b c', 'd "e"', 'f g'],
      ['h'],
      ['i'],
      ['j'],
      ['k'],
      ['l'],
    ]);
  });
});
