import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskResult } from '../engine/index.ts';
import { AmbiguousTaskIdError, MIGRATIONS, RunStore, SCHEMA_VERSION, StoreVersionError } from './index.ts';

const dirs: string[] = [];
const stores: RunStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'codex-task-store-'));
  dirs.push(dir);
  return join(dir, 'nested', 'runs.db');
}
function open(path = ':memory:'): RunStore {
  const store = new RunStore({ path });
  stores.push(store);
  return store;
}
const DAY = 86_400_000;

function queue(
  store: RunStore,
  id: string,
  extra: { queuedAt?: number; instanceId?: string; agentType?: string } = {},
) {
  store.taskQueued({
    id,
    agentType: extra.agentType ?? 'worker',
    description: `task ${id}`,
    spawnDepth: 1,
    queuedAt: extra.queuedAt ?? Date.now(),
    instanceId: extra.instanceId,
  });
}
function finish(
  store: RunStore,
  id: string,
  status: TaskResult['status'] = 'completed',
  agentType = 'worker',
) {
  store.taskFinished(
    {
      taskId: id,
      agentId: id,
      status,
      agentType,
      description: '',
      content: 'ok',
      resolvedModel: 'openai:m',
      totalDurationMs: 5,
      totalToolUseCount: 0,
      turns: 1,
      usage: {
        inputTokens: 1,
        outputTokens: 2,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        totalTokens: 3,
        costUsd: 0.5,
      },
      toolStats: {},
      modelsUsed: [{ model: 'openai:m', calls: 1, inputTokens: 1, outputTokens: 2 }],
      failovers: [],
      retries: 2,
      timings: { queuedMs: 1, modelMs: 2, toolMs: 0 },
    } as unknown as TaskResult,
    Date.now(),
  );
}

describe('schema migrations', () => {
  it('creates the schema at the current version, in a new directory, once', () => {
    const path = tempDb();
    open(path).close();
    const db = new DatabaseSync(path);
    expect(db.prepare('PRAGMA user_version').get()).toEqual({ user_version: SCHEMA_VERSION });
    expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    db.close();
    const again = open(path);
    queue(again, 'a');
    expect(again.count()).toBe(1);
  });

  it('upgrades a store from an older version step by step, keeping its rows', () => {
    const path = tempDb();
    open(path).close();
    const db = new DatabaseSync(path);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[];
    for (const { name } of tables) db.exec(`DROP TABLE ${name}`);
    db.exec('PRAGMA user_version = 0');
    db.exec(MIGRATIONS[0]!.sql);
    db.exec('PRAGMA user_version = 1');
    db.exec(
      `INSERT INTO tasks (id, agent_type, description, status, queued_at) VALUES ('v1', 'a', 'old', 'completed', 1)`,
    );
    db.close();
    const store = open(path);
    expect(store.get('v1')).toMatchObject({ id: 'v1', description: 'old', retries: 0 });
    expect(store.get('v1')!.modelsUsed).toBeUndefined();
    const check = new DatabaseSync(path);
    expect(check.prepare('PRAGMA user_version').get()).toEqual({ user_version: SCHEMA_VERSION });
    check.close();
  });

  it("moves a client's thread and call ids out of parent_id into the caller columns (version 4)", () => {
    const path = tempDb();
    open(path).close();
    const db = new DatabaseSync(path);
    for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[])
      db.exec(`DROP TABLE ${name}`);
    for (const step of MIGRATIONS.filter((m) => m.version <= 3)) db.exec(step.sql);
    db.exec('PRAGMA user_version = 3');
    const insert = db.prepare(`INSERT INTO tasks (id, parent_id, parent_call_id, agent_type, description,
      spawn_depth, status, queued_at) VALUES (?, ?, ?, 'a', 'd', ?, 'completed', 1)`);
    insert.run('root', 'codex-thread', 'call_1', 1); // written by the proxy before version 4
    insert.run('child', 'root', 'toolu_9', 2); // a nested task: its parent is a task
    db.close();
    const store = open(path);
    expect(store.get('root')).toMatchObject({ callerThreadId: 'codex-thread', callerCallId: 'call_1' });
    expect(store.get('root')!.parentId).toBeUndefined();
    expect(store.get('child')).toMatchObject({ parentId: 'root', parentCallId: 'toolu_9' });
    expect(store.get('child')!.callerThreadId).toBeUndefined();
    expect(store.list({ callerCallId: 'call_1' }).map((t) => t.id)).toEqual(['root']);
    expect(store.list({ rootsOnly: true }).map((t) => t.id)).toEqual(['root']);
  });

  it('refuses a store written by a newer version, without touching it', () => {
    const path = tempDb();
    open(path).close();
    const db = new DatabaseSync(path);
    db.exec('PRAGMA user_version = 999');
    db.close();
    expect(() => new RunStore({ path })).toThrow(StoreVersionError);
    const check = new DatabaseSync(path);
    expect(check.prepare('PRAGMA user_version').get()).toEqual({ user_version: 999 });
    check.close();
  });
});

describe('batched writes', () => {
  it('commits the writes of one macrotask at its end; its own reads see them at once', async () => {
    const path = tempDb();
    const store = open(path);
    queue(store, 'a');
    const other = new DatabaseSync(path);
    const count = () => (other.prepare('SELECT COUNT(*) AS n FROM tasks').get() as { n: number }).n;
    expect(count()).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(count()).toBe(1);
    queue(store, 'b');
    expect(store.get('b')).toBeDefined();
    expect(count()).toBe(2);
    other.close();
  });
});

