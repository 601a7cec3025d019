import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { credentialsPath } from '../src/config/index.ts';
import { useInProcessCli } from './cli-in-process-support.ts';
import { agentFile } from './support.ts';

// Setting a machine up, in process: config, keys, agents and slash commands (the cli-*.test.ts
// files prove the same through the binary).
const t = useInProcessCli();
const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8'));

describe('config init and config, in process', () => {
  it('writes a project starter and its schema, refuses to overwrite, and --force replaces it', async () => {
    const ws = await t.workspace();
    const file = join(ws, '.codex-task', 'config.json');
    const init = await t.cli(['config', 'init'], { cwd: ws });
    expect(init).toMatchObject({ code: 0, stderr: '' });
    expect(init.stdout).toContain('Wrote .codex-task/config.json (project config)');
    expect(init.stdout).toMatch(/taskTimeout\s+"10m"\n\s+wall-clock bound of one Task/);
    expect(init.stdout).toContain('A project config wins over your own');
    const written = await readJson(file);
    expect(written).toMatchObject({ $schema: './config.schema.json', taskTimeout: '10m' });
    expect(written).not.toHaveProperty('sandbox');
    const schema = await readJson(join(ws, '.codex-task', 'config.schema.json'));
    expect(schema.$comment).toContain('codex-task config init');

    await writeFile(file, '{ "maxTurns": 7 }\n');
    const again = await t.cli(['config', 'init']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('error: .codex-task/config.json already exists');
    expect(await readFile(file, 'utf8')).toBe('{ "maxTurns": 7 }\n');

    const shown = await t.cli(['config']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`config files: ${file}`);
    expect(shown.stdout).toMatch(/maxTurns\s+7 {2}← file /);
    expect(shown.stdout).toMatch(/concurrency\s+\d+ {2}← default/);
    expect(shown.stdout).toContain('(none: set ANTHROPIC_API_KEY');

    expect((await t.cli(['config', 'init', '--force'])).code).toBe(0);
    expect((await readJson(file)).maxTurns).toBe(written.maxTurns);
  });

  it('leaves a config.schema.json it did not write alone; -C writes elsewhere', async () => {
    const ws = await t.workspace({ '.codex-task/config.schema.json': '{"mine":true}\n' });
    const refused = await t.cli(['config', 'init'], { cwd: ws });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('config.schema.json already exists');
    expect(existsSync(join(ws, '.codex-task', 'config.json'))).toBe(false);

    const other = await t.workspace();
    expect((await t.cli(['config', '-C', other, 'init'])).code).toBe(0);
    expect(existsSync(join(other, '.codex-task', 'config.json'))).toBe(true);
  });

  it('--user writes ~/.codex-task/config.json, which `config --json` then shows with its sources', async () => {
    const ws = await t.workspace();
    const init = await t.cli(['config', 'init', '--user'], { cwd: ws });
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('(user config)');
    const file = join(t.home, '.codex-task', 'config.json');
    expect((await readJson(file)).sandbox).toEqual({ mode: 'auto' });

    process.env.OPENAI_API_KEY = 'sk-from-the-env-0123456789';
    process.env.CODEX_TASK_MAX_TURNS = '9';
    const shown = await t.cli(['config', '--json']);
    expect(shown.code).toBe(0);
    const json = JSON.parse(shown.stdout);
    expect(json.files).toEqual([file]);
    expect(json.settings.maxTurns).toEqual({ value: 9, source: 'env CODEX_TASK_MAX_TURNS' });
    expect(json.settings.sandbox.source).toBe(`file ${file}`);
    const openai = json.providers.find((p: { id: string }) => p.id === 'openai');
    expect(openai).toMatchObject({ key: 'sk-fro…(26 chars)', keySource: 'env OPENAI_API_KEY' });
    expect(shown.stdout).not.toContain('sk-from-the-env');
  });

  it('names a misspelt CODEX_TASK_* variable with the nearest known one, and still runs', async () => {
    process.env.CODEX_TASK_MAX_TURN = '3';
    const run = await t.cli(['config', '--json'], { cwd: await t.workspace() });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      'warning: CODEX_TASK_MAX_TURN is not a codex-task variable and is ignored (did you mean `CODEX_TASK_MAX_TURNS`?)\n',
    );
    expect(JSON.parse(run.stdout).settings.maxTurns.source).toBe('default');
  });

  it('a bad config file is a usage error naming the key (exit 2)', async () => {
    const ws = await t.workspace({ '.codex-task/config.json': '{ "maxTurns": "many" }' });
    const run = await t.cli(['config'], { cwd: ws });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('maxTurns');
  });
});

