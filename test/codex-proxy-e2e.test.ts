import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ScriptedModelServer,
  type ScriptedReply,
  type ScriptedRequest,
  startScriptedModel,
} from '../src/scripted-model/index.ts';
import { RunStore, type TaskRecord } from '../src/store/index.ts';
import { CODEX_BIN, spawnCollecting } from './cli-support.ts';
import { startProxyProcess, startTap } from './proxy-support.ts';
import { agentFile, makeWorkspace } from './support.ts';

// The real Codex CLI (npm @openai/codex) with a custom provider at `codex-task proxy` (a real
// process), whose upstream is the scripted model. Taps on both sides of the proxy record the bytes:
//   Codex → tap (what Codex received) → proxy → tap (what the upstream sent) → scripted model
// Codex's stream idle timeout is cut to 1.5 s and its retries to 0, so a stream the proxy let go
// quiet, or broke, fails the run instead of being retried away.
const IDLE_TIMEOUT_MS = 1500;
const KEY = 'sk-codex-proxy-e2e';

const AGENTS: Record<string, { result: string; latencyMs: number }> = {
  alpha: { result: 'alpha: found 3 issues', latencyMs: 1200 },
  beta: { result: 'beta: all clear', latencyMs: 1200 },
  // Two and a half of Codex's idle timeouts: only the proxy's keep-alive events keep Codex waiting.
  slowpoke: { result: 'slowpoke: finally done', latencyMs: 2.5 * IDLE_TIMEOUT_MS },
  reviewer: { result: 'reviewed', latencyMs: 800 },
};

const task = (
  id: string,
  subagent_type: string,
  prompt = `Do the ${subagent_type} job.`,
  extra: Record<string, unknown> = {},
) => ({
  name: 'Task',
  id,
  input: { description: `${subagent_type} job`, prompt, subagent_type, ...extra },
});

/**
 * Holds each subagent request of a group until all `size` of them have reached the model (or 30 s
 * passed), so the group's tasks provably ran at once, whatever the machine's pace: each had started
 * before any could finish. Keyed by group, as the tests run concurrently and share agents.
 */
function rendezvous() {
  const groups = new Map<string, { arrived: number; all: PromiseWithResolvers<void> }>();
  return (key: string, size: number): Promise<void> => {
    const group = groups.get(key) ?? { arrived: 0, all: Promise.withResolvers<void>() };
    groups.set(key, group);
    if (++group.arrived >= size) group.all.resolve();
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 30_000).unref());
    return Promise.race([group.all.promise, timeout]);
  };
}
const together = rendezvous();

// The background agent answers only once Codex shows that the proxy holds the model's interim
// answer for it: the task is still running then, whatever the machine's speed.
const holding = Promise.withResolvers<void>();
const WAITER_RESULT = 'waiter: 12 flaky tests found';

/** `memo` remembers what its first prompt said, when a follow-up (SendMessage) asks. */
function memoAgent(req: ScriptedRequest): ScriptedReply {
  const users = req.messages.filter((m) => m.role === 'user');
  if (users.length === 1) return { text: 'memo: noted' };
  return { text: `memo recalls: ${/number (\d+)/.exec(users[0]!.text)?.[1] ?? 'nothing'}` };
}

