import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { explainListenError } from '../src/cli/port-in-use.ts';
import { PortInUseError } from '../src/errors/index.ts';
import { jsonServer, useInProcessCli, useLoopbackServers } from './cli-in-process-support.ts';
import { waitFor } from './mcp-support.ts';
import { agentFile, useHarness } from './support.ts';

// The long-running commands (serve, proxy, mcp --http, scripted-model), in process: each starts,
// answers, and stops on Ctrl-C; each names what holds a port it cannot have.
const h = useHarness();
const NOTES_SERVER = fileURLToPath(new URL('./fixtures/mcp-notes-server.ts', import.meta.url));
const t = useInProcessCli();

const holdPort = useLoopbackServers();

/** The EADDRINUSE a listen on a held port fails with. */
async function listenError(port: number): Promise<unknown> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', resolve);
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(undefined)));
  });
}

describe('explainListenError', () => {
  it('names what holds a port: a codex-task server, the scripted model, or another program', async () => {
    const serverPort = await holdPort(jsonServer(200, { status: 'ok' }));
    const byServer = await explainListenError(await listenError(serverPort), ['--port']);
    expect(byServer).toBeInstanceOf(PortInUseError);
    expect((byServer as PortInUseError).port).toBe(serverPort);
    expect((byServer as Error).message).toBe(
      `port ${serverPort} on 127.0.0.1 is already in use: a codex-task server (serve or proxy) already answers there`,
    );
    expect((byServer as PortInUseError).hint).toContain(
      'Choose another port with --port (0 picks any free port)',
    );

    const modelPort = Number(new URL(h.model.url).port);
    const byModel = await explainListenError(await listenError(modelPort), ['--port', 'CODEX_TASK_X']);
    expect((byModel as Error).message).toContain('a codex-task scripted model already answers there');
    expect((byModel as PortInUseError).hint).toContain('--port or CODEX_TASK_X');

    const tcpPort = await holdPort();
    const byOther = await explainListenError(await listenError(tcpPort), ['--port']);
    expect((byOther as Error).message).toContain('another program holds it');
  });

  it('returns any other error as it is', async () => {
    const other = Object.assign(new Error('denied'), { code: 'EACCES', port: 80 });
    expect(await explainListenError(other, ['--port'])).toBe(other);
    expect(await explainListenError(undefined, ['--port'])).toBeUndefined();
  });
});

