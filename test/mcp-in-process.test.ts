import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type CallToolResult, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/index.ts';
import {
  createEngineRuntime,
  RESULT_META_KEY,
  type RuntimeLoader,
  serveHttp,
  TaskService,
} from '../src/mcp/index.ts';
import type { RuntimeOptions } from '../src/runtime/index.ts';
import type { ScriptedRequest } from '../src/scripted-model/index.ts';
import { RunStore } from '../src/store/index.ts';
import { connectInMemory, inProcessRuntimeOptions, waitFor } from './mcp-support.ts';
import { agentFile, useHarness } from './support.ts';

// The MCP server in process: the SDK's own client over an in-memory transport (and over real HTTP
// for serveHttp), the real engine behind it on the scripted model. mcp-server.test.ts drives the
// binary over stdio.
const h = useHarness();

function script(req: ScriptedRequest) {
  if (req.system.includes('AGENT:reader'))
    return req.turn === 0
      ? { toolCalls: [{ name: 'Read', input: { file_path: 'a.txt' } }] }
      : { text: `reader saw: ${req.toolResults[0]?.output.includes('hello') ? 'hello' : '?'}` };
  if (req.system.includes('AGENT:boss'))
    return req.turn === 0
      ? {
          toolCalls: [
            {
              name: 'Task',
              input: { subagent_type: 'reader', description: 'read it', prompt: 'read a.txt' },
            },
          ],
        }
      : { text: 'boss done' };
  if (req.system.includes('AGENT:slow')) return { text: 'too late', latencyMs: 10_000 };
  if (req.system.includes('AGENT:broken')) return { fault: { kind: 'status' as const, status: 400 } };
  return { text: `general: ${req.lastUserText}` };
}

const FILES = {
  'a.txt': 'hello from a.txt',
  '.claude/agents/reader.md': agentFile(
    { name: 'reader', description: 'Reads files', tools: 'Read' },
    'AGENT:reader',
  ),
  '.claude/agents/boss.md': agentFile(
    { name: 'boss', description: 'Delegates', tools: 'Task, Read' },
    'AGENT:boss',
  ),
  '.claude/agents/slow.md': agentFile({ name: 'slow', description: 'Slow' }, 'AGENT:slow'),
  '.claude/agents/broken.md': agentFile({ name: 'broken', description: 'Fails' }, 'AGENT:broken'),
};

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

const runtimeOptions = (ws: string, overrides: Partial<RuntimeOptions> = {}) =>
  inProcessRuntimeOptions(h.model, ws, overrides);

/** A service over the real engine runtime, and an SDK client connected to it in memory. */
async function connect(ws: string, options: { runtime?: RuntimeLoader; toolName?: 'Task' | 'Agent' } = {}) {
  let loads = 0;
  const service = new TaskService({
    cwd: ws,
    homeDir: ws,
    watchIntervalMs: 20,
    ...(options.toolName ? { toolName: options.toolName } : {}),
    runtime:
      options.runtime ??
      (() => {
        loads++;
        return createEngineRuntime(runtimeOptions(ws));
      }),
  });
  open.push(service);
  const client = await connectInMemory(service);
  open.push(client);
  return { service, client, loads: () => loads };
}

const text = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
const meta = (r: CallToolResult) => r._meta?.[RESULT_META_KEY] as Record<string, unknown>;

/** A Task call with a progress token: its result and the progress messages it was sent. */
async function callWithProgress(client: Client, args: Record<string, unknown>) {
  const progress: string[] = [];
  const result = (await client.callTool({ name: 'Task', arguments: args }, undefined, {
    onprogress: (p) => progress.push(String(p.message)),
  })) as CallToolResult;
  return { result, progress };
}

