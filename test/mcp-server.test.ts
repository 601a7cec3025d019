import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { type CallToolResult, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESULT_META_KEY } from '../src/mcp/index.ts';
import {
  type ScriptedModelServer,
  type ScriptedRequest,
  startScriptedModel,
} from '../src/scripted-model/index.ts';
import { RunStore } from '../src/store/index.ts';
import { connectStdio, isAlive, pidFrom, serverEnv, waitFor } from './mcp-support.ts';
import { agentFile, makeWorkspace } from './support.ts';

// `codex-task mcp` as a real process, driven by the MCP SDK's own client over stdio.
let model: ScriptedModelServer;
let workspace: string;
let client: Client;
let transport: StdioClientTransport;
let stderr: () => string;
/** The `holder` agent's model reply waits on this gate: a background task is still running until it opens. */
let gate = Promise.withResolvers<void>();

function script(req: ScriptedRequest) {
  if (req.system.includes('AGENT:reader')) {
    return req.turn === 0
      ? { toolCalls: [{ name: 'Read', input: { file_path: 'a.txt' } }], chunkDelayMs: 5 }
      : { text: `reader saw: ${req.toolResults[0]?.output.includes('hello') ? 'hello' : '?'}` };
  }
  if (req.system.includes('AGENT:sleeper')) {
    const file = /(\S+\.pid)/.exec(req.lastUserText)?.[1] ?? 'x.pid';
    return req.turn === 0
      ? { toolCalls: [{ name: 'Bash', input: { command: `echo $$ > ${file}; exec sleep 30` } }] }
      : { text: 'slept' };
  }
  if (req.system.includes('AGENT:holder'))
    return gate.promise.then(() => ({ text: `held: ${req.lastUserText}` }));
  if (req.system.includes('AGENT:slowpoke')) return { text: 'too late', latencyMs: 3000 };
  if (req.system.includes('AGENT:unauthorized')) return { fault: { kind: 'status' as const, status: 401 } };
  return { text: 'general answer' };
}

beforeAll(async () => {
  model = await startScriptedModel({ handler: script });
  workspace = await makeWorkspace({
    'a.txt': 'hello from a.txt',
    '.claude/agents/reader.md': agentFile(
      { name: 'reader', description: 'Reads files', tools: 'Read' },
      'AGENT:reader',
    ),
    '.claude/agents/sleeper.md': agentFile(
      { name: 'sleeper', description: 'Sleeps', tools: 'Bash' },
      'AGENT:sleeper',
    ),
    '.claude/agents/slowpoke.md': agentFile(
      { name: 'slowpoke', description: 'Slow', timeout: '1s' },
      'AGENT:slowpoke',
    ),
    '.claude/agents/holder.md': agentFile({ name: 'holder', description: 'Holds' }, 'AGENT:holder'),
    '.claude/agents/unauthorized.md': agentFile(
      { name: 'unauthorized', description: 'Bad key' },
      'AGENT:unauthorized',
    ),
  });
  // Unsandboxed: the sleepers' PIDs are checked on the host (the OS sandbox has its own PIDs).
  const env = serverEnv(model, workspace, { CODEX_TASK_SANDBOX: 'off' });
  ({ client, transport, stderr } = await connectStdio(workspace, env));
});

afterAll(async () => {
  gate.resolve();
  await client?.close();
  await model?.close();
  if (workspace) await rm(workspace, { recursive: true, force: true });
});

const text = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
const call = (args: Record<string, unknown>, options?: Parameters<Client['callTool']>[2]) =>
  client.callTool({ name: 'Task', arguments: args }, undefined, options) as Promise<CallToolResult>;

