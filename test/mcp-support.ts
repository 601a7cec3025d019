import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { createMcpServer, type TaskService } from '../src/mcp/index.ts';
import type { RuntimeOptions } from '../src/runtime/index.ts';
import type { ScriptedModelServer } from '../src/scripted-model/index.ts';
import { compileCacheEnv } from './cli-support.ts';
import { providersFor } from './support.ts';

/** The command line from source, as Codex would start it. */
export const BIN = fileURLToPath(new URL('../src/cli/bin.ts', import.meta.url));

/** What `codex-task mcp` needs to reach the scripted model as its OpenAI provider, and nothing of ours. */
export function serverEnv(model: ScriptedModelServer, workspace: string, extra: Record<string, string> = {}) {
  return {
    PATH: process.env.PATH ?? '',
    HOME: workspace,
    OPENAI_API_KEY: 'test',
    OPENAI_BASE_URL: model.baseUrls.openai,
    CODEX_TASK_RUNS_DB: `${workspace}/.runs.db`,
    CODEX_TASK_AUDIT_LOG: `${workspace}/.audit.jsonl`,
    CODEX_TASK_LOG_LEVEL: 'warn',
    ...compileCacheEnv(),
    ...extra,
  };
}

/**
 * The runtime an in-process MCP test serves: the scripted model as every provider, no sandbox, no
 * MCP servers for the subagents, no observability unless `overrides` asks.
 */
export function inProcessRuntimeOptions(
  model: ScriptedModelServer,
  workspace: string,
  overrides: Partial<Omit<RuntimeOptions, 'engine'>> & { engine?: Partial<RuntimeOptions['engine']> } = {},
): RuntimeOptions {
  const { engine, ...rest } = overrides;
  return {
    engine: {
      cwd: workspace,
      homeDir: workspace,
      providers: providersFor(model),
      env: {},
      callerModel: 'openai:gpt-5.5',
      agentRescanIntervalMs: 0,
      sandbox: { mode: 'off' },
      ...engine,
    },
    observe: false,
    mcpClients: false,
    ...rest,
  };
}

/** The SDK's client in a session of its own on `service`, over an in-memory transport. */
export async function connectInMemory(service: TaskService): Promise<Client> {
  const server = createMcpServer(service, '0.0.0-test');
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'test', version: '1' });
  await client.connect(clientSide);
  return client;
}

/** An SDK client connected to `codex-task mcp` over stdio (the real command, a real process). */
export async function connectStdio(
  workspace: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ client: Client; transport: StdioClientTransport; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', ...args],
    cwd: workspace,
    env,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
  });
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport, stderr: () => stderr };
}

/** Polls until `check` is truthy (or throws after `timeoutMs`): waits with a bound, never a fixed sleep. */
export async function waitFor<T>(
  check: () => T | undefined | false,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await delay(25);
  }
}

/** The pid a Bash command wrote (`echo $$ > file; exec sleep …`), once the file is there. */
export function pidFrom(file: string): Promise<number> {
  return waitFor(
    () => existsSync(file) && Number(readFileSync(file, 'utf8').trim()),
    15_000,
    `pid in ${file}`,
  );
}

/**
 * Whether a process has not yet been reaped by its parent (signal 0 reaches zombies too). Unlike
 * processAlive, "gone" here means its parent — our MCP client — has seen it exit.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
