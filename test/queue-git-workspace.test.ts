import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TaskResult } from '../src/engine/index.ts';
import { gitTest } from '../src/queue/testing.ts';
import type { ScriptedRequest } from '../src/scripted-model/index.ts';
import { useInProcessCli } from './cli-in-process-support.ts';
import { useQueue } from './queue-support.ts';
import { agentFile, useHarness } from './support.ts';

// `queue.workspace: git` end to end, with real parts: the client is `codex-task run`/`batch` in this
// process, the remote a bare repository on disk, the worker an in-process one with a data directory
// of its own (as on another machine), Redis a private redis-server.
const h = useHarness();
const t = useInProcessCli();
const q = useQueue(h);

const sh = gitTest;

const FILES = {
  '.claude/agents/editor.md': agentFile(
    { name: 'editor', description: 'edits', tools: 'Read, Write', permissionMode: 'acceptEdits' },
    'EDITOR',
  ),
  'notes.md': 'one\n',
};

/** Turn 0 writes two files (one new), turn 1 answers. */
function editor(req: ScriptedRequest) {
  if (req.turn === 0)
    return {
      toolCalls: [
        { name: 'Write', input: { file_path: 'notes.md', content: 'one\ntwo\n' } },
        { name: 'Write', input: { file_path: 'added.txt', content: `added by ${req.lastUserText}\n` } },
      ],
    };
  return { text: 'edited' };
}

let scratch: string;
let remote: string;

beforeEach(async () => {
  process.env.OPENAI_API_KEY = 'sk-test-abcdefghijklmnop';
  process.env.OPENAI_BASE_URL = h.model.baseUrls.openai;
  scratch = await mkdtemp(join(tmpdir(), 'codex-task-git-ws-'));
});

afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** The client's checkout (the harness's workspace), committed and pushed to a bare remote. */
async function checkout(): Promise<string> {
  const ws = await h.setup(FILES, editor);
  remote = join(scratch, 'origin.git');
  sh(ws, 'init', '--quiet', '--initial-branch=main');
  sh(ws, 'add', '--all');
  sh(ws, 'commit', '--quiet', '-m', 'first');
  sh(scratch, 'init', '--quiet', '--bare', remote);
  sh(ws, 'remote', 'add', 'origin', remote);
  sh(ws, 'push', '--quiet', '-u', 'origin', 'main');
  return ws;
}

/** A worker whose home (git cache) is outside the client's checkout, as on another machine. */
async function worker() {
  return q.worker({ engine: { homeDir: join(scratch, 'worker-home') } });
}

function useGitQueue(extra: Record<string, string> = {}) {
  process.env.CODEX_TASK_QUEUE_PREFIX = q.prefix;
  process.env.CODEX_TASK_QUEUE_WORKSPACE = 'git';
  Object.assign(process.env, extra);
}

