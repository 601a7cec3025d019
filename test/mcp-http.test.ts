import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScriptedModelServer, startScriptedModel } from '../src/scripted-model/index.ts';
import { RunStore } from '../src/store/index.ts';
import { runCli, startCli } from './cli-support.ts';
import { rawHttp } from './http-support.ts';
import { serverEnv, waitFor } from './mcp-support.ts';
import { makeWorkspace } from './support.ts';

// `codex-task mcp --http`: streamable HTTP on loopback, one session per client; the tool named
// `Agent` (Claude Code's current name) instead of `Task`.
let model: ScriptedModelServer;
let workspace: string;
let server: ReturnType<typeof startCli>;
let url: string;

beforeAll(async () => {
  model = await startScriptedModel({ handler: () => ({ text: 'answered over http' }) });
  workspace = await makeWorkspace();
  let stderr = '';
  server = startCli(['mcp', '--http', '0', '--tool-name', 'Agent'], {
    cwd: workspace,
    env: serverEnv(model, workspace),
    timeoutMs: 60_000,
  });
  server.child.stderr.on('data', (d) => {
    stderr += d;
  });
  url = await waitFor(() => /on (http:\S+\/mcp)/.exec(stderr)?.[1], 15_000, 'the server URL');
});

afterAll(async () => {
  server?.child.kill('SIGTERM');
  await server?.done;
  await model?.close();
  if (workspace) await rm(workspace, { recursive: true, force: true });
});

it('serves Task to two clients at once, each in its own session', async () => {
  const clients = await Promise.all(
    [1, 2].map(async () => {
      const client = new Client({ name: 'http-test', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      return client;
    }),
  );
  for (const client of clients)
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual([
      'Agent',
      'TaskOutput',
      'SendMessage',
    ]);
  const results = (await Promise.all(
    clients.map((c) => c.callTool({ name: 'Agent', arguments: { description: 'hi', prompt: 'say hi' } })),
  )) as CallToolResult[];
  for (const r of results)
    expect(r.content[0]).toMatchObject({
      type: 'text',
      text: expect.stringMatching(/^answered over http\n\nagentId: /),
    });
  await Promise.all(clients.map((c) => c.close()));
});

it('keeps a background Agent running after the session that started it ends; another session reads it', async () => {
  const gate = Promise.withResolvers<void>();
  model.setHandler(async (req) => {
    await gate.promise;
    return { text: `answered: ${req.lastUserText}` };
  });
  const connect = async () => {
    const transport = new StreamableHTTPClientTransport(new URL(url));
    const client = new Client({ name: 'http-test', version: '1' });
    await client.connect(transport);
    return { client, transport };
  };
  const text = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
  try {
    const first = await connect();
    const launch = (await first.client.callTool({
      name: 'Agent',
      arguments: { description: 'bg', prompt: 'outlive the session', run_in_background: true },
    })) as CallToolResult;
    const agentId = /^Async agent launched successfully\.\nagentId: (\w+) /.exec(text(launch))![1]!;
    await first.transport.terminateSession(); // DELETE: the server closes that session
    await first.client.close();

    gate.resolve();
    const second = await connect();
    const done = (await second.client.callTool({
      name: 'TaskOutput',
      arguments: { agentId, wait: true },
    })) as CallToolResult;
    expect(text(done)).toMatch(new RegExp(`^answered: outlive the session\n\nagentId: ${agentId} `));
    await second.client.close();
    const store = new RunStore({ path: join(workspace, '.runs.db') });
    try {
      await waitFor(() => store.get(agentId)?.status === 'completed', 5_000, 'the record');
    } finally {
      store.close();
    }
  } finally {
    gate.resolve();
    model.setHandler(() => ({ text: 'answered over http' }));
  }
});

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});
const mcpHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

it('refuses requests whose Host is not loopback (DNS rebinding)', async () => {
  const { port } = new URL(url);
  const res = await rawHttp(url, {
    method: 'POST',
    headers: { ...mcpHeaders, host: `evil.example:${port}` },
    body: initialize,
  });
  expect(res.status).toBe(403);
  expect(JSON.parse(res.text)).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 }, id: null });
});

it('refuses cross-origin browser requests', async () => {
  const foreign = await rawHttp(url, {
    method: 'POST',
    headers: { ...mcpHeaders, origin: 'https://evil.example' },
    body: initialize,
  });
  expect(foreign.status).toBe(403);
  expect(JSON.parse(foreign.text).error.message).toMatch(/origin/i);
  const crossSite = await rawHttp(url, {
    method: 'POST',
    headers: { ...mcpHeaders, 'sec-fetch-site': 'cross-site' },
    body: initialize,
  });
  expect(crossSite.status).toBe(403);
});

it('refuses a POST that is not JSON (text/plain needs no CORS preflight)', async () => {
  const res = await rawHttp(url, {
    method: 'POST',
    headers: { ...mcpHeaders, 'content-type': 'text/plain' },
    body: initialize,
  });
  expect(res.status).toBe(415);
});

it('answers an initialize from loopback with JSON (the happy path, raw)', async () => {
  const { port } = new URL(url);
  const res = await rawHttp(url, {
    method: 'POST',
    headers: { ...mcpHeaders, host: `localhost:${port}`, origin: `http://localhost:${port}` },
    body: initialize,
  });
  expect(res.status).toBe(200);
  expect(res.headers['mcp-session-id']).toBeTruthy();
});

describe('off loopback', () => {
  it('refuses to listen on 0.0.0.0 without a token, with the same error as serve and proxy', async () => {
    const run = await runCli(['mcp', '--http', '0', '--host', '0.0.0.0'], {
      cwd: workspace,
      env: serverEnv(model, workspace),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Refusing to listen on 0.0.0.0 without a token');
    expect(run.stderr).toContain('CODEX_TASK_MCP_TOKEN');
  });

  it('with a token, requires it as a bearer token', async () => {
    const token = 'mcp-secret-token';
    let stderr = '';
    const open = startCli(['mcp', '--http', '0', '--host', '0.0.0.0'], {
      cwd: workspace,
      env: serverEnv(model, workspace, { CODEX_TASK_MCP_TOKEN: token }),
      timeoutMs: 60_000,
    });
    open.child.stderr.on('data', (d) => {
      stderr += d;
    });
    try {
      const shown = await waitFor(() => /on (http:\S+\/mcp)/.exec(stderr)?.[1], 15_000, 'the server URL');
      const local = `http://127.0.0.1:${new URL(shown).port}/mcp`;
      const none = await rawHttp(local, { method: 'POST', headers: mcpHeaders, body: initialize });
      expect(none.status).toBe(401);
      expect(none.headers['www-authenticate']).toContain('Bearer');
      const wrong = await rawHttp(local, {
        method: 'POST',
        headers: { ...mcpHeaders, authorization: 'Bearer nope' },
        body: initialize,
      });
      expect(wrong.status).toBe(401);
      const client = new Client({ name: 'token-test', version: '1' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(local), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      );
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual([
        'Task',
        'TaskOutput',
        'SendMessage',
      ]);
      await client.close();
    } finally {
      open.child.kill('SIGTERM');
      await open.done;
    }
  });
});
