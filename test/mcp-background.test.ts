import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskEngineOptions } from '../src/engine/index.ts';
import { createEngineRuntime, RESULT_META_KEY, TaskService } from '../src/mcp/index.ts';
import type { ScriptedRequest } from '../src/scripted-model/index.ts';
import { RunStore } from '../src/store/index.ts';
import { connectInMemory, inProcessRuntimeOptions, waitFor } from './mcp-support.ts';
import { agentFile, useHarness } from './support.ts';

// Background agents (run_in_background, TaskOutput) and follow-ups (SendMessage) through the MCP
// server in process: the SDK's own client over an in-memory transport, the real engine and run store
// behind it, on the scripted model. A model reply is held on a gate, so "at once" needs no clock.
const h = useHarness();

const FILES = {
  '.claude/agents/worker.md': agentFile({ name: 'worker', description: 'Works' }, 'AGENT:worker'),
};

const LAUNCH =
  /^Async agent launched successfully\.\nagentId: (\w+) \(use SendMessage with to: '\1', summary: '<5-10 word recap>' to continue this agent\)\nRead its result with TaskOutput \{ agentId: "\1" \} \(wait: true blocks until it is done\)\.$/;

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

/** A model reply held until the test opens it; opened at the latest when the test ends. */
function gate() {
  const { promise, resolve } = Promise.withResolvers<void>();
  open.push({ close: resolve });
  return { opened: promise, open: resolve };
}

/** Replies `done: <prompt>`; a prompt starting with `hold` waits for `held` first. */
function holding(held: Promise<void>, seen: ScriptedRequest[] = []) {
  return async (req: ScriptedRequest) => {
    seen.push(req);
    if (req.lastUserText.startsWith('hold')) await held;
    return { text: `done: ${req.lastUserText}` };
  };
}

function serviceFor(ws: string, options: { runsDb?: string; engine?: TaskEngineOptions } = {}) {
  const service = new TaskService({
    cwd: ws,
    homeDir: ws,
    watchIntervalMs: 60_000,
    runtime: () =>
      createEngineRuntime(
        inProcessRuntimeOptions(h.model, ws, {
          ...(options.engine ? { engine: options.engine } : {}),
          ...(options.runsDb
            ? { observe: { store: options.runsDb, logger: false, audit: false, tracing: false } }
            : {}),
        }),
      ),
  });
  open.push(service);
  return service;
}

/** An SDK client in a session of its own on `service`. */
async function connect(service: TaskService) {
  const client = await connectInMemory(service);
  open.push(client);
  const call = (name: string, args: Record<string, unknown>, options?: Parameters<Client['callTool']>[2]) =>
    client.callTool({ name, arguments: args }, undefined, options) as Promise<CallToolResult>;
  return { client, call };
}

const text = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
const meta = (r: CallToolResult) => r._meta?.[RESULT_META_KEY] as Record<string, unknown>;
const launchedId = (r: CallToolResult) => LAUNCH.exec(text(r))?.[1] as string;
const background = (prompt: string) => ({
  subagent_type: 'worker',
  description: 'bg job',
  prompt,
  run_in_background: true,
});

