import { homedir } from 'node:os';
import type { AgentDefinition } from '../../agents/index.ts';
import { type TrustChecker, trustChecker } from '../../trust/index.ts';
import { configKey, McpConfigError, type McpServerConfig } from './server-config.ts';
import { type ConnectionTimeouts, type ListedTool, ServerConnection } from './server-connection.ts';
import { ServerSourceReader, type SourcedServer } from './server-sources.ts';

/** A tool the engine can hand a subagent: plain JSON Schema, text out, cancellable. */
export interface ProvidedTool {
  description: string;
  inputSchema: Record<string, unknown>;
  execute(input: unknown, options: { signal: AbortSignal }): Promise<string>;
}

/** The tools one subagent run may be given, and what to do when the run ends. */
export interface ProvidedTools {
  /** By model-facing name: `mcp__<server>__<tool>`. */
  tools: Record<string, ProvidedTool>;
  /** Stops the servers that were this run's alone (inline in its agent file). */
  release(): Promise<void>;
}

/**
 * What the engine asks for extra tools (see the engine's `toolProvider` option). The engine still
 * decides what is granted: `effectiveTools(agent, [...builtIns, ...names])`, so `tools:`,
 * `disallowedTools` and `mcp__server__*` patterns hold for these exactly as for built-ins.
 */
export interface McpToolProvider {
  toolsFor(agent: AgentDefinition, cwd: string, signal?: AbortSignal): Promise<ProvidedTools>;
  close(): Promise<void>;
}

export interface McpClientPoolOptions {
  /** For `${VAR}` expansion in server entries; default process.env. */
  env?: Record<string, string | undefined>;
  timeouts?: Partial<ConnectionTimeouts>;
  /** A server entry that cannot be used or a server that would not start (default: process warning). */
  onWarning?: (message: string) => void;
  /**
   * The user's trust decisions: a project's `.mcp.json` and a project agent's inline servers start
   * only in a trusted workspace. Default: ~/.codex-task/trust.json, and CODEX_TASK_TRUST_WORKSPACE in `env`.
   */
  trust?: TrustChecker;
}

export const DEFAULT_CONNECTION_TIMEOUTS: ConnectionTimeouts = { startMs: 30_000, callMs: 10 * 60_000 };

/**
 * Subagents as MCP clients. Servers start lazily — only when a subagent that may use one of their
 * tools runs — and project servers (`.mcp.json`) are shared by every subagent of the engine (one
 * process/connection per distinct config; calls are multiplexed). Servers defined inline in an
 * agent file are that run's alone and stop when it ends, as in Claude Code. `close()` stops all.
 *
 * Before any use that may start a server (its first, and any after it exited), the pool asks the
 * server's `verify`: trust is bound to the workspace files the entry runs, which a subagent's
 * sandboxed Bash may have rewritten since the entry was read. A server already running keeps the
 * code it loaded. Servers still start lazily rather than all at the first lookup: starting every
 * trusted server up front would only move the check earlier for the first start (not for a restart,
 * nor for another directory's first task), and would make every run pay for servers it never uses.
 */
export class McpClientPool implements McpToolProvider {
  readonly #shared = new Map<string, ServerConnection>();
  readonly #sources: ServerSourceReader;
  readonly #timeouts: ConnectionTimeouts;
  readonly #warn: (message: string) => void;
  readonly #warned = new Set<string>();
  /** Connections seen answering since their last exit: using them starts nothing. */
  readonly #live = new WeakSet<ServerConnection>();
  readonly #exits = new WeakMap<ServerConnection, number>();
  #closed = false;

  constructor(options: McpClientPoolOptions = {}) {
    const env = options.env ?? process.env;
    this.#sources = new ServerSourceReader(env, options.trust ?? trustChecker({ homeDir: homedir(), env }));
    this.#timeouts = { ...DEFAULT_CONNECTION_TIMEOUTS, ...options.timeouts };
    this.#warn = options.onWarning ?? ((message) => process.emitWarning(message, 'McpServerWarning'));
  }

  /** Running servers shared between subagents (for diagnostics and tests). */
  get sharedServers(): number {
    return this.#shared.size;
  }