describe('server commands, in process', () => {
  it.each([
    ['serve', (port: number) => ['serve', '--port', String(port)]],
    ['proxy', (port: number) => ['proxy', '--port', String(port), '--upstream', 'http://127.0.0.1:9/v1']],
    ['mcp --http', (port: number) => ['mcp', '--http', String(port)]],
    ['scripted-model', (port: number) => ['scripted-model', '--port', String(port)]],
  ])('%s on a port in use exits 2 naming the port and the way out', async (_name, argv) => {
    const port = await holdPort();
    const run = await t.cli(argv(port), { cwd: await t.workspace() });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`port ${port} on 127.0.0.1 is already in use: another program holds it`);
    expect(run.stderr).toContain('fix: Choose another port with');
  });

  it.each([
    [['serve', '--port', 'x'], "--port must be a port number 0..65535, got 'x'"],
    [['proxy', '--port', '70000'], "--port must be a port number 0..65535, got '70000'"],
    [['mcp', '--http', 'abc'], "--http takes a port number (got 'abc')"],
    [['mcp', '--tool-name', 'Run'], "--tool-name must be Task or Agent (got 'Run')"],
    [['scripted-model', '--latency', '-1'], "--latency must be a non-negative number of ms, got '-1'"],
    [['scripted-model', '--script', 'missing.yaml'], 'missing.yaml'],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const run = await t.cli(argv, { cwd: await t.workspace() });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('serve answers /health and runs a task over HTTP until Ctrl-C', async () => {
    process.env.OPENAI_API_KEY = 'sk-test-abcdefghijklmnop';
    process.env.OPENAI_BASE_URL = h.model.baseUrls.openai;
    h.model.setHandler((req) => ({ text: `api: ${req.lastUserText}` }));
    const ws = await h.setup({ '.claude/agents/echo.md': agentFile({ name: 'echo', description: 'e' }) });
    const serving = t.start(['serve', '--port', '0'], { cwd: ws });
    const url = await waitFor(
      () => /codex-task API on (http:\/\/\S+)/.exec(serving.output().stderr)?.[1],
      10_000,
      'the API URL',
    );
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const response = await fetch(`${url}/v1/tasks?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subagent_type: 'echo', description: 'via api', prompt: 'hello' }),
    });
    expect(JSON.stringify(await response.json())).toContain('api: hello');
    serving.interrupt();
    expect((await serving.done).code).toBe(0);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it("serve: a subagent started through the HTTP API uses a tool of the trusted project's .mcp.json", async () => {
    process.env.OPENAI_API_KEY = 'sk-test-abcdefghijklmnop';
    process.env.OPENAI_BASE_URL = h.model.baseUrls.openai;
    process.env.CODEX_TASK_TRUST_WORKSPACE = '1';
    h.model.setHandler((req) =>
      req.turn === 0
        ? { toolCalls: [{ name: 'mcp__notes__read_note', input: { name: 'todo' } }] }
        : { text: `note says: ${req.toolResults[0]?.output}` },
    );
    const ws = await h.setup({
      'notes/todo.txt': 'buy milk',
      '.mcp.json': JSON.stringify({
        mcpServers: { notes: { command: process.execPath, args: [NOTES_SERVER] } },
      }),
      '.claude/agents/note-reader.md': agentFile({
        name: 'note-reader',
        description: 'Reads notes',
        tools: 'mcp__notes__read_note',
      }),
    });
    const serving = t.start(['serve', '--port', '0'], { cwd: ws });
    const url = await waitFor(
      () => /codex-task API on (http:\/\/\S+)/.exec(serving.output().stderr)?.[1],
      10_000,
      'the API URL',
    );
    const response = await fetch(`${url}/v1/tasks?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        subagent_type: 'note-reader',
        description: 'read',
        prompt: 'read the todo note',
      }),
    });
    const view = (await response.json()) as { status: string; content?: string };
    expect(view).toMatchObject({ status: 'completed', content: 'note says: buy milk' });
    serving.interrupt();
    expect((await serving.done).code).toBe(0);
  });

  it('proxy prints the base URL for Codex, forwards /health, and stops on Ctrl-C', async () => {
    const serving = t.start(['proxy', '--port', '0', '--upstream', h.model.baseUrls.openai, '--no-task'], {
      cwd: await t.workspace(),
    });
    const url = await waitFor(
      () => /codex-task proxy on (http:\/\/\S+)/.exec(serving.output().stderr)?.[1],
      10_000,
      'the proxy URL',
    );
    expect(serving.output().stderr).toContain(`→ ${h.model.baseUrls.openai}`);
    expect(serving.output().stderr).toContain(`model_providers.codex-task.base_url = "${url}"`);
    expect((await fetch(`${new URL(url).origin}/health`)).status).toBe(200);
    serving.interrupt();
    expect((await serving.done).code).toBe(0);
  });

  it('mcp --http serves the Task tool to an MCP client until Ctrl-C', async () => {
    const ws = await t.workspace({
      '.claude/agents/helper.md': agentFile({ name: 'helper', description: 'helps' }),
    });
    const serving = t.start(['mcp', '--http', '0', '--tool-name', 'Agent'], { cwd: ws });
    const url = await waitFor(
      () => /streamable HTTP\) on (http:\/\/\S+)/.exec(serving.output().stderr)?.[1],
      10_000,
      'the MCP URL',
    );
    const client = new Client({ name: 'test', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['Agent', 'TaskOutput', 'SendMessage']);
    expect(tools[0]!.description).toContain('helper');
    await client.close();
    serving.interrupt();
    expect((await serving.done).code).toBe(0);
  });

  it('scripted-model prints its URL first and answers until Ctrl-C', async () => {
    const serving = t.start(['scripted-model', '--port', '0', '--latency', '0'], {
      cwd: await t.workspace(),
    });
    const url = await waitFor(
      () => /^scripted model listening on (\S+)/.exec(serving.output().stdout)?.[1],
      10_000,
      'the model URL',
    );
    expect(serving.output().stderr).toContain(`OPENAI_BASE_URL=${url}`);
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ ok: true });
    serving.interrupt();
    expect((await serving.done).code).toBe(0);
  });
});