describe('background agents over MCP', () => {
  it('lists Task, TaskOutput and SendMessage; --tool-name Agent renames Task only', async () => {
    const ws = await h.setup(FILES);
    for (const toolName of ['Task', 'Agent'] as const) {
      const service = new TaskService({ cwd: ws, homeDir: ws, toolName, runtime: () => Promise.reject() });
      open.push(service);
      const { client } = await connect(service);
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual([toolName, 'TaskOutput', 'SendMessage']);
      const [task, output, send] = tools;
      expect(task!.inputSchema.properties).toMatchObject({
        run_in_background: { type: 'boolean', description: expect.stringContaining('TaskOutput') },
        isolation: { enum: ['worktree'] },
      });
      expect(task!.description).toContain('read its result later with TaskOutput { agentId }');
      expect(output!.inputSchema).toMatchObject({
        required: ['agentId'],
        properties: { agentId: { type: 'string' }, wait: { type: 'boolean' } },
        additionalProperties: false,
      });
      expect(output!.annotations).toMatchObject({ readOnlyHint: true });
      expect(send!.inputSchema).toMatchObject({ required: ['to', 'message'], additionalProperties: false });
      expect(client.getInstructions()).toContain(`with the ${toolName} tool`);
    }
  });

  it('answers a background Task at once, before the model has answered; TaskOutput reports, waits, then reads it once', async () => {
    const held = gate();
    let answered = false;
    const ws = await h.setup(FILES, async (req) => {
      await held.opened;
      answered = true;
      return { text: `done: ${req.lastUserText}` };
    });
    const { call } = await connect(serviceFor(ws));

    const launch = await call('Task', background('count the files'));
    expect(answered).toBe(false); // the reply is still held: the call did not wait for it
    expect(launch.isError).toBeUndefined();
    expect(text(launch)).toMatch(LAUNCH);
    const id = launchedId(launch);
    expect(meta(launch)).toEqual({ taskId: id, agentType: 'worker', status: 'running', background: true });

    const status = await call('TaskOutput', { agentId: id });
    expect(status.isError).toBeUndefined();
    expect(text(status)).toMatch(
      new RegExp(
        `^Agent ${id} \\("bg job", worker\\) is still running: 0 tool uses so far, \\d+ s elapsed\\.\\n`,
      ),
    );

    // Cancelling a wait stops the wait, not the agent.
    const controller = new AbortController();
    const waiting = call('TaskOutput', { agentId: id, wait: true }, { signal: controller.signal });
    await waitFor(() => h.model.requests.length > 0, 10_000, 'the model request');
    controller.abort();
    await expect(waiting).rejects.toThrow();
    expect(text(await call('TaskOutput', { agentId: id }))).toContain('is still running');

    const result = call('TaskOutput', { agentId: id, wait: true });
    held.open();
    const done = await result;
    expect(done.isError).toBeUndefined();
    expect(text(done)).toMatch(
      new RegExp(
        `^done: count the files\\n\\nagentId: ${id} \\(use SendMessage .*\\n<usage>subagent_tokens: \\d+`,
      ),
    );
    expect(meta(done)).toMatchObject({ taskId: id, status: 'completed', agentType: 'worker' });

    // Read once; without run records nothing else keeps it.
    const again = await call('TaskOutput', { agentId: id });
    expect(again.isError).toBe(true);
    expect(text(again)).toMatch(new RegExp(`^No agent '${id}' to read: .*\\nHint: Use the agentId`));
  });

  it('keeps running when the client that started it disconnects; another session reads it; the run store records it', async () => {
    const held = gate();
    const ws = await h.setup(FILES, holding(held.opened));
    const runsDb = join(ws, 'runs.db');
    const service = serviceFor(ws, { runsDb });
    const first = await connect(service);
    const id = launchedId(await first.call('Task', background('hold: survive the disconnect')));
    await first.client.close();
    // And a call whose signal aborts once it has answered (what a client's cancel or leaving does).
    const caller = new AbortController();
    const cancelled = launchedId(
      await service.call(background('hold: survive the cancel'), {}, { signal: caller.signal }),
    );
    caller.abort();

    held.open();
    const second = await connect(service);
    const done = await second.call('TaskOutput', { agentId: id, wait: true });
    expect(text(done)).toMatch(/^done: hold: survive the disconnect\n/);
    const alsoDone = await second.call('TaskOutput', { agentId: cancelled, wait: true });
    expect(text(alsoDone)).toMatch(/^done: hold: survive the cancel\n/);

    await service.close();
    const store = new RunStore({ path: runsDb });
    try {
      expect(store.get(id)).toMatchObject({
        status: 'completed',
        content: 'done: hold: survive the disconnect',
        input: { run_in_background: true },
      });
    } finally {
      store.close();
    }
  });

  it('is cancelled when the server shuts down, and its record says so', async () => {
    const held = gate();
    const ws = await h.setup(FILES, holding(held.opened));
    const runsDb = join(ws, 'runs.db');
    const service = serviceFor(ws, { runsDb });
    const { call } = await connect(service);
    const id = launchedId(await call('Task', background('hold: never finished')));
    await waitFor(() => h.model.requests.length > 0, 10_000, 'the model request');
    await service.close();
    const store = new RunStore({ path: runsDb });
    try {
      expect(store.get(id)).toMatchObject({ status: 'cancelled', error: { type: 'TaskCancelled' } });
    } finally {
      store.close();
    }
  });

  it('after a restart: TaskOutput reads a result from the run store, SendMessage continues with the earlier transcript', async () => {
    const seen: ScriptedRequest[] = [];
    const ws = await h.setup(FILES, holding(Promise.resolve(), seen));
    const runsDb = join(ws, 'runs.db');
    const before = serviceFor(ws, { runsDb });
    const { call: callBefore } = await connect(before);
    const id = launchedId(await callBefore('Task', background('remember the word kiwi')));
    await waitFor(() => seen.length > 0, 10_000, 'the model request');
    const first = await callBefore('TaskOutput', { agentId: id, wait: true });
    expect(text(first)).toMatch(/^done: remember the word kiwi\n/);
    await before.close();

    const after = serviceFor(ws, { runsDb });
    const { call } = await connect(after);
    const stored = await call('TaskOutput', { agentId: id });
    expect(stored.isError).toBeUndefined();
    expect(text(stored)).toBe(text(first)); // the same text, rebuilt from the record
    expect(meta(stored)).toMatchObject({ taskId: id, status: 'completed' });

    const progress: string[] = [];
    const follow = await call(
      'SendMessage',
      { to: id, message: 'which word?', summary: 'ask for the word' },
      { onprogress: (p) => progress.push(String(p.message)) },
    );
    expect(follow.isError).toBeUndefined();
    expect(text(follow)).toMatch(/^done: which word\?\n\nagentId: (\w+) \(use SendMessage/);
    expect(meta(follow)).toMatchObject({ status: 'completed', agentType: 'worker' });
    expect(progress[0]).toBe('[worker] started on openai:gpt-5.5');
    const last = seen.at(-1)!;
    expect(last.system).toContain('AGENT:worker');
    expect(last.messages.map((m) => [m.role, 'text' in m ? m.text : ''])).toEqual([
      ['user', 'remember the word kiwi'],
      ['assistant', 'done: remember the word kiwi'],
      ['user', 'which word?'],
    ]);
    const followId = meta(follow).taskId as string;
    await after.close();
    const store = new RunStore({ path: runsDb });
    try {
      expect(store.get(followId)).toMatchObject({ continuesTaskId: id, description: 'ask for the word' });
    } finally {
      store.close();
    }
  });

  it('answers BackgroundLimit, TaskNotFound, an unknown agentId and bad arguments as error results with their fixes', async () => {
    const held = gate();
    const ws = await h.setup(FILES, holding(held.opened));
    const { call } = await connect(serviceFor(ws, { engine: { maxBackgroundTasks: 1 } }));
    const running = await call('Task', background('hold: the one allowed'));
    expect(text(running)).toMatch(LAUNCH);

    const refused = await call('Task', background('one too many'));
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(
      /^Task failed: BackgroundLimit: Background task refused: 1 are already running \(background\.maxRunning\)\nHint: Wait for one to finish \(TaskOutput/,
    );
    expect(meta(refused)).toMatchObject({ status: 'failed', error: { type: 'BackgroundLimit' } });

    const lost = await call('SendMessage', { to: 'nope123', message: 'hello?' });
    expect(lost.isError).toBe(true);
    expect(text(lost)).toMatch(
      /^Task failed: TaskNotFound: No task 'nope123' to continue: .*\nHint: Continue a task by the agentId/,
    );

    const unknown = await call('TaskOutput', { agentId: 'nope123' });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toMatch(/^No agent 'nope123' to read: .*\nHint: /);

    const bad = await call('SendMessage', { to: 'x', note: 'hi' });
    expect(bad.isError).toBe(true);
    expect(text(bad)).toBe(
      'Invalid SendMessage input: `message` is required; unknown parameter(s) `note`\nHint: SendMessage takes { to: string, message: string, summary?: string }.',
    );
    const badOutput = await call('TaskOutput', { wait: 'yes' });
    expect(text(badOutput)).toMatch(/^Invalid TaskOutput input: `agentId` is required; `wait`: /);
    held.open();
  });
});