describe('queue.workspace: git', () => {
  it('run: the worker works in a fresh checkout of HEAD; the patch comes back and applies to the client', async () => {
    q.fresh();
    const ws = await checkout();
    await worker();
    useGitQueue();
    const run = await t.cli(['run', 'editor', 'the task', '--json', '--redis', q.redis.url], { cwd: ws });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as TaskResult;
    expect(result.queue?.attempts).toBe(1);
    expect(result.workspace).toMatchObject({ kind: 'git', remote, changed: true });
    // The worker wrote in its own worktree: the client's files are untouched until the patch applies.
    expect(readFileSync(join(ws, 'notes.md'), 'utf8')).toBe('one\n');
    expect(run.stderr).toContain(`changes: 2 files changed (1 new)`);
    expect(run.stderr).toContain(`codex-task runs show ${result.taskId} --patch | git apply`);
    expect(run.stderr).not.toContain('warning:');

    const shown = await t.cli(['runs', 'show', result.taskId, '--patch']);
    expect(shown.code, shown.stderr).toBe(0);
    const file = join(scratch, 'task.patch');
    writeFileSync(file, shown.stdout);
    sh(ws, 'apply', '--check', file);
    sh(ws, 'apply', file);
    expect(readFileSync(join(ws, 'notes.md'), 'utf8')).toBe('one\ntwo\n');
    expect(readFileSync(join(ws, 'added.txt'), 'utf8')).toBe('added by the task\n');

    const transcript = await t.cli(['runs', 'show', result.taskId]);
    expect(transcript.stdout).toMatch(/Workspace\n {2}changes: 2 files changed/);
  });

  it('batch, from a subdirectory, with gitPush: the branch codex-task/<id> is on the remote', async () => {
    q.fresh();
    const ws = await checkout();
    await worker();
    useGitQueue({ CODEX_TASK_QUEUE_GIT_PUSH: '1' });
    const tasks = join(scratch, 'tasks.json');
    writeFileSync(tasks, JSON.stringify([{ subagent_type: 'editor', description: 'one', prompt: 'p1' }]));
    const run = await t.cli(['batch', tasks, '--json', '--redis', q.redis.url, '-C', join(ws, '.claude')]);
    expect(run.code, run.stderr).toBe(0);
    const [result] = JSON.parse(run.stdout) as TaskResult[];
    const back = result!.workspace;
    expect(back?.kind === 'git' && back.pushed?.branch).toBe(`codex-task/${result!.taskId}`);
    // The task ran in the subdirectory of the checkout the client was in.
    expect(sh(remote, 'show', `codex-task/${result!.taskId}:.claude/added.txt`)).toBe('added by p1');
    expect(run.stderr).toContain(`one (${result!.taskId}): pushed: branch codex-task/${result!.taskId}`);
  });

  it('keeps a secret the task wrote out of the run record: the stored patch is redacted, and says so', async () => {
    q.fresh();
    const ws = await checkout();
    h.model.setHandler((req) =>
      req.turn === 0
        ? {
            toolCalls: [
              {
                name: 'Write',
                input: { file_path: 'key.txt', content: 'sk-abcdefghijklmnopqrstuvwx0123\n' },
              },
            ],
          }
        : { text: 'wrote it' },
    );
    await worker();
    useGitQueue();
    const run = await t.cli(['run', 'editor', 'x', '--json', '--redis', q.redis.url], { cwd: ws });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as TaskResult;
    // The live result has the whole patch; the record does not keep the key.
    expect(JSON.stringify(result.workspace)).toContain('sk-abcdefghijklmnopqrstuvwx0123');
    const shown = await t.cli(['runs', 'show', result.taskId, '--patch']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('key.txt');
    expect(shown.stdout).not.toContain('sk-abcdefghijklmnopqrstuvwx0123');
    expect(shown.stderr).toContain('were redacted in the run record, so it may not apply as it is');
  });

  it('says what was not sent: uncommitted changes stay behind, with a warning', async () => {
    q.fresh();
    const ws = await checkout();
    writeFileSync(join(ws, 'scratch.txt'), 'local only\n');
    await worker();
    useGitQueue();
    const run = await t.cli(['run', 'editor', 'x', '--json', '--redis', q.redis.url], { cwd: ws });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as TaskResult;
    expect(result.workspace?.kind === 'git' && result.workspace.notSent).toMatch(
      /^1 uncommitted or untracked file\(s\) in .* were not sent: the worker started from [0-9a-f]{12}/,
    );
    expect(run.stderr).toContain('warning: 1 uncommitted or untracked file(s)');
  });

  it('refuses a HEAD that is not on the remote, naming the setting and the fix; nothing is enqueued', async () => {
    q.fresh();
    const ws = await checkout();
    writeFileSync(join(ws, 'notes.md'), 'unpushed\n');
    sh(ws, 'commit', '--quiet', '-am', 'not pushed');
    useGitQueue();
    const run = await t.cli(['run', 'editor', 'x', '--redis', q.redis.url], { cwd: ws });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('WorkspaceNotShared');
    expect(run.stderr).toContain('(queue.workspace: git)');
    expect(run.stderr).toMatch(/HEAD [0-9a-f]{12} is not on the remote 'origin'/);
    expect(run.stderr).toContain('git push origin HEAD');
    const { queueOverview } = await import('../src/queue/index.ts');
    const overview = await queueOverview({
      url: q.redis.url,
      prefix: q.prefix,
      stallTimeoutMs: 1000,
      attempts: 1,
    });
    expect(overview.counts).toMatchObject({ waiting: 0, active: 0, completed: 0, failed: 0 });
  });

  it('refuses a directory without a git checkout, and a checkout without the remote queue.gitRemote names', async () => {
    q.fresh();
    const ws = await checkout();
    useGitQueue({ CODEX_TASK_QUEUE_GIT_REMOTE: 'upstream' });
    const noRemote = await t.cli(['run', 'editor', 'x', '--redis', q.redis.url], { cwd: ws });
    expect(noRemote.code).not.toBe(0);
    expect(noRemote.stderr).toContain("the checkout has no remote 'upstream'");
    expect(noRemote.stderr).toContain('queue.gitRemote (CODEX_TASK_QUEUE_GIT_REMOTE)');

    const plain = await t.workspace(FILES);
    const noGit = await t.cli(['run', 'editor', 'x', '--redis', q.redis.url], { cwd: plain });
    expect(noGit.code).not.toBe(0);
    expect(noGit.stderr).toContain('it is not in a git checkout');
    expect(noGit.stderr).toContain('queue.workspace: path (CODEX_TASK_QUEUE_WORKSPACE=path)');
    // A task without a git workspace has no patch to show.
    const ran = await t.cli(['runs', 'list', '--json']);
    const [last] = JSON.parse(ran.stdout) as { id: string }[];
    const shown = await t.cli(['runs', 'show', last!.id, '--patch']);
    expect(shown.code).toBe(1);
    expect(shown.stderr).toContain('has no patch: it did not run in a git workspace');
  });

  it('finds a pushed HEAD on the remote itself when no remote-tracking branch has it', async () => {
    q.fresh();
    const ws = await checkout();
    // Pushed from elsewhere: the remote has the commit, this checkout's tracking branch is behind.
    writeFileSync(join(ws, 'notes.md'), 'pushed by refspec\n');
    sh(ws, 'commit', '--quiet', '-am', 'second');
    sh(ws, 'push', '--quiet', 'origin', 'HEAD:refs/heads/side');
    sh(ws, 'update-ref', '-d', 'refs/remotes/origin/side');
    await worker();
    useGitQueue();
    const run = await t.cli(['run', 'editor', 'x', '--json', '--redis', q.redis.url], { cwd: ws });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as TaskResult;
    expect(result.workspace).toMatchObject({ kind: 'git', base: sh(ws, 'rev-parse', 'HEAD'), changed: true });
  });
});

describe('queue.workspace: path (the default)', () => {
  it('sends no workspace: the task runs in the client directory and its result has none', async () => {
    q.fresh();
    const ws = await h.setup({ ...FILES, 'notes.md': 'shared disk\n' }, (req) => {
      if (req.turn === 0) return { toolCalls: [{ name: 'Read', input: { file_path: 'notes.md' } }] };
      return { text: `read: ${req.toolResults[0]?.output.includes('shared disk')}` };
    });
    await worker();
    process.env.CODEX_TASK_QUEUE_PREFIX = q.prefix;
    const run = await t.cli(['run', 'editor', 'x', '--json', '--redis', q.redis.url], { cwd: ws });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as TaskResult;
    expect(result.content).toBe('read: true');
    expect(result.queue?.attempts).toBe(1);
    expect(result.workspace).toBeUndefined();
    expect(run.stderr).not.toContain('changes:');
  });
});