/** Codex's upstream model: a scenario per prompt; ids carry the model so the two shapes never share one. */
function codexModel(req: ScriptedRequest): ScriptedReply {
  const prompt = req.lastUserText;
  const m = req.model.replace(/\W/g, '');
  const outputs = req.toolResults.map((r) => r.output);
  // A background agent's notification: the model reports what it says.
  const notified = /^<task-notification>.*<result>([\s\S]*)<\/result>/.exec(prompt);
  if (notified) return { text: `Background agent reports: ${notified[1]}` };
  if (prompt.includes('BACKGROUND')) {
    if (outputs.length === 0)
      return {
        toolCalls: [task(`call_bg_${m}`, 'waiter', 'Hunt flaky tests.', { run_in_background: true })],
      };
    return { text: 'Started the waiter job in the background; I will report when it is done.' };
  }
  if (prompt.includes('FOLLOW-UP')) {
    if (outputs.length === 0)
      return { toolCalls: [task(`call_memo_${m}`, 'memo', 'Remember the number 42.')] };
    const agentId = /agentId: (\w+)/.exec(outputs[0]!)?.[1];
    if (req.toolResults[0]!.callId === `call_memo_${m}`)
      return {
        toolCalls: [
          {
            name: 'SendMessage',
            id: `call_follow_${m}`,
            input: { to: agentId, message: 'Which number was it?', summary: 'ask for the number' },
          },
        ],
      };
  }
  if (prompt.includes('THANKS')) return { text: 'You are welcome.' };
  if (prompt.includes('PLAIN')) return { text: 'Plain answer: nothing to delegate here.', chunkDelayMs: 2 };
  if (prompt.includes('RESTART two')) {
    const earlier = req.messages.filter((x) => x.role === 'tool').map((x) => x.output);
    return { text: `Second turn sees: ${earlier.join(' / ')}` };
  }
  if (outputs.length > 0) return { text: `Final answer:\n${outputs.join('\n---\n')}` };
  if (prompt.includes('TWO-TASKS'))
    return {
      toolCalls: [
        task(`call_two_${m}_a`, 'alpha', `Do the alpha job (pair ${m}).`),
        task(`call_two_${m}_b`, 'beta', `Do the beta job (pair ${m}).`),
      ],
    };
  if (prompt.includes('MIXED'))
    return {
      toolCalls: [
        task(`call_mixed_${m}`, 'alpha'),
        { name: 'exec_command', id: `call_exec_${m}`, input: { cmd: 'echo MIXED-$((40+2))' } },
      ],
    };
  if (prompt.includes('SLOW')) return { toolCalls: [task(`call_slow_${m}`, 'slowpoke')] };
  if (prompt.includes('RESTART one')) return { toolCalls: [task(`call_restart_${m}`, 'alpha')] };
  const review = /REVIEW-ALL under (\S+): (.+)/.exec(prompt);
  if (review)
    return {
      toolCalls: review[2]!
        .split(' ')
        .map((file, i) => task(`call_review_${m}_${i}`, 'reviewer', `Review ${review[1]}/${file}`)),
    };
  return { text: `unexpected prompt: ${prompt.slice(0, 80)}` };
}

let model: ScriptedModelServer;
let upstreamTap: Awaited<ReturnType<typeof startTap>>;
let clientTap: Awaited<ReturnType<typeof startTap>>;
let proxy: Awaited<ReturnType<typeof startProxyProcess>>;
let workspace: string;
let proxyEnv: Record<string, string>;

beforeAll(async () => {
  model = await startScriptedModel({
    handler: async (req) => {
      const agent = /AGENT:(\w+)/.exec(req.system)?.[1];
      if (agent === 'memo') return memoAgent(req);
      if (agent === 'waiter') {
        await holding.promise;
        return { text: WAITER_RESULT };
      }
      if (agent && AGENTS[agent]) {
        const pair = /\(pair (\S+)\)/.exec(req.lastUserText)?.[1];
        if (pair) await together(`pair ${pair}`, 2);
        if (agent === 'reviewer') await together('review-all', 3);
        const { result, latencyMs } = AGENTS[agent];
        const about = agent === 'reviewer' ? ` ${/Review (\S+)/.exec(req.lastUserText)?.[1]}` : '';
        return { text: `${result}${about}`, latencyMs };
      }
      if (req.system.includes('You are Codex')) return codexModel(req);
      return { text: 'ok' };
    },
  });
  upstreamTap = await startTap(model.url);
  workspace = await makeWorkspace({
    'src/a.ts': 'export const a = 1;\n',
    '.codex-task/config.json': JSON.stringify({ proxy: { keepAlive: 300 } }),
    '.claude/commands/review-all.md':
      '---\ndescription: Review every module of a folder in parallel\nargument-hint: <dir>\nmodel: gpt-5.5-mini\n---\nREVIEW-ALL under $1: a.ts b.ts c.ts\nStart one Task per module (subagent_type reviewer), all at once, then summarise.\n',
    ...Object.fromEntries(
      [...Object.keys(AGENTS), 'memo', 'waiter'].map((name) => [
        `.claude/agents/${name}.md`,
        agentFile({ name, description: `Does the ${name} job`, tools: 'Read' }, `AGENT:${name}`),
      ]),
    ),
  });
  proxyEnv = {
    CODEX_TASK_RUNS_DB: join(workspace, 'runs.db'),
    CODEX_TASK_AUDIT_LOG: join(workspace, 'audit.jsonl'),
    CODEX_TASK_LOG_LEVEL: 'warn',
  };
  proxy = await startProxyProcess(['--port', '0', '--upstream', `${upstreamTap.url}/v1`], {
    cwd: workspace,
    env: proxyEnv,
  });
  clientTap = await startTap(proxy.baseUrl.replace(/\/v1$/, ''));
}, 60_000);