describe('retention', () => {
  it('deletes finished tasks past the age or count limit with their steps, never live ones', () => {
    const store = open();
    const now = Date.now();
    for (const [id, age] of [
      ['old', 40],
      ['mid', 2],
      ['new', 1],
      ['newest', 0],
    ] as const) {
      queue(store, id, { queuedAt: now - age * DAY });
      store.appendStep({ taskId: id, seq: 1, at: now, kind: 'turn', turn: 1, data: {} });
      finish(store, id);
    }
    queue(store, 'live-old', { queuedAt: now - 90 * DAY });
    expect(store.prune({ maxAgeMs: 30 * DAY, maxTasks: 2 })).toBe(2);
    expect(store.list({ limit: 10 }).map((t) => t.id)).toEqual(['newest', 'new', 'live-old']);
    expect(store.steps('old')).toEqual([]);
    expect(store.steps('new')).toHaveLength(1);
  });
});

describe('interrupted tasks', () => {
  it('marks the live tasks of a dead process or a silent one, not those of a live one', () => {
    const store = open();
    const me = store.registerInstance();
    queue(store, 'mine', { instanceId: me });
    // A process on this host that no longer exists (pid far above any real one).
    store.heartbeat(`${hostname()}:2147483000:dead`);
    queue(store, 'dead-pid', { instanceId: `${hostname()}:2147483000:dead` });
    // A process elsewhere whose heartbeat stopped.
    store.heartbeat('elsewhere:123:quiet');
    queue(store, 'quiet', { instanceId: 'elsewhere:123:quiet' });
    queue(store, 'finished', { instanceId: 'elsewhere:123:quiet' });
    finish(store, 'finished');

    expect(store.markInterrupted({ staleMs: 60_000 }).sort()).toEqual(['dead-pid']);
    expect(store.markInterrupted({ staleMs: -1 }).sort()).toEqual(['quiet']);
    expect(store.get('mine')!.status).toBe('queued');
    expect(store.get('finished')!.status).toBe('completed');
    store.releaseInstance(me);
    expect(store.get('mine')).toMatchObject({ status: 'interrupted', error: { type: 'TaskInterrupted' } });
  });
});

describe('queries', () => {
  it('finds a task by a unique prefix and names the candidates of an ambiguous one', () => {
    const store = open();
    queue(store, 'abcd1111');
    queue(store, 'abcd2222');
    expect(store.find('abcd1')!.id).toBe('abcd1111');
    expect(() => store.find('abcd')).toThrow(AmbiguousTaskIdError);
    expect(store.find('zzzz')).toBeUndefined();
  });

  it('filters by status, agent (any case), time and parent', () => {
    const store = open();
    const now = Date.now();
    queue(store, 'a', { agentType: 'Reviewer', queuedAt: now - 10 * DAY });
    queue(store, 'b', { agentType: 'reviewer', queuedAt: now - 1000 });
    finish(store, 'b', 'failed', 'reviewer');
    store.taskQueued({
      id: 'c',
      parentId: 'b',
      agentType: 'x',
      description: '',
      spawnDepth: 2,
      queuedAt: now,
    });
    expect(store.list({ agent: 'REVIEWER' }).map((t) => t.id)).toEqual(['b', 'a']);
    expect(store.list({ status: 'failed' }).map((t) => t.id)).toEqual(['b']);
    expect(store.list({ status: ['queued', 'failed'], since: now - DAY }).map((t) => t.id)).toEqual([
      'c',
      'b',
    ]);
    expect(store.children('b').map((t) => t.id)).toEqual(['c']);
    expect(store.list({ rootsOnly: true }).map((t) => t.id)).toEqual(['b', 'a']);
    expect(store.get('b')!.usage).toMatchObject({ inputTokens: 1, outputTokens: 2, costUsd: 0.5 });
    expect(store.get('b')).toMatchObject({ retries: 2, modelsUsed: [{ model: 'openai:m', calls: 1 }] });
    expect(store.writable()).toBe(true);
  });
});

describe('Task calls seen from the proxy upstream', () => {
  it('remembers each call id with its arguments hash across a reopen, and forgets them with retention', () => {
    const path = tempDb();
    const store = open(path);
    store.recordUpstreamCall('call_1', 'hash-a');
    store.recordUpstreamCall('call_1', 'hash-a');
    store.recordUpstreamCall('call_old', 'hash-b', Date.now() - 40 * DAY);
    expect(store.upstreamCallSeen('call_1', 'hash-a')).toBe(true);
    expect(store.upstreamCallSeen('call_1', 'hash-other')).toBe(false);
    expect(store.upstreamCallSeen('call_2', 'hash-a')).toBe(false);
    store.close();
    const again = open(path);
    expect(again.upstreamCallSeen('call_1', 'hash-a')).toBe(true);
    again.prune({ maxAgeMs: 30 * DAY });
    expect(again.upstreamCallSeen('call_old', 'hash-b')).toBe(false);
    expect(again.upstreamCallSeen('call_1', 'hash-a')).toBe(true);
  });
});
