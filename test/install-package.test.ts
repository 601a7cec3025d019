import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  describeRange,
  minimumNode,
  NODE_RANGE,
  parseRange,
  satisfies,
  upgradeHints,
} from '../bin/node-check.js';
import { nodeCheck } from '../src/cli/doctor-command.ts';
import { runCli } from './cli-support.ts';
import { agentFile, makeWorkspace } from './support.ts';

// Installing codex-task outside its clone (issue 17): the Node version check shared by the bin,
// `doctor` and package.json's engines; what the package holds; -C on the commands that read a project.
// scripts/test-packed.sh (run by .ci/run) installs the packed tarball and runs it on real Nodes.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'codex-task.js');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  license: string;
  engines: { node: string };
  files: string[];
};

/** A Node on this machine that the engines refuse (Debian's Node 20 here), outside node_modules/.bin. */
function findOldNode(): { path: string; version: string } | undefined {
  const onPath = (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'node'));
  for (const path of new Set([...onPath, '/usr/local/bin/node', '/usr/bin/node'])) {
    if (!existsSync(path)) continue;
    const run = spawnSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    const version = run.stdout?.trim();
    if (run.status === 0 && version && !satisfies(version)) return { path, version };
  }
  return undefined;
}
const OLD_NODE = findOldNode();
if (!OLD_NODE)
  console.warn(
    `install-package.test.ts: no Node outside ${NODE_RANGE} on PATH, /usr/local/bin or /usr/bin: the old-Node test is skipped`,
  );

/** The newest version just below the minimum, e.g. 22.18.99 below 22.19.0. */
function justBelow(version: string): string {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
  if (patch > 0) return `${major}.${minor}.${patch - 1}`;
  if (minor > 0) return `${major}.${minor - 1}.99`;
  return `${major - 1}.99.99`;
}