afterAll(async () => {
  await proxy?.stop();
  await clientTap?.close();
  await upstreamTap?.close();
  await model?.close();
  if (workspace) await rm(workspace, { recursive: true, force: true });
});

const README = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
/** The README's config.toml lines, exactly (so what the README says is what is tested). */
const README_CONFIG = /<!-- example: proxy-config -->\s*```toml\n([\s\S]*?)```/.exec(README)![1]!;

/**
 * A CODEX_HOME with the README's config.toml pointed at `baseUrl`, plus test-only limits: the idle
 * timeout cut and no retries (the lines go on in the README's `[model_providers.codex-task]` table).
 */
async function codexHome(name: string, baseUrl: string): Promise<string> {
  const home = join(workspace, `.codex-${name}`);
  await mkdir(home, { recursive: true });
  expect(README_CONFIG).toContain('base_url = "http://127.0.0.1:10000/v1"');
  const config = `${README_CONFIG.replace('http://127.0.0.1:10000/v1', baseUrl)}stream_idle_timeout_ms = ${IDLE_TIMEOUT_MS}
stream_max_retries = 0
request_max_retries = 0
`;
  await writeFile(join(home, 'config.toml'), config);
  return home;
}

async function runCodex(
  name: string,
  args: string[],
  baseUrl = `${clientTap.url}/v1`,
  watch?: { text: string; seenAt?: number; onSeen?: () => void },
) {
  const home = await codexHome(name, baseUrl);
  const run = spawnCollecting(CODEX_BIN, ['exec', '--skip-git-repo-check', ...args], {
    cwd: workspace,
    env: { PATH: process.env.PATH ?? '', HOME: workspace, CODEX_HOME: home, OPENAI_API_KEY: KEY },
    timeoutMs: 90_000,
  });
  if (watch) {
    const look = () => {
      const { stdout, stderr } = run.output();
      if (!watch.seenAt && `${stdout}${stderr}`.includes(watch.text)) {
        watch.seenAt = Date.now();
        watch.onSeen?.();
      }
    };
    run.child.stdout.on('data', look);
    run.child.stderr.on('data', look);
  }
  return run.done;
}

function records(callIds: string[]): TaskRecord[] {
  const store = new RunStore({ path: proxyEnv.CODEX_TASK_RUNS_DB! });
  try {
    return callIds.flatMap((id) => store.list({ callerCallId: id }));
  } finally {
    store.close();
  }
}

const codexRequests = (marker: string) =>
  model.requests.filter((r) => r.system.includes('You are Codex') && r.lastUserText.includes(marker));

const overlap = (tasks: TaskRecord[]) =>
  Math.max(...tasks.map((t) => t.startedAt!)) < Math.min(...tasks.map((t) => t.finishedAt!));