describe('the MCP server, in process', () => {
  it('lists the Task tool naming the agents (and TaskOutput, SendMessage), and runs a task with progress notifications', async () => {
    const ws = await h.setup(FILES, script);
    const { client, loads } = await connect(ws);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['Task', 'TaskOutput', 'SendMessage']);
    expect(tools[0]!.description).toContain('reader: Reads files');
    expect(Object.keys(tools[0]!.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining(['description', 'prompt', 'subagent_type']),
    );
    expect(loads()).toBe(0); // listing loads no engine

    const { result, progress } = await callWithProgress(client, {
      subagent_type: 'reader',
      description: 'read',
      prompt: 'read a.txt',
    });
    expect(result.isError).toBeUndefined();
    expect(text(result)).toContain('reader saw: hello');
    expect(meta(result)).toMatchObject({ agentType: 'reader', status: 'completed', totalToolUseCount: 1 });
    expect(progress[0]).toBe('[reader] started on openai:gpt-5.5');
    expect(
      progress.some((m) => /^\[reader\] turn \d+ · last tool Read · 1 tool uses · \d+ tokens$/.test(m)),
    ).toBe(true);
    expect(loads()).toBe(1);
  });

  it('routes a nested task’s progress to the call that started it', async () => {
    const ws = await h.setup(FILES, script);
    const { client } = await connect(ws);
    const { result, progress } = await callWithProgress(client, {
      subagent_type: 'boss',
      description: 'lead',
      prompt: 'go',
    });
    expect(text(result)).toContain('boss done');
    expect(progress).toContain('[reader ↳ nested] started on openai:gpt-5.5');
  });

  it('answers every failure as an error result with its fix, never a protocol error', async () => {
    const ws = await h.setup(FILES, script);
    const { client, loads } = await connect(ws);
    const call = (args: Record<string, unknown>) =>
      client.callTool({ name: 'Task', arguments: args }) as Promise<CallToolResult>;

    const unknown = await call({ subagent_type: 'reder', description: 'x', prompt: 'y' });
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toContain("Agent type 'reder' not found");
    expect(text(unknown)).toContain('Hint:');
    const invalid = await call({ subagent_type: 'reader', description: 'x' });
    expect(invalid.isError).toBe(true);
    expect(text(invalid)).toContain('prompt');
    expect(loads()).toBe(0); // refused before the engine loads

    const failed = await call({ subagent_type: 'broken', description: 'x', prompt: 'y' });
    expect(failed.isError).toBe(true);
    expect(meta(failed)).toMatchObject({ status: 'failed', error: { type: 'Provider' } });

    await expect(client.callTool({ name: 'Run', arguments: {} })).rejects.toThrow(
      "Unknown tool 'Run': this server's tools are Task, TaskOutput and SendMessage",
    );
  });

  it('reports a runtime that cannot load to that call, and tries again on the next', async () => {
    const ws = await h.setup(FILES, script);
    let attempts = 0;
    const { client } = await connect(ws, {
      toolName: 'Agent',
      runtime: async () => {
        attempts++;
        if (attempts === 1) throw new ConfigError('bad config here', 'Fix the config.');
        return createEngineRuntime(runtimeOptions(ws));
      },
    });
    const args = { subagent_type: 'general-purpose', description: 'x', prompt: 'again' };
    const first = (await client.callTool({ name: 'Agent', arguments: args })) as CallToolResult;
    expect(first).toMatchObject({ isError: true });
    expect(text(first)).toBe('bad config here\nHint: Fix the config.');
    const second = (await client.callTool({ name: 'Agent', arguments: args })) as CallToolResult;
    expect(text(second)).toContain('general: again');
    expect(attempts).toBe(2);
  });

  it('tells the client when an agent file is added, edited or removed', async () => {
    const ws = await h.setup(FILES, script);
    const { client } = await connect(ws);
    let changes = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      changes++;
    });
    await client.listTools();
    await writeFile(
      join(ws, '.claude/agents/newcomer.md'),
      agentFile({ name: 'newcomer', description: 'New here' }),
    );
    await waitFor(() => changes > 0, 10_000, 'tools/list_changed');
    expect((await client.listTools()).tools[0]!.description).toContain('newcomer: New here');
  });

  it('cancels a call when the client cancels it, and calls in flight when the service closes', async () => {
    const ws = await h.setup(FILES, script);
    const { client, service } = await connect(ws);
    const args = { subagent_type: 'slow', description: 'x', prompt: 'y' };
    const controller = new AbortController();
    const started: string[] = [];
    const cancelled = client.callTool({ name: 'Task', arguments: args }, undefined, {
      signal: controller.signal,
      onprogress: (p) => started.push(String(p.message)),
    });
    await waitFor(() => started.length > 0, 10_000, 'the task to start');
    controller.abort('changed my mind');
    await expect(cancelled).rejects.toThrow();
    await waitFor(() => service.inFlight === 0, 10_000, 'the call to end');

    const pending = client.callTool({ name: 'Task', arguments: args }) as Promise<CallToolResult>;
    await waitFor(() => service.inFlight === 1, 10_000, 'the call to begin');
    await service.close();
    const shutDown = await pending;
    expect(shutDown.isError).toBe(true);
    expect(meta(shutDown)).toMatchObject({ status: 'cancelled' });
    expect(text(shutDown)).toContain('The MCP server is shutting down');
  });
});

