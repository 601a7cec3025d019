import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunStore } from '../src/store/index.ts';
import {
  type CliRun,
  ECHO_AND_SLEEPER_AGENTS,
  echoOrSleep,
  runCli,
  scriptedModelEnv,
  startCli,
} from './cli-support.ts';
import { processAlive, useHarness } from './support.ts';

// Issue 17, section 3: every failure a user can cause ends in a message that names what was wrong
// and the next step, with one exit code per kind of failure, and never a stack trace.
const h = useHarness();
const STACK = '    at ';

const envFor = (extra: Record<string, string> = {}) => scriptedModelEnv(h.model, extra);
const AGENTS = ECHO_AND_SLEEPER_AGENTS;
const script = echoOrSleep;

function clean(run: CliRun) {
  expect(run.stderr).not.toContain(STACK);
  expect(run.stderr).not.toMatch(/\bE[A-Z]{3,}\b: /);
}

/** A run store holding tasks with the given ids (the ids decide which prefixes are unique). */
function storeWith(db: string, ids: string[]): void {
  const store = new RunStore({ path: db });
  ids.forEach((id, i) => {
    store.taskQueued({
      id,
      agentType: 'echo',
      description: `task ${i}`,
      spawnDepth: 1,
      queuedAt: Date.now() - i,
    });
  });
  store.close();
}

async function heldPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

