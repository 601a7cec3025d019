import { homedir } from 'node:os';
import { dirname } from 'node:path';
import type { AgentDefinition } from '../agents/index.ts';
import { isUnder, realPath, type TrustChecker, trustChecker, workspaceRootOf } from '../trust/index.ts';
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
 * Subagents as MCP clients. Project servers (`.mcp.json`) are shared by every subagent of the
 * engine (one process/connection per distinct config; calls are multiplexed); servers defined
 * inline in an agent file are that run's alone and stop when it ends, as in Claude Code. `close()`
 * stops all.
 *
 * A repository's servers run on the host, outside the Bash sandbox, from workspace files a
 * subagent's sandboxed Bash can rewrite — and no check of those files (the trust binding, see
 * `SourcedServer.verify`) can cover every file a program loads, nor close the gap between a check
 * and the spawn. So they are started only while no subagent can yet have run in the workspace: all
 * of a trusted `.mcp.json`'s servers at the first lookup of the workspace (the first `toolsFor`,
 * which the engine awaits before the subagent's first tool; lookups made at the same time share
 * that start), with the inline servers of the project agents looked up then. When the first of
 * those lookups returns, the workspace is sealed: no repository server is started there again for
 * the pool's life — not one that exited, not one of a `.mcp.json` or agent first seen later — so
 * nothing a subagent writes during the session is run by the pool. The user's own agents' inline
 * servers are not the repository's: they start with each run that uses them, as before.
 */
export class McpClientPool implements McpToolProvider {
  readonly #shared = new Map<string, ServerConnection>();
  readonly #sources: ServerSourceReader;
  readonly #timeouts: ConnectionTimeouts;
  readonly #warn: (message: string) => void;
  readonly #warned = new Set<string>();
  /** Workspaces looked at, by root: the starts of their opening, and whether it is over. */
  readonly #workspaces: Workspace[] = [];
  /** Connections seen answering since their last exit: using them starts nothing. */
  readonly #live = new WeakSet<ServerConnection>();
  readonly #exits = new WeakMap<ServerConnection, number>();
  /** Repository servers whose one start was made (or refused): they never start again. */
  readonly #startedOnce = new WeakSet<ServerConnection>();
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