  async toolsFor(agent: AgentDefinition, cwd: string, signal?: AbortSignal): Promise<ProvidedTools> {
    const { servers, problems } = this.#sources.read(agent, cwd);
    for (const problem of problems) this.#warnOnce(`${problem.message} — ${problem.hint ?? ''}`);
    const own: ServerConnection[] = [];
    const wanted = [...servers].filter(([name]) => mayUseServer(agent, name));
    const listed = await Promise.all(
      wanted.map(async ([name, { config, scope, verify }]) => {
        const connection =
          scope === 'project' ? this.#sharedConnection(name, config) : this.#ownConnection(name, config, own);
        try {
          const tools = await abortable(
            this.#started(connection, verify, () => connection.tools()),
            signal,
          );
          return { connection, verify, tools };
        } catch (error) {
          signal?.throwIfAborted();
          // A refused start has been told already, with its remedy.
          if (!(error instanceof McpConfigError))
            this.#warnOnce(error instanceof Error ? error.message : String(error));
          return { connection, verify, tools: [] as ListedTool[] };
        }
      }),
    );
    const tools: Record<string, ProvidedTool> = {};
    for (const { connection, verify, tools: list } of listed) {
      for (const t of list) {
        tools[mcpToolName(connection.name, t.name)] = {
          description: t.description,
          inputSchema: t.inputSchema,
          execute: (input, { signal: callSignal }) =>
            this.#started(connection, verify, () => connection.call(t.name, input, callSignal)),
        };
      }
    }
    return { tools, release: async () => void (await Promise.allSettled(own.map((c) => c.close()))) };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#shared.values()];
    this.#shared.clear();
    await Promise.allSettled(all.map((c) => c.close()));
  }

  /**
   * `use` of a connection (which starts the server when it is not running), after `verify` when it
   * may start — right before, at every start: the first, and any after the server exited.
   */
  async #started<T>(
    connection: ServerConnection,
    verify: SourcedServer['verify'],
    use: () => Promise<T>,
  ): Promise<T> {
    if (!this.#live.has(connection)) {
      const refused = verify?.();
      if (refused) {
        this.#warnOnce(`${refused.message} — ${refused.hint ?? ''}`);
        throw refused;
      }
    }
    const exits = this.#exits.get(connection) ?? 0;
    const result = await use();
    if ((this.#exits.get(connection) ?? 0) === exits) this.#live.add(connection);
    return result;
  }

  #connection(name: string, config: McpServerConfig): ServerConnection {
    const connection = new ServerConnection(name, config, this.#timeouts);
    connection.onClosed = () => {
      this.#live.delete(connection);
      this.#exits.set(connection, (this.#exits.get(connection) ?? 0) + 1);
    };
    return connection;
  }

  #sharedConnection(name: string, config: McpServerConfig): ServerConnection {
    const key = `${name}\0${configKey(config)}`;
    let connection = this.#shared.get(key);
    if (!connection) {
      connection = this.#connection(name, config);
      if (this.#closed) void connection.close();
      else this.#shared.set(key, connection);
    }
    return connection;
  }

  #ownConnection(name: string, config: McpServerConfig, own: ServerConnection[]): ServerConnection {
    const connection = this.#connection(name, config);
    own.push(connection);
    return connection;
  }

  #warnOnce(message: string): void {
    if (this.#warned.has(message)) return;
    this.#warned.add(message);
    this.#warn(message);
  }
}

/** Claude Code's naming: `mcp__<server>__<tool>`, anything outside `[A-Za-z0-9_-]` made `_`. */
export function mcpToolName(server: string, tool: string): string {
  return `mcp__${normalize(server)}__${normalize(tool)}`;
}

function normalize(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}

/**
 * Whether the agent could be granted any tool of `server`, so its server is worth starting:
 * all tools (no `tools:`, or `*`), or a `tools:` entry naming the server or one of its tools —
 * unless `disallowedTools` removes the whole server (`mcp__server`, `mcp__server__*`).
 */
export function mayUseServer(
  agent: Pick<AgentDefinition, 'tools' | 'disallowedTools'>,
  server: string,
): boolean {
  const whole = `mcp__${normalize(server)}`;
  const prefix = `${whole}__`;
  if (agent.disallowedTools.some((rule) => rule === '*' || rule === whole || rule === `${prefix}*`))
    return false;
  if (agent.tools === undefined || agent.tools.includes('*')) return true;
  return agent.tools.some((entry) => entry === whole || entry.startsWith(prefix));
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