describe('createEngineRuntime, in process', () => {
  it('records each task and logs the caller’s thread and call ids; model inherit follows the caller', async () => {
    const ws = await h.setup(FILES, script);
    const log = join(ws, 'server.log');
    const runsDb = join(ws, 'runs.db');
    const runtime = await createEngineRuntime(
      runtimeOptions(ws, {
        observe: { store: runsDb, logger: { destination: log, sync: true }, audit: false, tracing: false },
      }),
    );
    open.push(runtime);
    expect(runtime.callerModel('openai:gpt-5.5')).toBe('openai:gpt-5.5');
    expect(runtime.callerModel('openai-compatible:llama3')).toBeUndefined(); // no such provider here
    expect(runtime.callerModel(undefined)).toBeUndefined();

    const service = new TaskService({ cwd: ws, homeDir: ws, runtime: async () => runtime });
    open.push(service);
    const result = await service.call(
      { subagent_type: 'general-purpose', description: 'x', prompt: 'traced' },
      {
        threadId: 'thread-1',
        callId: 'call-1',
        model: 'openai:gpt-5.5',
      },
      { signal: new AbortController().signal },
    );
    expect(text(result)).toContain('general: traced');
    const taskId = meta(result).taskId as string;
    const lines = (await readFile(log, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(lines.find((l) => l.msg === 'task queued for a client call')).toMatchObject({
      taskId,
      callerThreadId: 'thread-1',
      callerCallId: 'call-1',
    });
    await runtime.close();
    const store = new RunStore({ path: runsDb });
    try {
      // The thread is the caller's, never a parent task: the task is a root of its own tree.
      expect(store.list({ callerThreadId: 'thread-1' }).map((t) => t.id)).toEqual([taskId]);
      expect(store.list({ parentId: 'thread-1' })).toEqual([]);
      expect(store.get(taskId)).toMatchObject({
        agentType: 'general-purpose',
        status: 'completed',
        callerThreadId: 'thread-1',
        callerCallId: 'call-1',
      });
      expect(store.get(taskId)?.parentId).toBeUndefined();
    } finally {
      store.close();
    }
  });
});

describe('serveHttp, in process', () => {
  it('serves MCP sessions at /mcp behind a bearer token, and refuses the rest', async () => {
    const ws = await h.setup(FILES, script);
    const service = new TaskService({
      cwd: ws,
      homeDir: ws,
      runtime: () => createEngineRuntime(runtimeOptions(ws)),
    });
    const server = await serveHttp(service, '0.0.0-test', { port: 0, host: '127.0.0.1', token: 'sesame' });
    open.push(server);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);

    const client = new Client({ name: 'test', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(server.url), {
        requestInit: { headers: { authorization: 'Bearer sesame' } },
      }),
    );
    open.push(client);
    expect(server.sessions).toBe(1);
    const result = (await client.callTool({
      name: 'Task',
      arguments: { subagent_type: 'general-purpose', description: 'x', prompt: 'over http' },
    })) as CallToolResult;
    expect(text(result)).toContain('general: over http');

    const post = (url: string, headers: Record<string, string> = {}) =>
      fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
    const noToken = await post(server.url);
    expect(noToken.status).toBe(401);
    const wrongPath = await post(server.url.replace('/mcp', '/other'), { authorization: 'Bearer sesame' });
    expect(wrongPath.status).toBe(404);
    expect(JSON.stringify(await wrongPath.json())).toContain('the MCP endpoint is /mcp');
    const stale = await post(server.url, { authorization: 'Bearer sesame', 'mcp-session-id': 'gone' });
    expect(stale.status).toBe(404);
    expect(JSON.stringify(await stale.json())).toContain('initialize again');
    const foreignHost = await post(server.url, { authorization: 'Bearer sesame', host: 'evil.example' });
    expect(foreignHost.status).toBeGreaterThanOrEqual(400);
  });

  it('refuses to listen off loopback without a token', async () => {
    const ws = await h.setup(FILES, script);
    const service = new TaskService({ cwd: ws, runtime: () => createEngineRuntime(runtimeOptions(ws)) });
    open.push(service);
    await expect(serveHttp(service, '0', { port: 0, host: '0.0.0.0' })).rejects.toThrow();
  });
});