describe.concurrent('Codex CLI → codex-task proxy → scripted upstream', () => {
  it('(1) passes a plain chat through byte for byte', async () => {
    const run = await runCodex('plain', ['-m', 'gpt-5.5', 'PLAIN question']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Plain answer: nothing to delegate here.');
    // Codex may exit before the taps have seen the end of the response.
    const find = (tap: typeof clientTap) => tap.records.find((r) => r.requestBody.includes('PLAIN question'));
    await expect.poll(() => find(clientTap) && find(upstreamTap), { timeout: 10_000 }).toBeTruthy();
    const sent = find(upstreamTap);
    const received = find(clientTap);
    expect(sent?.responseBody.length).toBeGreaterThan(500);
    expect(received?.responseBody.equals(sent!.responseBody)).toBe(true);
    // The request went up with Task added and Codex's key untouched.
    const up = codexRequests('PLAIN question')[0]!;
    expect(up.tools).toContain('Task');
    expect(up.tools).toContain('exec_command');
    expect(up.headers.authorization).toBe(`Bearer ${KEY}`);
  }, 90_000);

  it.each([
    ['gpt-5.5', 'Task'],
    ['gpt-6.1-sol', 'functions__Task'],
  ])(
    '(2, 6) %s: two Task calls in one turn run in parallel and both real results reach the model',
    async (m, offered) => {
      const run = await runCodex(`two-${m}`, ['-m', m, `TWO-TASKS with ${m}`]);
      expect(run.code, run.stderr).toBe(0);
      // Codex printed the final answer, built from both real results.
      expect(run.stdout).toContain('Final answer:');
      expect(run.stdout).toContain('alpha: found 3 issues');
      expect(run.stdout).toContain('beta: all clear');
      const requests = codexRequests(`TWO-TASKS with ${m}`);
      expect(requests[0]!.tools).toContain(offered);
      const results = requests[1]!.toolResults;
      expect(results.map((r) => r.callId).sort()).toEqual([
        `call_two_${m.replace(/\W/g, '')}_a`,
        `call_two_${m.replace(/\W/g, '')}_b`,
      ]);
      for (const r of results) {
        expect(r.output).not.toContain('unsupported call');
        expect(r.output).toMatch(
          /\n\nagentId: (\w+) \(use SendMessage with to: '\1', summary: '<5-10 word recap>' to continue this agent\)\n<usage>subagent_tokens: \d+\n/,
        );
      }
      const tasks = records(results.map((r) => r.callId));
      expect(tasks).toHaveLength(2);
      for (const t of tasks) expect(t).toMatchObject({ status: 'completed', resolvedModel: `upstream:${m}` });
      expect(overlap(tasks)).toBe(true);
      // Subagents inherited the parent's model and its credentials on the same upstream.
      const sub = model.requests.filter((r) => /AGENT:(alpha|beta)/.test(r.system) && r.model === m);
      expect(sub.length).toBeGreaterThanOrEqual(2);
      for (const r of sub) expect(r.headers.authorization).toBe(`Bearer ${KEY}`);
      // Progress was shown: the reasoning summary the proxy streamed while they ran.
      const shown = `${run.stdout}\n${run.stderr}`;
      expect(shown).toContain('Running 2 subagents: alpha job (alpha), beta job (beta)');
      expect(shown).toMatch(/alpha job \(alpha\): completed in \d+\.\d s/);
      expect(shown).toMatch(/beta job \(beta\): completed in \d+\.\d s/);
    },
    90_000,
  );

  it('(3) Task and exec_command in one turn: both outputs reach the model', async () => {
    const run = await runCodex('mixed', [
      '-m',
      'gpt-5.5',
      '--dangerously-bypass-approvals-and-sandbox',
      'MIXED turn',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const next = codexRequests('MIXED turn')[1]!;
    const byId = Object.fromEntries(next.toolResults.map((r) => [r.callId, r.output]));
    expect(byId.call_exec_gpt55).toContain('MIXED-42');
    expect(byId.call_mixed_gpt55).toContain('alpha: found 3 issues');
    expect(run.stdout).toContain('MIXED-42');
    expect(run.stdout).toContain('alpha: found 3 issues');
  }, 90_000);

  it("(5) a Task slower than Codex's stream idle timeout still completes", async () => {
    const started = Date.now();
    const progress: { text: string; seenAt?: number } = { text: 'Running 1 subagent: slowpoke job' };
    const run = await runCodex('slow', ['-m', 'gpt-5.5', 'SLOW task'], undefined, progress);
    const ended = Date.now();
    expect(run.code, run.stderr).toBe(0);
    expect(ended - started).toBeGreaterThan(AGENTS.slowpoke!.latencyMs);
    // Progress is live: Codex printed it while the subagent was still running.
    expect(ended - progress.seenAt!).toBeGreaterThan(AGENTS.slowpoke!.latencyMs / 2);
    expect(run.stdout).toContain('slowpoke: finally done');
    expect(run.stderr).not.toContain('idle timeout');
    expect(codexRequests('SLOW task')).toHaveLength(2);
  }, 90_000);

  it('(4) /review-all src expands the command and fans out into three parallel Tasks', async () => {
    const run = await runCodex('review', ['-m', 'gpt-5.5', '/review-all src']);
    expect(run.code, run.stderr).toBe(0);
    const requests = codexRequests('REVIEW-ALL under src');
    // The command's `model` is that turn's model, and its subagents inherit it.
    for (const r of requests) expect(r.model).toBe('gpt-5.5-mini');
    expect(requests[0]!.lastUserText).toContain('Start one Task per module');
    expect(requests[0]!.lastUserText).not.toContain('/review-all');
    const results = requests[1]!.toolResults;
    expect(results).toHaveLength(3);
    for (const file of ['a.ts', 'b.ts', 'c.ts']) {
      expect(run.stdout).toContain(`reviewed src/${file}`);
    }
    const tasks = records(results.map((r) => r.callId));
    expect(tasks).toHaveLength(3);
    for (const t of tasks) expect(t.resolvedModel).toBe('upstream:gpt-5.5-mini');
    expect(overlap(tasks)).toBe(true);
  }, 90_000);

  it('(7) a background Task: launched at once, its notification reaches the model before `codex exec` ends', async () => {
    const run = await runCodex('background', ['-m', 'gpt-5.5', 'BACKGROUND job'], undefined, {
      text: 'Waiting for 1 subagent in the background: waiter job (waiter)',
      onSeen: () => holding.resolve(),
    });
    expect(run.code, run.stderr).toBe(0);
    const requests = model.requests.filter(
      (r) =>
        r.system.includes('You are Codex') &&
        r.messages.some((x) => x.role === 'user' && x.text === 'BACKGROUND job'),
    );
    // Codex's second request: its "unsupported call" replaced by Claude Code's launch text.
    const launched = requests[1]!.toolResults[0]!;
    expect(launched.callId).toBe('call_bg_gpt55');
    expect(launched.output).toMatch(
      /^Async agent launched successfully\.\nagentId: (\w+) \(use SendMessage with to: '\1', summary: '<5-10 word recap>' to continue this agent\)\nYou will be notified automatically when it completes\.$/,
    );
    const agentId = /agentId: (\w+)/.exec(launched.output)![1]!;
    // The model's interim answer was held; the proxy's own request carried the notification after it.
    const notified = requests.find((r) => r.lastUserText.startsWith('<task-notification>'))!;
    expect(notified.lastUserText).toContain(
      `<task-id>${agentId}</task-id><tool-use-id>call_bg_gpt55</tool-use-id><status>completed</status><summary>Agent "waiter job" finished</summary><result>${WAITER_RESULT}</result>`,
    );
    expect(notified.messages.at(-2)).toMatchObject({
      role: 'assistant',
      text: 'Started the waiter job in the background; I will report when it is done.',
    });
    // Codex showed both answers, and its last message, the one `codex exec` prints, uses the result.
    expect(run.stderr).toContain('Started the waiter job in the background');
    expect(run.stdout.trim()).toBe(`Background agent reports: ${WAITER_RESULT}`);
    expect(records(['call_bg_gpt55'])).toMatchObject([{ id: agentId, status: 'completed' }]);

    // The next turn: Codex's history has both answers (never the notification); the model reads
    // the notification between them again, where it was delivered.
    const next = await runCodex('background', ['-m', 'gpt-5.5', 'resume', '--last', 'THANKS for the report']);
    expect(next.code, next.stderr).toBe(0);
    const thanks = codexRequests('THANKS for the report')[0]!;
    expect(thanks.messages.slice(-4)).toEqual([
      {
        role: 'assistant',
        text: 'Started the waiter job in the background; I will report when it is done.',
        toolCalls: [],
      },
      { role: 'user', text: notified.lastUserText },
      { role: 'assistant', text: `Background agent reports: ${WAITER_RESULT}`, toolCalls: [] },
      { role: 'user', text: 'THANKS for the report' },
    ]);
  }, 90_000);

  it('(8) SendMessage continues an agent with its earlier conversation', async () => {
    const run = await runCodex('follow-up', ['-m', 'gpt-5.5', 'FOLLOW-UP question']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('memo recalls: 42');
    const requests = codexRequests('FOLLOW-UP question');
    const answered = requests.find((r) => r.toolResults[0]?.callId === 'call_follow_gpt55')!;
    expect(answered.toolResults[0]!.output).toMatch(/^memo recalls: 42\n\nagentId: \w+ \(use SendMessage/);
    // The memo agent's second request held its whole first conversation, then the new message.
    const followUp = model.requests.filter((r) => r.system.includes('AGENT:memo')).at(-1)!;
    expect(followUp.messages.map((x) => x.role)).toEqual(['user', 'assistant', 'user']);
    expect(followUp.messages[0]).toMatchObject({ text: expect.stringContaining('Remember the number 42.') });
    expect(followUp.messages[1]).toMatchObject({ text: 'memo: noted' });
    expect(followUp.messages[2]).toMatchObject({ text: 'Which number was it?' });
    const [first] = records(['call_memo_gpt55']);
    expect(records(['call_follow_gpt55'])).toMatchObject([
      { continuesTaskId: first!.id, description: 'ask for the number', status: 'completed' },
    ]);
  }, 90_000);
});

describe('an upstream that is down', () => {
  it('gives Codex an error it reports, not a hang', async () => {
    const down = await startProxyProcess(['--port', '0', '--upstream', 'http://127.0.0.1:9/v1'], {
      cwd: workspace,
      env: proxyEnv,
    });
    try {
      const started = Date.now();
      const run = await runCodex('down', ['-m', 'gpt-5.5', 'PLAIN but nobody answers'], down.baseUrl);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain('http://127.0.0.1:9/v1 is not reachable');
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      await down.stop();
    }
  }, 60_000);
});

describe('proxy restart between two requests of one conversation', () => {
  it('takes the earlier Task result from the run records, without running it again', async () => {
    let own = await startProxyProcess(['--port', '0', '--upstream', model.baseUrls.openai], {
      cwd: workspace,
      env: proxyEnv,
    });
    const baseUrl = own.baseUrl;
    try {
      const first = await runCodex('restart', ['-m', 'gpt-5.5', 'RESTART one'], baseUrl);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toContain('alpha: found 3 issues');
      await own.stop();
      // Same port, new process: nothing in memory.
      own = await startProxyProcess(
        ['--port', String(new URL(baseUrl).port), '--upstream', model.baseUrls.openai],
        {
          cwd: workspace,
          env: proxyEnv,
        },
      );
      const second = await runCodex('restart', ['-m', 'gpt-5.5', 'resume', '--last', 'RESTART two'], baseUrl);
      expect(second.code, second.stderr).toBe(0);
      // Codex's history holds "unsupported call: Task"; the model saw the recorded result instead.
      expect(second.stdout).toContain('Second turn sees: alpha: found 3 issues');
      expect(second.stdout).not.toContain('unsupported call');
      expect(records(['call_restart_gpt55'])).toHaveLength(1);
    } finally {
      await own.stop();
    }
  }, 120_000);
});