describe('login and logout, in process', () => {
  it('stores a piped key in a 0600 file under HOME, shows where it came from, and removes it', async () => {
    const ws = await t.workspace();
    const login = await t.cli(['login', 'openai'], { cwd: ws, stdin: 'sk-stored-key-1234567890\n' });
    expect(login.code, login.stderr).toBe(0);
    const file = credentialsPath(t.home);
    expect(login.stdout).toContain(`Saved the openai key sk-sto…(24 chars) in ${file}`);
    expect(login.stdout).toContain('OPENAI_API_KEY, when set, takes precedence over it.');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await readJson(file)).toEqual({ openai: { apiKey: 'sk-stored-key-1234567890' } });

    const config = JSON.parse((await t.cli(['config', '--json'])).stdout);
    expect(config.providers.find((p: { id: string }) => p.id === 'openai').keySource).toBe(
      'credentials file',
    );

    const typo = await t.cli(['logout', 'opena']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain("No stored key for 'opena'");
    expect(typo.stderr).toContain('Stored keys: openai.');
    const logout = await t.cli(['logout', 'openai']);
    expect(logout).toMatchObject({ code: 0, stdout: 'Removed the stored openai key.\n' });
    expect(await readJson(file)).toEqual({});
    const none = await t.cli(['logout', 'openai']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('No keys are stored');
  });

  it('refuses a provider it does not know, a malformed name and an empty key, storing nothing', async () => {
    const ws = await t.workspace();
    const unknown = await t.cli(['login', 'opnai'], { cwd: ws, stdin: 'sk-x-1234567890' });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('opnai');
    expect(unknown.stderr).toContain('openai');
    const malformed = await t.cli(['login', 'Open AI'], { stdin: 'sk-x-1234567890' });
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain("'Open AI' is not a provider name");
    const empty = await t.cli(['login', 'anthropic'], { stdin: '\n' });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('No key was given');
    expect(existsSync(credentialsPath(t.home))).toBe(false);
  });

  it('accepts a provider declared in the user config', async () => {
    await mkdir(join(t.home, '.codex-task'), { recursive: true });
    await writeFile(
      join(t.home, '.codex-task', 'config.json'),
      JSON.stringify({
        providers: { local: { kind: 'openai-compatible', baseURL: 'http://127.0.0.1:9/v1' } },
      }),
    );
    const ws = await t.workspace();
    const login = await t.cli(['login', 'local'], { cwd: ws, stdin: 'local-key-abcdefgh' });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).not.toContain('takes precedence');
    expect((await readJson(credentialsPath(t.home))).local.apiKey).toBe('local-key-abcdefgh');
  });
});

const AGENTS = {
  '.claude/agents/code-reviewer.md': agentFile(
    { name: 'code-reviewer', description: 'Reviews code', tools: 'Read, Grep, Glob' },
    'You review code.',
  ),
  '.claude/agents/writer.md': agentFile(
    {
      name: 'writer',
      description: 'Writes docs',
      tools: 'Read, Write',
      model: 'openai:gpt-5.5',
      effort: 'high',
    },
    'Write docs.',
  ),
  '.claude/agents/planner.md': agentFile(
    { name: 'planner', description: 'Plans', model: 'opus', permissionMode: 'plan' },
    'Plan.',
  ),
  '.claude/agents/pinned.md': agentFile(
    { name: 'pinned', description: 'Pinned', model: 'claude-sonnet-4-5', disallowedTools: 'Bash' },
    '',
  ),
};