describe('the Node version check', () => {
  it('reads package.json engines, which the bin, doctor and the CI script all use', () => {
    expect(NODE_RANGE).toBe(pkg.engines.node);
    expect(() => parseRange(pkg.engines.node)).not.toThrow();
    const min = minimumNode();
    expect(satisfies(min)).toBe(true);
    expect(satisfies(justBelow(min))).toBe(false);
    expect(satisfies(process.versions.node)).toBe(true);
    // The bin imports the check before anything else; test-packed.sh asks node-check.js for the minimum.
    expect(readFileSync(BIN, 'utf8')).toContain("import { nodeProblem } from './node-check.js';");
    expect(readFileSync(join(ROOT, 'scripts', 'test-packed.sh'), 'utf8')).toContain('c.minimumNode()');

    expect(nodeCheck(min, '/opt/node/bin/node')).toEqual({
      check: 'node',
      status: 'ok',
      detail: `Node ${min} (/opt/node/bin/node)`,
    });
    const old = nodeCheck(justBelow(min), '/usr/bin/node');
    expect(old.status).toBe('fail');
    expect(old.detail).toContain(`codex-task needs Node.js ${describeRange()}`);
    // The fix works wherever codex-task is installed: no npm script that exists only in the clone.
    expect(old.fix).toBe(upgradeHints().join('; '));
    expect(old.fix).toContain(`nvm install ${min.split('.')[0]}`);
    expect(old.fix).not.toMatch(/npm (run|scripts)/);
  });

  it('understands the range forms engines may use, and refuses others', () => {
    expect(satisfies('22.19.0', '^22.19.0 || >=24.0.0')).toBe(true);
    expect(satisfies('v22.23.1', '^22.19.0 || >=24.0.0')).toBe(true);
    expect(satisfies('23.11.1', '^22.19.0 || >=24.0.0')).toBe(false);
    expect(satisfies('26.0.0', '^22.19.0 || >=24.0.0')).toBe(true);
    expect(satisfies('20.20.2', '>=22')).toBe(false);
    expect(minimumNode('>=24 || ^22.19')).toBe('22.19.0');
    expect(describeRange('^22.19.0 || >=24.0.0')).toBe('22 (22.19.0 or later), or 24.0.0 or newer');
    expect(() => parseRange('22.x')).toThrow(/cannot read '22.x'/);
  });

  it.skipIf(!OLD_NODE)('on an older Node the bin says which Node it needs: exit 1, no stack trace', () => {
    const old = OLD_NODE!;
    const run = spawnSync(old.path, [BIN, 'demo'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    const major = minimumNode().split('.')[0];
    expect(run.stderr).toBe(
      `codex-task needs Node.js ${describeRange()}; this is Node.js ${old.version} (${old.path}).\n` +
        `  install one: nvm install ${major}   (or: fnm install ${major}, volta install node@${major}, or your OS's package)\n` +
        `  or run it on a Node that npx fetches:  npx -p node@${major} -p codex-task codex-task <command>\n`,
    );
  });

  it('on this Node the bin runs the command line', () => {
    const run = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe(pkg.version);
  });
});

describe('the package', () => {
  it('holds the bin, its check, dist/, the licence and no tests, source maps or test helpers', () => {
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(
      /^MIT License\n\nCopyright \(c\) 2026 codex-task contributors\n/,
    );
    const run = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', '--loglevel=error'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    const [packed] = JSON.parse(run.stdout) as [{ files: { path: string }[] }];
    const paths = packed.files.map((f) => f.path);
    for (const needed of ['bin/codex-task.js', 'bin/node-check.js', 'LICENSE', 'README.md', 'package.json'])
      expect(paths).toContain(needed);
    // dist/ is built by `prepare` when packing; here it is whatever the checkout has.
    if (existsSync(join(ROOT, 'dist', 'cli', 'bin.js'))) expect(paths).toContain('dist/cli/bin.js');
    expect(
      paths.filter((p) => /\.test\.|^(test|bench|scripts|src)\/|\.map$|\/testing\.|^\./.test(p)),
    ).toEqual([]);
  });
});

describe('-C, --cwd on the commands that read a project', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });
  async function project(files: Record<string, string>) {
    const dir = await makeWorkspace(files);
    dirs.push(dir);
    return dir;
  }
  /** A project with one agent and a config file, and an empty directory to run the commands from. */
  async function setUp() {
    const app = await project({
      '.claude/agents/app-reviewer.md': agentFile({ name: 'app-reviewer', description: 'Reviews the app' }),
      '.codex-task/config.json': JSON.stringify({ maxTurns: 7 }),
    });
    const elsewhere = await project({});
    return { app, elsewhere };
  }

  it('agents list, show, validate and new work on the given project', async () => {
    const { app, elsewhere } = await setUp();
    const list = await runCli(['agents', 'list', '--json', '-C', app], { cwd: elsewhere });
    expect(list.code, list.stderr).toBe(0);
    const rows = JSON.parse(list.stdout) as { name: string; file: string | null }[];
    expect(rows.find((r) => r.name === 'app-reviewer')?.file).toBe(
      join(app, '.claude/agents/app-reviewer.md'),
    );
    const here = await runCli(['agents', 'list', '--json'], { cwd: elsewhere });
    expect((JSON.parse(here.stdout) as { name: string }[]).map((r) => r.name)).not.toContain('app-reviewer');

    const show = await runCli(['agents', 'show', 'app-reviewer', '--cwd', app], { cwd: elsewhere });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain('app-reviewer — Reviews the app');

    const validate = await runCli(['agents', 'validate', '-C', app, '--json'], { cwd: elsewhere });
    expect(validate.code, validate.stderr).toBe(0);
    expect(JSON.parse(validate.stdout)).toMatchObject({ agents: ['app-reviewer'] });
    const relative = await runCli(['agents', 'validate', '.claude/agents', '-C', app, '--json'], {
      cwd: elsewhere,
    });
    expect(relative.code, relative.stderr).toBe(0);
    expect(JSON.parse(relative.stdout)).toMatchObject({ agents: ['app-reviewer'] });

    const created = await runCli(['agents', 'new', 'api-reviewer', '-C', app], { cwd: elsewhere });
    expect(created.code, created.stderr).toBe(0);
    expect(existsSync(join(app, '.claude/agents/api-reviewer.md'))).toBe(true);
    expect(existsSync(join(elsewhere, '.claude'))).toBe(false);
  });

  it("config shows the given project's configuration; config init -C still writes there", async () => {
    const { app, elsewhere } = await setUp();
    const run = await runCli(['config', '--json', '-C', app], { cwd: elsewhere });
    expect(run.code, run.stderr).toBe(0);
    const shown = JSON.parse(run.stdout) as {
      files: string[];
      settings: Record<string, { value: unknown; source: string }>;
      trust: { workspace: string };
    };
    expect(shown.files).toContain(join(app, '.codex-task/config.json'));
    expect(shown.settings.maxTurns?.value).toBe(7);
    expect(shown.trust.workspace).toBe(app);

    const fresh = await project({});
    const init = await runCli(['config', 'init', '-C', fresh], { cwd: elsewhere });
    expect(init.code, init.stderr).toBe(0);
    expect(existsSync(join(fresh, '.codex-task/config.json'))).toBe(true);
    expect(existsSync(join(elsewhere, '.codex-task'))).toBe(false);
  });

  it("doctor checks the given project's config and agents", async () => {
    const { app, elsewhere } = await setUp();
    const run = await runCli(['doctor', '--json', '-C', app], { cwd: elsewhere, timeoutMs: 30_000 });
    const checks = JSON.parse(run.stdout) as { check: string; status: string; detail: string }[];
    const byName = (name: string) => checks.find((c) => c.check === name);
    expect(byName('node')).toMatchObject({ status: 'ok' });
    expect(byName('config')?.detail).toContain(join(app, '.codex-task/config.json'));
    expect(byName('agents')).toMatchObject({ status: 'ok' });
    expect(byName('agents')?.detail).toMatch(/\b1 valid agent/);
  });
});
