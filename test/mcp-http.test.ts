import { rm } from 'node:fs/promises';
import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ScriptedModelServer, startScriptedModel } from '../src/scripted-model/index.ts';
import { startCli } from './cli-support.ts';
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
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['Agent']);
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

it('refuses requests whose Host is not loopback (DNS rebinding)', async () => {
  const { port } = new URL(url);
  const status = await new Promise<number | undefined>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/mcp',
        method: 'POST',
        headers: {
          host: `evil.example:${port}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }));
  });
  expect(status).toBe(403);
});