/** A background Task of the `holder` agent, its model reply held on a new gate: its agentId from the launch text. */
async function launchHeld(prompt: string): Promise<string> {
  gate = Promise.withResolvers<void>();
  const launched = await call({
    description: 'held job',
    prompt,
    subagent_type: 'holder',
    run_in_background: true,
  });
  expect(launched.isError).toBeFalsy();
  expect(text(launched)).toMatch(/^Async agent launched successfully\.\nagentId: \w+ \(use SendMessage/);
  return /agentId: (\w+)/.exec(text(launched))![1]!;
}

describe('codex-task mcp over stdio', () => {
  it('lists Task (Claude Code schema, the agents, parallel use), TaskOutput and SendMessage', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['Task', 'TaskOutput', 'SendMessage']);
    const [task] = tools;
    expect(task?.name).toBe('Task');
    expect(task?.inputSchema).toMatchObject({
      type: 'object',
      required: ['description', 'prompt'],
      additionalProperties: false,
      properties: {
        description: { type: 'string' },
        prompt: { type: 'string' },
        subagent_type: { type: 'string' },
        model: { enum: ['haiku', 'sonnet', 'opus', 'fable', 'auto'] },
      },
    });
    expect(task?.description).toContain('- reader: Reads files (Tools: Read)');
    expect(task?.description).toContain('- sleeper: Sleeps (Tools: Bash)');
    expect(task?.description).toContain('- general-purpose: ');
    expect(task?.description).toMatch(/Several Task calls in one message run in parallel/);
  });

  it('runs a subagent and returns its final text with the agentId/usage trailer, sending progress', async () => {
    const progress: { progress: number; message?: string }[] = [];
    const result = await call(
      { description: 'read a', prompt: 'Read a.txt', subagent_type: 'reader' },
      { onprogress: (p) => progress.push(p) },
    );
    expect(result.isError).toBeFalsy();
    expect(text(result)).toMatch(
      /^reader saw: hello\n\nagentId: (\w+) \(use SendMessage with to: '\1', summary: '<5-10 word recap>' to continue this agent\)\n<usage>subagent_tokens: \d+\ntool_uses: 1\nduration_ms: \d+<\/usage>$/,
    );
    expect(result._meta?.[RESULT_META_KEY]).toMatchObject({ status: 'completed', agentType: 'reader' });
    expect(progress.map((p) => p.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('[reader] started on openai:gpt-5.5'),
        expect.stringContaining('last tool Read'),
      ]),
    );
    expect(progress.map((p) => p.progress)).toEqual(
      [...progress.map((p) => p.progress)].sort((a, b) => a - b),
    );
  });

  it('answers an unknown agent with Claude Code’s error text as a tool error', async () => {
    const result = await call({ description: 'x', prompt: 'y', subagent_type: 'nope' });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(
      /^Agent type 'nope' not found\. Available agents: Explore, general-purpose, holder, Plan, reader, sleeper, slowpoke, unauthorized\nHint: /,
    );
  });

  it('answers invalid input with the parameter named, as a tool error', async () => {
    const missing = await call({ description: 'no prompt' });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toContain('`prompt` is required');
    const extra = await call({ description: 'd', prompt: 'p', colour: 'red' });
    expect(text(extra)).toContain('unknown parameter(s) `colour`');
    const model = await call({ description: 'd', prompt: 'p', model: 'gpt-4o' });
    expect(model.isError).toBe(true);
    expect(text(model)).toContain('`model` must be one of haiku, sonnet, opus, fable, auto');
  });

  it('answers a timeout and a provider failure as tool errors with the reason and the fix', async () => {
    const late = await call({ description: 'slow', prompt: 'take your time', subagent_type: 'slowpoke' });
    expect(late.isError).toBe(true);
    expect(text(late)).toMatch(
      /^Task timed_out: TaskTimeout: .*\nHint: .*\n\nagentId: (\w+) \(use SendMessage with to: '\1'/s,
    );
    const refused = await call({ description: 'key', prompt: 'hi', subagent_type: 'unauthorized' });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/^Task failed: \w+: .*401.*\nHint: /s);
  });

  it('sends tools/list_changed when an agent file is added, and lists it', async () => {
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      changed++;
    });
    await writeFile(
      join(workspace, '.claude/agents/writer.md'),
      agentFile({ name: 'writer', description: 'Writes docs', tools: 'Write' }),
    );
    await waitFor(() => changed > 0, 10_000, 'tools/list_changed');
    const { tools } = await client.listTools();
    expect(tools[0]?.description).toContain('- writer: Writes docs (Tools: Write)');
  });

  it('cancels the subagent and kills its tool process when the client cancels the call', async () => {
    const controller = new AbortController();
    const pending = call(
      { description: 'sleep', prompt: 'sleep, writing cancel.pid', subagent_type: 'sleeper' },
      { signal: controller.signal },
    );
    const pid = await pidFrom(join(workspace, 'cancel.pid'));
    expect(isAlive(pid)).toBe(true);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await waitFor(() => !isAlive(pid), 10_000, `process ${pid} to be gone`);
    // The server is still serving.
    expect((await client.listTools()).tools).toHaveLength(3);
  });

  it('records every call with the caller’s thread as parent (run records)', async () => {
    await client.callTool({
      name: 'Task',
      arguments: { description: 'threaded', prompt: 'hi' },
      _meta: { threadId: 'thread-123', callId: 'call-9' },
    });
    const store = new RunStore({ path: join(workspace, '.runs.db') });
    try {
      // Written by the server process; read here through the store's own API.
      await waitFor(
        () => store.list({ callerThreadId: 'thread-123' })[0]?.status === 'completed',
        5_000,
        'the record',
      );
      expect(store.list({ callerThreadId: 'thread-123' })).toMatchObject([
        {
          callerThreadId: 'thread-123',
          callerCallId: 'call-9',
          description: 'threaded',
          status: 'completed',
          content: 'general answer',
        },
      ]);
    } finally {
      store.close();
    }
  });

  it('runs a Task in the background: the launch text before the model answers, the result through TaskOutput', async () => {
    const agentId = await launchHeld('hold on'); // answered while the model's reply is still held
    const running = (await client.callTool({ name: 'TaskOutput', arguments: { agentId } })) as CallToolResult;
    expect(text(running)).toContain(`Agent ${agentId} ("held job", holder) is still running`);
    const waiting = client.callTool({
      name: 'TaskOutput',
      arguments: { agentId, wait: true },
    }) as Promise<CallToolResult>;
    gate.resolve();
    const done = await waiting;
    expect(done.isError).toBeFalsy();
    expect(text(done)).toMatch(new RegExp(`^held: hold on\\n\\nagentId: ${agentId} \\(use SendMessage`));
  });

  it('stops the subagent, its tool process, a background agent and itself when the client goes away', async () => {
    // Codex ends a stdio server when it leaves: its background agents are cancelled, and recorded so.
    const agentId = await launchHeld('hold until the end');
    const pending = call({
      description: 'sleep',
      prompt: 'sleep, writing gone.pid',
      subagent_type: 'sleeper',
    });
    pending.catch(() => {});
    const pid = await pidFrom(join(workspace, 'gone.pid'));
    const serverPid = transport.pid!;
    await client.close();
    await waitFor(() => !isAlive(pid), 10_000, `tool process ${pid} to be gone`);
    await waitFor(() => !isAlive(serverPid), 10_000, `server ${serverPid} to exit`);
    expect(stderr()).not.toMatch(/Unhandled|TypeError/);
    const store = new RunStore({ path: join(workspace, '.runs.db') });
    try {
      expect(store.get(agentId)).toMatchObject({ status: 'cancelled', error: { type: 'TaskCancelled' } });
    } finally {
      store.close();
    }
  });
});
