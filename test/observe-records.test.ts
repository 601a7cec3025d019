import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { type Observability, observe } from '../src/observe/index.ts';
import type { ScriptedRequest } from '../src/scripted-model/index.ts';
import { AuditLog, createLogger } from '../src/telemetry/index.ts';
import { agentFile, useHarness } from './support.ts';

const h = useHarness();
const SECRET = 'sk-live-abcdefghijklmnopqrstuvwxyz0123';
let current: Observability | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

/** Observability into the test's workspace, with logs captured as parsed lines. */
function observed(engine = h.engine()) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (s: string) => lines.push(JSON.parse(s)) },
  });
  const obs = observe(engine, {
    env: {},
    store: join(h.workspace, 'runs.db'),
    logger,
    metrics: new Registry(),
    tracing: false,
    audit: new AuditLog(join(h.workspace, 'audit.jsonl')),
  });
  current = obs;
  const audit = () =>
    readFileSync(join(h.workspace, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { engine, obs, lines, audit };
}

const worker = agentFile({ name: 'worker', description: 'works', tools: 'Read, Bash' });
/** Turn 1 reads a file, runs a command holding a key, and calls a tool it was not granted. */
const workerScript = (req: ScriptedRequest) =>
  req.turn === 0
    ? {
        text: 'looking around',
        toolCalls: [
          { name: 'Read', input: { file_path: 'a.txt' } },
          { name: 'Bash', input: { command: `echo OPENAI_API_KEY=${SECRET}` } },
          { name: 'Write', input: { file_path: 'x', content: 'y' } },
        ],
      }
    : { text: 'all done' };

describe('run records, logs and audit of a real run', () => {
  it('records the task, its transcript step by step, and its result', async () => {
    await h.setup({ 'a.txt': 'hello', '.claude/agents/worker.md': worker }, workerScript);
    const { obs } = observed();
    const { taskId, result } = obs.start({
      description: 'look',
      prompt: 'look around',
      subagent_type: 'worker',
    });
    const r = await result;
    expect(r.status).toBe('completed');
    expect(r.taskId).toBe(taskId);

    const record = obs.store!.get(taskId)!;
    expect(record).toMatchObject({
      status: 'completed',
      agentType: 'worker',
      description: 'look',
      input: { description: 'look', prompt: 'look around', subagent_type: 'worker' },
      resolvedModel: 'openai:gpt-5.5',
      content: 'all done',
      turns: 2,
      toolUses: 3,
      agentHash: r.agentHash,
    });
    expect(record.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(record.usage.inputTokens).toBe(r.usage.inputTokens);
    expect(record.finishedAt! >= record.startedAt! && record.startedAt! >= record.queuedAt).toBe(true);

    const steps = obs.store!.steps(taskId);
    const kinds = steps.map((s) => `${s.kind}:${s.name ?? ''}`);
    expect(kinds).toEqual(
      expect.arrayContaining(['tool_call:Read', 'tool_call:Bash', 'tool_result:Read', 'tool_result:Bash']),
    );
    expect(kinds).toContain('tool_denied:Write');
    expect(kinds.filter((k) => k === 'turn:')).toHaveLength(2);
    expect(steps.map((s) => s.seq)).toEqual(steps.map((_, i) => i + 1));
    expect(steps.find((s) => s.name === 'Read' && s.kind === 'tool_result')!.data.output).toContain('hello');
  });

  it('keeps a key in a tool argument out of the store, the logs and the audit log', async () => {
    await h.setup({ 'a.txt': 'hello', '.claude/agents/worker.md': worker }, workerScript);
    const { obs, lines, audit } = observed();
    const { taskId, result } = obs.start({
      description: 'look',
      prompt: `use ${SECRET}`,
      subagent_type: 'worker',
    });
    await result;
    const stepsJson = JSON.stringify(obs.store!.steps(taskId));
    expect(stepsJson).toContain('OPENAI_API_KEY=[REDACTED]');
    expect(JSON.stringify(obs.store!.get(taskId))).not.toContain(SECRET);
    await obs.close();
    current = undefined;
    // The raw database and WAL bytes, not just what the queries return.
    for (const file of ['runs.db', 'runs.db-wal']) {
      let bytes = '';
      try {
        bytes = readFileSync(join(h.workspace, file), 'latin1');
      } catch {}
      expect(bytes).not.toContain('sk-live');
    }
    expect(JSON.stringify(lines)).not.toContain('sk-live');
    expect(JSON.stringify(audit())).not.toContain('sk-live');
    expect(lines.some((l) => String(l.args ?? '').includes('[REDACTED]'))).toBe(true);
  });

  it('puts taskId, agentType and one traceId on every log line about a task', async () => {
    await h.setup({ 'a.txt': 'hello', '.claude/agents/worker.md': worker }, workerScript);
    const { obs, lines } = observed();
    const { taskId, result } = obs.start({ description: 'look', prompt: 'p', subagent_type: 'worker' });
    await result;
    const about = lines.filter((l) => l.taskId === taskId);
    expect(about.map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        'task queued',
        'task started',
        'tool call finished',
        'tool call denied',
        'task finished',
      ]),
    );
    const traceIds = new Set(about.map((l) => l.traceId));
    expect(traceIds).toEqual(new Set([obs.store!.get(taskId)!.traceId]));
    for (const line of about) expect(line).toMatchObject({ agentType: 'worker', level: expect.any(String) });
  });

  it('audits each tool call: allowed with its outcome, or denied with the reason', async () => {
    await h.setup({ 'a.txt': 'hello', '.claude/agents/worker.md': worker }, workerScript);
    const { obs, audit } = observed();
    const { taskId, result } = obs.start({ description: 'look', prompt: 'p', subagent_type: 'worker' });
    await result;
    const mine = audit().filter((l) => l.taskId === taskId);
    expect(mine).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          event: 'tool.call',
          tool: 'Read',
          decision: 'allowed',
          agentType: 'worker',
        }),
        expect.objectContaining({ event: 'tool.result', tool: 'Read', outcome: 'ok' }),
        expect.objectContaining({ event: 'tool.call', tool: 'Bash', decision: 'allowed' }),
        expect.objectContaining({
          event: 'tool.call',
          tool: 'Write',
          decision: 'denied',
          reason: expect.any(String),
        }),
      ]),
    );
    expect(mine.find((l) => l.tool === 'Read')!.args).toBe('{"file_path":"a.txt"}');
  });

  it('audits agent-file changes that hot reload picks up', async () => {
    await h.setup({ '.claude/agents/worker.md': worker }, () => ({ text: 'ok' }));
    const { engine, obs, audit } = observed();
    engine.agents().list();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      join(h.workspace, '.claude/agents/worker.md'),
      agentFile({ name: 'worker', description: 'new' }),
    );
    await obs.start({ description: 'x', prompt: 'x', subagent_type: 'worker' }).result;
    expect(audit()).toContainEqual(
      expect.objectContaining({
        event: 'agent.file',
        change: 'modified',
        name: 'worker',
        hash: expect.any(String),
      }),
    );
  });

  it('links a nested task to its parent, the Task call that started it, its input and trace', async () => {
    await h.setup(
      {
        '.claude/agents/lead.md': agentFile({ name: 'lead', description: 'delegates', tools: 'Task' }),
        '.claude/agents/helper.md': agentFile({ name: 'helper', description: 'helps' }),
      },
      (req) => {
        if (req.system.includes('You are a test agent') && req.tools.includes('Task') && req.turn === 0) {
          return {
            toolCalls: [
              {
                name: 'Task',
                input: { description: 'help', prompt: 'child prompt A', subagent_type: 'helper' },
              },
              {
                name: 'Task',
                input: { description: 'help', prompt: 'child prompt B', subagent_type: 'helper' },
              },
            ],
          };
        }
        return { text: req.lastUserText.startsWith('child') ? `did ${req.lastUserText}` : 'delegated' };
      },
    );
    const { obs } = observed();
    const { taskId, result } = obs.start({ description: 'lead', prompt: 'go', subagent_type: 'lead' });
    expect((await result).status).toBe('completed');
    const parent = obs.store!.get(taskId)!;
    const children = obs.store!.children(taskId);
    expect(children).toHaveLength(2);
    const calls = obs.store!.steps(taskId).filter((s) => s.kind === 'tool_call');
    for (const child of children) {
      expect(child).toMatchObject({
        parentId: taskId,
        traceId: parent.traceId,
        status: 'completed',
        spawnDepth: 2,
      });
      const call = calls.find((c) => c.callId === child.parentCallId)!;
      expect(call.data.input).toEqual(child.input);
      expect(child.content).toBe(`did ${(child.input as { prompt: string }).prompt}`);
    }
  });

  it('records a retried model call as a step, with the retry count, and logs it', async () => {
    let calls = 0;
    await h.setup({}, () => (++calls === 1 ? { fault: { kind: 'status', status: 503 } } : { text: 'ok' }));
    const { obs, lines } = observed();
    const { taskId, result } = obs.start({ description: 'flaky', prompt: 'p' });
    expect((await result).status).toBe('completed');
    expect(obs.store!.get(taskId)).toMatchObject({
      retries: 1,
      modelsUsed: [{ model: 'openai:gpt-5.5', calls: 1 }],
    });
    const [attempt] = obs.store!.steps(taskId).filter((s) => s.kind === 'model_call');
    expect(attempt!.data).toMatchObject({ outcome: 'retry', status: 503, reason: '503', attempt: 1 });
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'model call failed, retrying', taskId, status: 503, level: 'warn' }),
    );
  });

  it("records the input of a task started for a client's call, and the caller apart from any parent", async () => {
    await h.setup({}, () => ({ text: 'ok' }));
    const { obs } = observed();
    const { taskId, result } = obs.start(
      { description: 'd', prompt: 'from codex' },
      { caller: { threadId: 'thread-42', callId: 'call-7' } },
    );
    await result;
    expect(obs.store!.get(taskId)).toMatchObject({
      callerThreadId: 'thread-42',
      callerCallId: 'call-7',
      input: { prompt: 'from codex' },
    });
    expect(obs.store!.get(taskId)?.parentId).toBeUndefined();
  });

  it('records a task that fails before admission (bad input) with its error', async () => {
    await h.setup();
    const { obs, lines } = observed();
    const { taskId, result } = obs.start({ prompt: 'no description' });
    expect((await result).status).toBe('failed');
    expect(obs.store!.get(taskId)).toMatchObject({ status: 'failed', error: { type: 'InvalidTaskInput' } });
    expect(lines.filter((l) => l.msg === 'run store write failed')).toEqual([]);
  });
});