describe('agents, in process', () => {
  it('exports Codex agent files into $CODEX_HOME, refusing to overwrite without --force', async () => {
    const ws = await t.workspace(AGENTS);
    const codexHome = join(ws, 'codex-home');
    process.env.CODEX_HOME = codexHome;
    const run = await t.cli(['agents', 'export', 'codex'], { cwd: ws });
    expect(run.code, run.stderr).toBe(0);
    const dir = join(codexHome, 'agents');
    expect((await readdir(dir)).sort()).toEqual([
      'code-reviewer.toml',
      'pinned.toml',
      'planner.toml',
      'writer.toml',
    ]);
    const read = async (name: string) => parse(await readFile(join(dir, `${name}.toml`), 'utf8'));
    expect(await read('writer')).toEqual({
      name: 'writer',
      description: 'Writes docs',
      developer_instructions: 'Write docs.',
      model: 'gpt-5.5',
      model_reasoning_effort: 'high',
    });
    expect((await read('code-reviewer')).sandbox_mode).toBe('read-only');
    expect((await read('planner')).sandbox_mode).toBe('read-only');
    expect(await read('pinned')).toMatchObject({ developer_instructions: 'Pinned' });
    expect(run.stdout).toContain("model 'opus' is a Claude alias");
    expect(run.stdout).toContain("model 'claude-sonnet-4-5' is not an OpenAI model");
    expect(run.stdout).toContain('its body is empty: the description is the instructions');
    expect(run.stdout).toContain('not enforced by Codex');
    expect(run.stderr).toContain('Codex does not carry over');

    const refused = await t.cli(['agents', 'export', 'codex', 'writer']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('writer.toml already exists; nothing was written');
    const forced = await t.cli(['agents', 'export', 'codex', 'writer', 'Explore', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect((await read('Explore')).sandbox_mode).toBe('read-only');

    const unknown = await t.cli(['agents', 'export', 'codex', 'nope', '--codex-home', join(ws, 'x')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Agent type 'nope' not found");
    expect(existsSync(join(ws, 'x'))).toBe(false);
  });

  it('export with no agents of the project refuses (exit 2) and writes into ~/.codex by default', async () => {
    const ws = await t.workspace();
    const none = await t.cli(['agents', 'export', 'codex'], { cwd: ws });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no agents to export here');
    expect((await t.cli(['agents', 'export', 'codex', 'general-purpose'])).code).toBe(0);
    expect(existsSync(join(t.home, '.codex', 'agents', 'general-purpose.toml'))).toBe(true);
  });

  it('lists, shows, validates and creates agents', async () => {
    const ws = await t.workspace(AGENTS);
    process.env.OPENAI_API_KEY = 'sk-test-abcdefghijklmnop';
    const list = await t.cli(['agents', 'list'], { cwd: ws });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      /^writer {2}\(project: \.claude\/agents\/writer\.md\)\n {2}model: openai:gpt-5\.5 → openai:gpt-5\.5\n {2}tools: Read, Write$/m,
    );

    const show = await t.cli(['agents', 'show', 'pinned']);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('pinned — Pinned');
    expect(show.stdout).toContain('source:  project (.claude/agents/pinned.md)');
    expect(show.stdout).toContain('denied:  Bash');
    const shown = JSON.parse((await t.cli(['agents', 'show', 'writer', '--json'])).stdout);
    expect(shown).toMatchObject({
      name: 'writer',
      model: { written: 'openai:gpt-5.5', inherited: false },
      tools: { effective: ['Read', 'Write'], inherited: false },
      acceptedNotEnforced: { effort: 'high' },
    });
    const typo = await t.cli(['agents', 'show', 'writr']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('writer');

    const created = await t.cli(['agents', 'new', 'api-helper', '--template', 'debugger']);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('Created .claude/agents/api-helper.md from the debugger template.');
    expect((await t.cli(['agents', 'new', 'api-helper'])).stderr).toContain('already exists');
    expect((await t.cli(['agents', 'new', 'Bad Name'])).code).toBe(2);
    expect((await t.cli(['agents', 'new', 'x', '--template', 'poet'])).stderr).toContain(
      "Unknown template 'poet'",
    );

    const valid = await t.cli(['agents', 'validate', '.claude/agents']);
    expect(valid.code).toBe(0);
    await writeFile(join(ws, '.claude', 'agents', 'broken.md'), agentFile({ name: 'Broken One' }));
    const invalid = await t.cli(['agents', 'validate']);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toMatch(/error \.claude\/agents\/broken\.md:\d+ \[name\]/);
    const listed = await t.cli(['agents', 'list', '--json']);
    expect(listed.stderr).toMatch(
      /skipped \.claude\/agents\/broken\.md:\d+: .* — run `codex-task agents validate`/,
    );
  });
});

describe('commands list, in process', () => {
  it('shows each slash command with its hint, source, model and tools; problems go to stderr', async () => {
    const ws = await t.workspace({
      '.claude/commands/review.md':
        '---\ndescription: Review a file\nargument-hint: <file>\nmodel: haiku\nallowed-tools: Read, Grep\n---\nReview $ARGUMENTS\n',
      '.claude/commands/plain.md': 'Just a prompt.\n',
      '.claude/commands/odd.md': '---\ndescripton: typo\n---\nbody\n',
    });
    const run = await t.cli(['commands', 'list'], { cwd: ws });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('/review <file>  (project: .claude/commands/review.md)');
    expect(run.stdout).toContain('  Review a file\n  model: haiku\n  allowed-tools: Read, Grep');
    expect(run.stdout).toContain('/plain  (project: .claude/commands/plain.md)');
    expect(run.stderr).toContain('unknown field `descripton`; ignored');

    const json = JSON.parse((await t.cli(['commands', 'list', '--json'])).stdout);
    expect(json.commands.find((c: { name: string }) => c.name === 'review')).toMatchObject({
      argumentHint: '<file>',
      allowedTools: ['Read', 'Grep'],
      body: 'Review $ARGUMENTS',
    });
    expect(json.problems[0]).toMatchObject({ field: 'descripton' });
  });

  it('says how to add one when there are none', async () => {
    const run = await t.cli(['commands', 'list'], { cwd: await t.workspace() });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('No slash commands here.');
  });
});