  async toolsFor(agent: AgentDefinition, taskDir: string, signal?: AbortSignal): Promise<ProvidedTools> {
    // Every lookup from the one real directory: a symlinked task directory must not find a
    // `.mcp.json` by its name while the seal is keyed by where it really leads.
    const cwd = realPath(taskDir) ?? taskDir;
    const { servers, problems } = this.#sources.read(agent, cwd);
    for (const problem of problems) this.#warnOnce(`${problem.message} — ${problem.hint ?? ''}`);
    const workspace = this.#workspace(cwd);
    // A repository agent's own servers also wait for the workspace its file lives in.
    const agentFile =
      agent.scope === 'project' && agent.file ? (realPath(agent.file) ?? agent.file) : undefined;
    const agentWorkspace = agentFile ? this.#workspace(dirname(agentFile)) : workspace;
    const open = !workspace.sealed;
    const agentOpen = open && !agentWorkspace.sealed;
    if (open && workspace.starts.length === 0) workspace.starts.push(this.#startProject(cwd));
    const own: ServerConnection[] = [];
    const wanted = [...servers].filter(([name]) => mayUseServer(agent, name));
    const listings = wanted.map(([name, server]) => {
      const connection =
        server.scope === 'project'
          ? this.#sharedConnection(name, server.config)
          : this.#ownConnection(name, server.config, own);
      if (!server.fromRepository)
        return { connection, server, listing: () => this.#use(connection, server, () => connection.tools()) };
      if (server.scope === 'agent') {
        if (!agentOpen)
          return {
            connection,
            server,
            listing: () => Promise.reject(this.#sealedAgentServer(name, agent, cwd)),
          };
        const first = this.#start(connection, server.verify);
        workspace.starts.push(first);
        return { connection, server, listing: () => first };
      }
      return { connection, server, listing: () => this.#use(connection, server, () => connection.tools()) };
    });
    try {
      await abortable(this.#opened(workspace), signal);
    } finally {
      // The first lookup to return lets its subagent run: from then on, nothing of the repository starts.
      workspace.sealed = true;
      agentWorkspace.sealed = true;
    }
    const listed = await Promise.all(
      listings.map(async ({ connection, server, listing }) => {
        try {
          return { connection, server, tools: await abortable(listing(), signal) };
        } catch (error) {
          signal?.throwIfAborted();
          // A refused start has been told already, with its remedy.
          if (!(error instanceof McpConfigError))
            this.#warnOnce(error instanceof Error ? error.message : String(error));
          return { connection, server, tools: [] as ListedTool[] };
        }
      }),
    );
    const tools: Record<string, ProvidedTool> = {};
    for (const { connection, server, tools: list } of listed) {
      for (const t of list) {
        tools[mcpToolName(connection.name, t.name)] = {
          description: t.description,
          inputSchema: t.inputSchema,
          execute: (input, { signal: callSignal }) =>
            this.#use(connection, server, () => connection.call(t.name, input, callSignal)),
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
   * The workspace `cwd` belongs to (the sandbox's workspace is the task's directory, and the
   * `.mcp.json` found from it may be up to its repository root): a root that holds, or lies in, one
   * already looked at is that one's, so a subagent's directory never opens a second start there.
   */
  #workspace(cwd: string): Workspace {
    const root = workspaceRootOf(realPath(cwd) ?? cwd);
    const near = this.#workspaces.filter((w) => isUnder(w.root, root) || isUnder(root, w.root));
    const same = near.find((w) => w.root === root);
    if (same) return same;
    // Inside (or around) a workspace looked at already: its subagents may have written here.
    const workspace: Workspace = {
      root,
      starts: [...near.flatMap((w) => w.starts)],
      sealed: near.length > 0,
    };
    this.#workspaces.push(workspace);
    return workspace;
  }

  /** Until every start of the workspace's opening has settled (starts added while waiting too). */
  async #opened(workspace: Workspace): Promise<void> {
    for (let seen = -1; seen !== workspace.starts.length; ) {
      seen = workspace.starts.length;
      await Promise.allSettled(workspace.starts);
    }
  }

  /** Starts every server of the trusted `.mcp.json` for `cwd`, granted to this agent or not. */
  async #startProject(cwd: string): Promise<void> {
    const { servers } = this.#sources.project(cwd);
    await Promise.allSettled(
      [...servers].map(async ([name, server]) => {
        const connection = this.#sharedConnection(name, server.config);
        try {
          await this.#start(connection, server.verify);
        } catch (error) {
          if (!(error instanceof McpConfigError))
            this.#warnOnce(error instanceof Error ? error.message : String(error));
        }
      }),
    );
  }

  /**
   * The one start of a repository server: `verify` (its trust, the files it runs included), then
   * the spawn and its tool list. A connection already started once is only listed, never restarted.
   */
  async #start(connection: ServerConnection, verify: SourcedServer['verify']): Promise<ListedTool[]> {
    if (this.#startedOnce.has(connection)) {
      if (this.#live.has(connection)) return connection.tools();
      throw this.#notRunning(connection);
    }
    this.#startedOnce.add(connection);
    const refused = verify?.();
    if (refused) {
      this.#warnOnce(`${refused.message} — ${refused.hint ?? ''}`);
      throw refused;
    }
    const exits = this.#exits.get(connection) ?? 0;
    const tools = await connection.tools();
    if ((this.#exits.get(connection) ?? 0) === exits) this.#live.add(connection);
    return tools;
  }

  /**
   * `use` of a connection. A repository server must be running (its one start is over); the user's
   * own agents' servers start (again) when not running, after `verify` if they have one.
   */
  async #use<T>(connection: ServerConnection, server: SourcedServer, use: () => Promise<T>): Promise<T> {
    if (!this.#live.has(connection)) {
      if (server.fromRepository) throw this.#notRunning(connection);
      const refused = server.verify?.();
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

  /** A repository server not running once its workspace is sealed (told once). */
  #notRunning(connection: ServerConnection): McpConfigError {
    const why = this.#startedOnce.has(connection)
      ? (this.#exits.get(connection) ?? 0) > 0
        ? 'exited'
        : 'did not start'
      : 'was not started: its workspace had subagents running before it was first looked at';
    const error = new McpConfigError(
      `MCP server '${connection.name}' ${why}; a repository's MCP servers start only before any subagent runs in its workspace, so none is started (or restarted) later — restart codex-task to start it again`,
      'Subagents can rewrite workspace files, and a server runs on the host with your environment: starting one only before they run means nothing they wrote is ever run by codex-task.',
    );
    this.#warnOnce(error.message);
    return error;
  }

  #sealedAgentServer(name: string, agent: AgentDefinition, cwd: string): McpConfigError {
    const error = new McpConfigError(
      `${agent.file ?? agent.name}: inline MCP server '${name}' not started: a subagent already ran in ${cwd}, and a repository's servers start only before any does (they run on the host, and subagents can rewrite the files they run) — restart codex-task to use it; servers in your own agents (~/.claude/agents) are not affected`,
      'Or define the server in the project .mcp.json, whose servers all start when codex-task first looks at the workspace.',
    );
    this.#warnOnce(error.message);
    return error;
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

interface Workspace {
  /** Its repository root (else the directory itself), real path. */
  root: string;
  /** The starts made while it was open: the first lookups wait for them all. */
  starts: Promise<unknown>[];
  /** A lookup has returned: a subagent may run, so nothing of the repository starts here any more. */
  sealed: boolean;
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
