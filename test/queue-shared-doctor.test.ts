import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { infoChecks, parseInfo, queueChecks } from '../src/cli/doctor-queue.ts';
import { freePort, startTestRedis, type TestRedis } from '../src/queue/testing.ts';
import { useInProcessCli } from './cli-in-process-support.ts';

// `codex-task doctor` with a queue configured, against real redis-servers set up as production
// ones often are by mistake (an LRU eviction policy, no AOF), with a password that must not show.
const t = useInProcessCli();
const PASSWORD = 'doctor-s3cret-pw';
let lru: TestRedis;
let safe: TestRedis;
/** Where the AOF Redis writes its file; removed after. */
const aofDir = mkdtempSync(join(tmpdir(), 'codex-task-doctor-aof-'));

beforeAll(async () => {
  [lru, safe] = await Promise.all([
    startTestRedis({ args: ['--requirepass', PASSWORD, '--maxmemory-policy', 'allkeys-lru'] }),
    startTestRedis({ args: ['--appendonly', 'yes', '--dir', aofDir] }),
  ]);
});
afterAll(async () => {
  await Promise.all([lru?.stop(), safe?.stop()]);
  rmSync(aofDir, { recursive: true, force: true });
});

type Check = { check: string; status: string; detail: string; fix?: string };

async function doctor(args: string[] = []): Promise<{ code: number; stdout: string; checks: Check[] }> {
  process.env.CODEX_TASK_SANDBOX = 'off';
  process.env.CODEX_TASK_PROXY_PORT = String(await freePort());
  const ws = await t.workspace();
  const run = await t.cli(['doctor', '--json', ...args], { cwd: ws });
  const checks = (JSON.parse(run.stdout) as Check[]).filter((c) => c.check.startsWith('queue'));
  return { code: run.code, stdout: run.stdout, checks };
}

describe('codex-task doctor with a queue', () => {
  it('checks the Redis of CODEX_TASK_REDIS_URL: version, eviction policy and persistence, never printing the password', async () => {
    process.env.CODEX_TASK_REDIS_URL = `redis://:${PASSWORD}@127.0.0.1:${lru.port}/0`;
    const { stdout, checks } = await doctor();
    expect(checks).toEqual([
      {
        check: 'queue',
        status: 'ok',
        detail: expect.stringMatching(/^Redis 7\.\d+\.\d+ at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/0$/),
      },
      {
        check: 'queue memory',
        status: 'warn',
        detail: expect.stringContaining('maxmemory-policy is allkeys-lru'),
        fix: expect.stringContaining('CONFIG SET maxmemory-policy noeviction'),
      },
      {
        check: 'queue persistence',
        status: 'warn',
        detail: expect.stringContaining('append-only file off'),
        fix: expect.stringContaining('appendonly yes'),
      },
    ]);
    expect(stdout).not.toContain(PASSWORD);
  });

  it('--redis overrides the setting; a production-ready Redis passes every check', async () => {
    process.env.CODEX_TASK_REDIS_URL = 'redis://127.0.0.1:1';
    const { checks } = await doctor(['--redis', safe.url]);
    expect(checks.map((c) => [c.check, c.status])).toEqual([
      ['queue', 'ok'],
      ['queue memory', 'ok'],
      ['queue persistence', 'ok'],
    ]);
  });

  it('fails a wrong password with the fix, and an unreachable Redis at once, exiting 1', async () => {
    const wrong = await doctor(['--redis', `redis://:not-it@127.0.0.1:${lru.port}`]);
    expect(wrong.code).toBe(1);
    expect(wrong.checks).toEqual([
      {
        check: 'queue',
        status: 'fail',
        detail: expect.stringMatching(/WRONGPASS|invalid/i),
        fix: expect.stringContaining('password in the URL'),
      },
    ]);
    expect(wrong.stdout).not.toContain('not-it');
    const closed = await doctor(['--redis', `redis://127.0.0.1:${await freePort()}`]);
    expect(closed.checks).toEqual([
      {
        check: 'queue',
        status: 'fail',
        detail: expect.stringContaining('ECONNREFUSED'),
        fix: expect.stringContaining('CODEX_TASK_REDIS_URL'),
      },
    ]);
  });

  it('says nothing about a queue when none is configured', async () => {
    delete process.env.CODEX_TASK_REDIS_URL;
    expect((await doctor()).checks).toEqual([]);
  });
});

describe('the queue checks', () => {
  it('give up on a server that accepts but never answers, within their timeout', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    try {
      const { port } = silent.address() as { port: number };
      const checks = await queueChecks(`redis://:pw@127.0.0.1:${port}`, 200);
      expect(checks).toEqual([
        expect.objectContaining({
          check: 'queue',
          status: 'fail',
          detail: expect.stringContaining('no answer within 200 ms'),
        }),
      ]);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => silent.close(done));
    }
  });

  it('refuse a Redis older than 5, and read INFO as Redis writes it', () => {
    const info = parseInfo(
      '# Server\r\nredis_version:4.0.9\r\nfoo:bar:baz\r\n\r\n# Memory\r\nmaxmemory_policy:noeviction\r\n',
    );
    expect(info.get('redis_version')).toBe('4.0.9');
    expect(info.get('foo')).toBe('bar:baz');
    expect(info.has('# Server')).toBe(false);
    expect(infoChecks('redis://old:6379/0', info)).toEqual([
      {
        check: 'queue',
        status: 'fail',
        detail: 'Redis 4.0.9 at redis://old:6379/0: the queue needs Redis 5 or later',
        fix: expect.stringContaining('Upgrade Redis'),
      },
      { check: 'queue memory', status: 'ok', detail: 'maxmemory-policy noeviction' },
      expect.objectContaining({ check: 'queue persistence', status: 'warn' }),
    ]);
    expect(infoChecks('r', new Map())[0]).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('Redis unknown'),
    });
    expect(infoChecks('r', new Map())[1]).toMatchObject({ detail: expect.stringContaining('is unknown') });
  });
});
