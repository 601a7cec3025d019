import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { QueueClient } from '../src/queue/index.ts';
import { gitTest } from '../src/queue/testing.ts';
import { describeWithSandbox } from '../src/sandbox/testing.ts';
import type { ScriptedRequest } from '../src/scripted-model/index.ts';
import { useQueue } from './queue-support.ts';
import { useHarness } from './support.ts';

// Finding 1 of the queue review: on a worker, a task in one client's git workspace ran
// `git cat-file --batch-all-objects` on the worker's cache of another client's private remote.
// Real parts: a private redis-server, an in-process worker runtime, bubblewrap, git.
const h = useHarness();
const q = useQueue(h);

const sh = gitTest;

let scratch: string;
beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'codex-task-isolation-'));
});
afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function remoteWith(name: string, files: Record<string, string>) {
  const src = join(scratch, name);
  sh(scratch, 'init', '--quiet', '--initial-branch=main', src);
  for (const [file, text] of Object.entries(files))
    execFileSync('sh', ['-c', `printf %s "$1" > "$2"`, 'x', text, join(src, file)]);
  sh(src, 'add', '--all');
  sh(src, 'commit', '--quiet', '-m', 'x');
  const remote = join(scratch, `${name}.git`);
  sh(scratch, 'clone', '--quiet', '--bare', src, remote);
  return { remote, commit: sh(src, 'rev-parse', 'HEAD') };
}

/** Turn n makes call n of the plan in the prompt; then answers with every output, one per line. */
function planned(req: ScriptedRequest) {
  const first = req.messages.find((m) => m.role === 'user')?.text ?? '';
  const plan = JSON.parse(first.slice(first.indexOf('PLAN ') + 5).split('\n')[0] ?? '[]') as unknown[];
  if (req.turn < plan.length) return { toolCalls: [plan[req.turn] as { name: string; input: unknown }] };
  const outputs = req.messages.filter((m) => m.role === 'tool').map((m) => `<<${m.output}>>`);
  return { text: ['done', ...outputs].join('\n') };
}

const sig = () => ({ emit: () => {}, signal: new AbortController().signal });
const plan = (calls: unknown[]) => ({
  description: 'd',
  prompt: `PLAN ${JSON.stringify(calls)}`,
  subagent_type: 'general-purpose',
});

describeWithSandbox('a worker’s caches of other clients’ repositories', () => {
  it('are hidden from a task in a git workspace (Read, Grep, Glob, Bash), which works in its own worktree', async () => {
    q.fresh();
    await h.setup({}, planned);
    const home = join(scratch, 'worker-home');
    await q.worker({ engine: { homeDir: home } });
    const settings = { ...q.engineOptions().queue!, attempts: 1 } as never;
    const victim = remoteWith('acme-private', { 'payroll.csv': 'alice,250000\n' });
    const own = remoteWith('mine', { 'notes.md': 'my notes\n' });
    const a = new QueueClient({ settings, workspace: () => ({ git: victim }) });
    const b = new QueueClient({ settings, workspace: () => ({ git: own }) });
    try {
      const first = await a.execute({ taskId: 'a1', cwd: '/', input: plan([]) }, sig());
      expect(first.result.status).toBe('completed');
      const remotes = join(home, '.cache', 'codex-task', 'workspaces', 'remotes');
      const sibling = join(remotes, readdirSync(remotes).find((d) => d.startsWith('acme-private'))!);
      const bash = (command: string) => ({ name: 'Bash', input: { command } });
      const out = await b.execute(
        {
          taskId: 'b1',
          cwd: '/',
          input: plan([
            { name: 'Read', input: { file_path: 'notes.md' } },
            bash('cat notes.md && echo more >> notes.md && git status --short && git log --format=%s'),
            { name: 'Read', input: { file_path: join(sibling, 'HEAD') } },
            { name: 'Grep', input: { pattern: 'main', path: remotes, output_mode: 'files_with_matches' } },
            { name: 'Glob', input: { pattern: '**/HEAD', path: remotes } },
            bash(
              `ls ${remotes}; git --git-dir=${sibling} cat-file --batch-all-objects --batch-check; echo exit=$?`,
            ),
          ]),
        },
        sig(),
      );
      expect(out.result.status).toBe('completed');
      const [read, run, readSibling, grep, glob, bashSibling] = [
        ...String(out.result.content).matchAll(/<<([\s\S]*?)>>/g),
      ].map((m) => m[1]);
      expect(read).toContain('my notes');
      expect(run).toMatch(/my notes[\s\S]*M notes\.md[\s\S]*^x$/m);
      expect(readSibling).toMatch(/secret/);
      expect(grep).not.toContain('acme-private');
      expect(glob).not.toContain('acme-private');
      // Only its own cache is listed; the sibling is not there for git.
      expect(bashSibling).toMatch(/^mine-[0-9a-f]+\.git\nfatal: not a git repository[^\n]*\nexit=128$/);
      // The task's own change came back.
      expect(out.result.workspace).toMatchObject({ kind: 'git', changed: true });
      expect(readFileSync(join(sibling, 'HEAD'), 'utf8')).toContain('ref');
    } finally {
      await a.close();
      await b.close();
    }
  });
});
