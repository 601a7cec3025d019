import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { type CallToolResult, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { ToolExecutionError } from '../errors/index.ts';
import type { McpServerConfig } from './server-config.ts';

export interface ListedTool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

export interface ConnectionTimeouts {
  /** Spawn/connect + initialize + first tools/list. */
  startMs: number;
  /** One tools/call (the task's own signal and timeout still apply). */
  callMs: number;
}

/**
 * One MCP server as a client sees it: connected on first use, its tool list cached until the
 * server says it changed, calls multiplexed over the one connection (JSON-RPC ids), closed once.
 */
export class ServerConnection {
  readonly name: string;
  readonly config: McpServerConfig;
  readonly #timeouts: ConnectionTimeouts;
  #client: Promise<Client> | undefined;
  #tools: Promise<ListedTool[]> | undefined;
  #closed = false;
  /** Last lines the server wrote to stderr, for the error message when it fails to start. */
  #stderr = '';
  onClosed: (() => void) | undefined;

  constructor(name: string, config: McpServerConfig, timeouts: ConnectionTimeouts) {
    this.name = name;
    this.config = config;
    this.#timeouts = timeouts;
  }

  get closed(): boolean {
    return this.#closed;
  }

  tools(): Promise<ListedTool[]> {
    this.#tools ??= this.#connect().then(async (client) => {
      const listed: ListedTool[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor ? { cursor } : {}, { timeout: this.#timeouts.startMs });
        for (const t of page.tools)
          listed.push({ name: t.name, description: t.description ?? '', inputSchema: t.inputSchema });
        cursor = page.nextCursor;
      } while (cursor);
      return listed;
    });
    // A failed listing is not kept: the next subagent tries again.
    this.#tools.catch(() => {
      this.#tools = undefined;
    });
    return this.#tools;
  }

  /** Calls a tool; its text is what the model reads. @throws ToolExecutionError when the server reports an error */
  async call(tool: string, input: unknown, signal: AbortSignal): Promise<string> {
    const client = await this.#connect();
    const result = (await client.callTool(
      { name: tool, arguments: (input ?? {}) as Record<string, unknown> },
      undefined,
      { signal, timeout: this.#timeouts.callMs, resetTimeoutOnProgress: true },
    )) as CallToolResult;
    const text = resultText(result);
    if (result.isError) throw new ToolExecutionError(text || `${this.name}/${tool} failed`);
    return text;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const client = await this.#client?.catch(() => undefined);
    await client?.close().catch(() => {});
  }

  #connect(): Promise<Client> {
    if (this.#closed)
      return Promise.reject(new ToolExecutionError(`MCP server '${this.name}' was shut down`));
    if (!this.#client) {
      this.#client = this.#open();
      this.#client.catch(() => {
        this.#client = undefined;
      });
    }
    return this.#client;
  }

  async #open(): Promise<Client> {
    // Loaded here, not at import: the MCP server's start-up (which imports this folder) never pays for it.
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const client = new Client({ name: 'codex-task', version: '1' }, { capabilities: {} });
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      this.#tools = undefined;
    });
    const transport = await this.#transport();
    transport.onclose = () => {
      // The server exited or the connection dropped: the next use reconnects.
      this.#client = undefined;
      this.#tools = undefined;
      this.onClosed?.();
    };
    try {
      await withTimeout(
        client.connect(transport),
        this.#timeouts.startMs,
        `MCP server '${this.name}' did not start`,
      );
    } catch (error) {
      await client.close().catch(() => {});
      const detail = this.#stderr.trim().split('\n').slice(-3).join(' | ');
      throw new ToolExecutionError(
        `MCP server '${this.name}' could not be started: ${error instanceof Error ? error.message : String(error)}${detail ? ` (stderr: ${detail})` : ''}`,
        this.config.type === 'stdio'
          ? `Check that \`${[this.config.command, ...this.config.args].join(' ')}\` runs in ${this.config.cwd}.`
          : `Check that ${this.config.url} answers MCP requests.`,
      );
    }
    return client;
  }

  async #transport(): Promise<Transport> {
    const c = this.config;
    if (c.type === 'stdio') {
      const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
      const transport = new StdioClientTransport({
        command: c.command,
        args: c.args,
        env: c.env,
        cwd: c.cwd,
        stderr: 'pipe',
      });
      transport.stderr?.on('data', (chunk: Buffer) => {
        this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-2000);
      });
      return transport;
    }
    const url = new URL(c.url);
    const requestInit = { headers: c.headers };
    if (c.type === 'sse') {
      const { SSEClientTransport } = await import('@modelcontextprotocol/sdk/client/sse.js');
      return new SSEClientTransport(url, { requestInit });
    }
    const { StreamableHTTPClientTransport } = await import(
      '@modelcontextprotocol/sdk/client/streamableHttp.js'
    );
    return new StreamableHTTPClientTransport(url, { requestInit });
  }
}

/** Text blocks as they are; other content named so the model knows it was there. */
export function resultText(result: CallToolResult): string {
  const parts: string[] = [];
  for (const block of result.content ?? []) {
    if (block.type === 'text') parts.push(block.text);
    else if (block.type === 'resource') {
      const r = block.resource;
      parts.push('text' in r ? r.text : `[resource ${r.uri} (${r.mimeType ?? 'binary'})]`);
    } else if (block.type === 'resource_link') parts.push(`[resource link ${block.uri}]`);
    else parts.push(`[${block.type} content (${'mimeType' in block ? block.mimeType : 'binary'})]`);
  }
  if (parts.length === 0 && result.structuredContent !== undefined)
    parts.push(JSON.stringify(result.structuredContent));
  return parts.join('\n');
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