async function waitFor(file: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (existsSync(file) && statSync(file).size > 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('issue 17: never a stack trace, always the next step', () => {
  it('1. exits quietly (0) when stdout or stderr is a closed pipe, for any command', async () => {
    const ws = await h.setup(AGENTS);
    const db = join(ws, 'runs.db');
    storeWith(
      db,
      Array.from({ length: 40 }, (_, i) => `${String(i).padStart(4, '0')}aaaaaaaaaaaa`),
    );
    for (const args of [
      ['agents', 'list'],
      ['runs', 'list', '--db', db],
      ['runs', 'export', '0000', '--db', db],
      ['config'],
      ['--help'],
    ]) {
      // The reader is gone before the first write: `codex-task … | head -0`, deterministically.
      const { child, done } = startCli(args, { cwd: ws, env: envFor() });
      child.stdout.destroy();
      const run = await done;
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
      expect(run.stderr).not.toContain('EPIPE');
      clean(run);
    }
    const { child, done } = startCli(['agents', 'show', 'nope'], { cwd: ws, env: envFor() });
    child.stdout.destroy();
    child.stderr.destroy();
    // Nobody can read the error any more: the process stops, as it would on SIGPIPE, but with 0.
    expect((await done).code).toBe(0);
  }, 60_000);

  it('1. a closed pipe during a batch stops the tasks in flight (no process left behind) and exits 0', async () => {
    // The quick task's result, the first write to the closed pipe, comes once the sleeper's command runs.
    const ws = await h.setup(AGENTS, (req) =>
      req.system.includes('SLEEPER') ? script(req) : { text: 'quick', latencyMs: 2000 },
    );
    const env = envFor({ CODEX_TASK_SANDBOX: 'off' });
    const input = [
      JSON.stringify({ subagent_type: 'sleeper', prompt: 'sleep' }),
      JSON.stringify({ subagent_type: 'echo', prompt: 'quick' }),
    ].join('\n');
    const { child, done } = startCli(['batch', '-', '--jsonl', '--concurrency', '2'], {
      cwd: ws,
      env,
      input,
    });
    child.stdout.destroy();
    await waitFor(join(ws, 'sleeper.pid'));
    const sleeperPid = Number(readFileSync(join(ws, 'sleeper.pid'), 'utf8'));
    const run = await done;
    expect(run.code, run.stderr).toBe(0);
    clean(run);
    expect(processAlive(sleeperPid)).toBe(false);
  }, 30_000);

  it('2. a port in use: one error naming the port and the flag, what holds it, exit 2 for every server', async () => {
    const ws = await h.setup(AGENTS);
    const { port, server } = await heldPort();
    try {
      const cases: [string[], string[]][] = [
        [['serve', '--port', String(port)], ['--port']],
        [
          ['proxy', '--port', String(port)],
          ['--port', 'CODEX_TASK_PROXY_PORT', 'proxy.port'],
        ],
        [['mcp', '--http', String(port)], ['--http <port>']],
        [['scripted-model', '--port', String(port)], ['--port']],
      ];
      for (const [args, names] of cases) {
        const run = await runCli(args, { cwd: ws, env: envFor(), timeoutMs: 20_000 });
        expect(run.code, `${args[0]}: ${run.stderr}`).toBe(2);
        expect(run.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
        for (const name of names) expect(run.stderr).toContain(name);
        expect(run.stderr).toContain('another program holds it');
        clean(run);
      }
    } finally {
      server.close();
    }
    const taken = new URL(h.model.url).port;
    const run = await runCli(['serve', '--port', taken], { cwd: ws, env: envFor(), timeoutMs: 20_000 });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('a codex-task scripted model already answers there');
    clean(run);
  }, 60_000);

  it('3. a missing, non-directory -C is a usage error naming the flag and the path, for every command', async () => {
    const ws = await h.setup({
      ...AGENTS,
      'tasks.jsonl': '{"subagent_type":"echo","prompt":"hi"}\n',
      'file.txt': 'x',
    });
    const missing = join(ws, 'nonexistent');
    for (const args of [
      ['run', 'echo', 'hi'],
      ['batch', 'tasks.jsonl'],
      ['commands', 'list'],
      ['mcp'],
      ['serve', '--port', '0'],
      ['proxy', '--port', '0'],
      ['install', 'codex', '--print'],
    ]) {
      const run = await runCli([...args, '-C', missing], { cwd: ws, env: envFor(), timeoutMs: 20_000 });
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toContain(`-C ${missing}: no such directory`);
      expect(run.stderr).not.toContain('not found. Available agents');
      clean(run);
    }
    const file = await runCli(['run', '-C', join(ws, 'file.txt'), 'echo', 'hi'], { cwd: ws, env: envFor() });
    expect(file.code).toBe(2);
    expect(file.stderr).toContain(`-C ${join(ws, 'file.txt')}: not a directory`);
    expect(h.model.stats.requests).toBe(0);
  }, 60_000);

  it('4. login refuses an unknown provider with did-you-mean and the known ones, and saves nothing', async () => {
    const ws = await h.setup({
      '.codex-task/config.json': JSON.stringify({ providers: { mycorp: { kind: 'openai-compatible' } } }),
    });
    const typo = await runCli(['login', 'anthropc'], { cwd: ws, input: 'sk-ant-123456789\n' });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("Unknown provider 'anthropc'");
    expect(typo.stderr).toContain('did you mean `anthropic`?');
    expect(typo.stderr).toContain('anthropic, openai, google, mycorp');
    expect(existsSync(join(ws, '.codex-task', 'credentials.json'))).toBe(false);
    clean(typo);
    const custom = await runCli(['login', 'mycrop'], { cwd: ws, input: 'k-123456789\n' });
    expect(custom.stderr).toContain('did you mean `mycorp`?');
    const ok = await runCli(['login', 'mycorp'], { cwd: ws, input: 'k-123456789\n' });
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(ws, '.codex-task', 'credentials.json'), 'utf8'))).toHaveProperty(
      'mycorp',
    );
  });

  it('5. an unknown CODEX_TASK_* variable is one warning with did-you-mean; a bad value names the variable, value and what is accepted', async () => {
    const ws = await h.setup(AGENTS);
    const typo = await runCli(['config'], { cwd: ws, env: envFor({ CODEX_TASK_TASK_TIMEOUT: '90s' }) });
    expect(typo.code).toBe(0);
    const warnings = typo.stderr.split('\n').filter((l) => l.includes('CODEX_TASK_TASK_TIMEOUT'));
    expect(warnings).toEqual([
      'warning: CODEX_TASK_TASK_TIMEOUT is not a codex-task variable and is ignored (did you mean `CODEX_TASK_TIMEOUT`?)',
    ]);
    const bad = await runCli(['config'], { cwd: ws, env: envFor({ CODEX_TASK_CONCURRENCY: '-1' }) });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("CODEX_TASK_CONCURRENCY='-1'");
    expect(bad.stderr).toContain('a whole number ≥ 1');
    expect(bad.stderr).not.toContain('received string');
    clean(bad);
  });

  it('6. an unknown config key gets did-you-mean, naming the file', async () => {
    const ws = await h.setup({
      ...AGENTS,
      '.codex-task/config.json': JSON.stringify({ modle: 'openai:gpt-5.5', proxy: { prot: 10001 } }),
    });
    const run = await runCli(['config'], { cwd: ws, env: envFor() });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('.codex-task/config.json');
    expect(run.stderr).toContain('unknown key(s) `modle` (did you mean `model`?)');
    expect(run.stderr).toContain('unknown key(s) `prot` (did you mean `port`?) in `proxy`');
    clean(run);
  });

  it('7. runs show/export take a unique id prefix of any length; an ambiguous one lists the candidates', async () => {
    const ws = await h.setup();
    const db = join(ws, 'runs.db');
    storeWith(db, ['42aaaaaaaaaaaaaa', 'ab11111111111111', 'ab22222222222222']);
    const shown = await runCli(['runs', 'show', '42', '--db', db], { cwd: ws });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('42aaaaaaaaaaaaaa');
    const exported = await runCli(['runs', 'export', '4', '--db', db], { cwd: ws });
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('"id":"42aaaaaaaaaaaaaa"');
    const ambiguous = await runCli(['runs', 'show', 'ab', '--db', db], { cwd: ws });
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain("'ab' matches 2 tasks");
    expect(ambiguous.stderr).toMatch(/ab11111111111111 .*echo.*task 1/);
    expect(ambiguous.stderr).toMatch(/ab22222222222222 .*echo.*task 2/);
    clean(ambiguous);
  });

  it('8. Ctrl-C on run: a clean "cancelled", the task cancelled, exit 130, no AbortError', async () => {
    const ws = await h.setup(AGENTS, script);
    const env = envFor({ CODEX_TASK_SANDBOX: 'off' });
    const { child, done } = startCli(['run', 'sleeper', 'go', '--json'], { cwd: ws, env });
    await waitFor(join(ws, 'sleeper.pid'));
    child.kill('SIGINT');
    const run = await done;
    expect(run.code).toBe(130);
    const result = JSON.parse(run.stdout) as { status: string; error: { type: string; message: string } };
    expect(result.status).toBe('cancelled');
    expect(result.error.type).toBe('TaskCancelled');
    expect(run.stderr).toContain('TaskCancelled: cancelled by Ctrl-C');
    expect(run.stderr).not.toContain('AbortError');
    expect(run.stderr).not.toContain('This operation was aborted');
    clean(run);
  }, 30_000);

  it('8. Ctrl-C on batch: every unfinished task cancelled cleanly, exit 130', async () => {
    const ws = await h.setup(AGENTS, script);
    const env = envFor({ CODEX_TASK_SANDBOX: 'off' });
    const input = `${JSON.stringify({ subagent_type: 'sleeper', prompt: 'sleep' })}\n`;
    const { child, done } = startCli(['batch', '-', '--json'], { cwd: ws, env, input });
    await waitFor(join(ws, 'sleeper.pid'));
    child.kill('SIGINT');
    const run = await done;
    expect(run.code).toBe(130);
    expect(JSON.parse(run.stdout)[0]).toMatchObject({
      status: 'cancelled',
      error: { type: 'TaskCancelled' },
    });
    expect(run.stderr).not.toContain('AbortError');
    clean(run);
  }, 30_000);

  it('9. a missing or unreadable batch file is a clear error naming the file (exit 2)', async () => {
    const ws = await h.setup(AGENTS);
    await mkdir(join(ws, 'a-dir'));
    const missing = await runCli(['batch', 'nothere.json'], { cwd: ws, env: envFor() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Cannot read the batch file nothere.json: no such file');
    expect(missing.stderr).not.toContain('ENOENT');
    clean(missing);
    const dir = await runCli(['batch', 'a-dir'], { cwd: ws, env: envFor() });
    expect(dir.code).toBe(2);
    expect(dir.stderr).toContain('Cannot read the batch file a-dir: it is a directory');
    clean(dir);
  });

  it('10. description is optional in batch entries, derived from the prompt as run does', async () => {
    const ws = await h.setup(AGENTS, script);
    await writeFile(
      join(ws, 'tasks.json'),
      JSON.stringify([
        { subagent_type: 'echo', prompt: 'Summarise the release notes of version two please' },
      ]),
    );
    const batch = await runCli(['batch', 'tasks.json', '--json'], { cwd: ws, env: envFor() });
    expect(batch.code, batch.stderr).toBe(0);
    const [result] = JSON.parse(batch.stdout) as { description: string }[];
    const run = await runCli(['run', 'echo', 'Summarise the release notes of version two please', '--json'], {
      cwd: ws,
      env: envFor(),
    });
    expect(run.code, run.stderr).toBe(0);
    expect(result!.description).toBe((JSON.parse(run.stdout) as { description: string }).description);
    expect(result!.description).toBe('Summarise the release notes of version…');
  });
});
