import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { TaskCancelledError } from '../errors/index.ts';
import type { AgentCatalog } from './agent-catalog.ts';
import type { CallMeta } from './call-meta.ts';
import { launchedTasksFor } from './launched-tasks.ts';
import type { TaskCallContext } from './task-call.ts';
import type { RuntimeLoader, TaskRuntime } from './task-runtime.ts';
import type { TaskToolDefinition, TaskToolName } from './task-tool.ts';
import type { McpToolDefinition } from './tool-args.ts';

export interface TaskServiceOptions {
  /** Where agents are discovered from (project `.claude/agents` walking up, then the user's). */
  cwd: string;
  homeDir?: string;
  /** `Task` (default) or `Agent`. */
  toolName?: TaskToolName;
  /** Loads the engine on the first call. */
  runtime: RuntimeLoader;
  /** How often the agent directories are looked at for edits (hot reload), in ms; default 1000. */
  watchIntervalMs?: number;
}

export const DEFAULT_WATCH_INTERVAL_MS = 1000;

/** What the session gives each call: its cancellation, and a way to send progress when the client asked. */
type CallOptions = { signal: AbortSignal; progress?: TaskCallContext['progress'] };

type ToolCall = (
  args: unknown,
  ctx: TaskCallContext,
  runtime: () => Promise<TaskRuntime>,
) => Promise<CallToolResult>;

/**
 * What every MCP session of one server shares: the agent catalog (kept current), the one runtime
 * loaded on first use (with the background agents it runs, which outlive the session that started
 * them), and the calls in flight (cancelled together on shutdown).
 *
 * Start-up is staged for Codex, which drops servers not listed within about a second (docs/compatibility.md):
 * constructing this loads nothing; the catalog (agent parser, Task schema) loads at the first
 * `tools/list`; the engine, config, AI SDK and observability at the first `tools/call`.
 */
export class TaskService {
  readonly toolName: TaskToolName;
  readonly #options: TaskServiceOptions;
  #catalog: Promise<AgentCatalog> | undefined;
  #runtime: Promise<TaskRuntime> | undefined;
  readonly #listeners = new Set<() => void>();
  readonly #shutdown = new AbortController();
  readonly #inFlight = new Set<Promise<unknown>>();
  #watch: NodeJS.Timeout | undefined;

  constructor(options: TaskServiceOptions) {
    this.#options = options;
    this.toolName = options.toolName ?? 'Task';
  }

  /** The Task tool as `tools/list` shows it, with the agents as they are now. */
  async tool(): Promise<TaskToolDefinition> {
    return (await this.#loadCatalog()).tool();
  }

  /** Every tool `tools/list` shows: Task (or Agent), then TaskOutput and SendMessage. */
  async tools(): Promise<McpToolDefinition[]> {
    const [task, output, send] = await Promise.all([
      this.tool(),
      import('./task-output-tool.ts'),
      import('./send-message-tool.ts'),
    ]);
    return [task, output.taskOutputToolDefinition(), send.sendMessageToolDefinition()];
  }

  /** Starts loading the catalog (e.g. once the handshake is done), so the first `tools/list` waits less. */
  warm(): void {
    this.#loadCatalog().catch(() => {});
  }

  /** Called when the tool's description changed (an agent file was added, edited or removed). */
  onToolListChanged(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Runs one Task call; never throws (failures are `isError` results). */
  call(args: unknown, meta: CallMeta, options: CallOptions): Promise<CallToolResult> {
    const ctx = this.#context(meta, options);
    return this.#track(
      this.#loadCatalog().then(
        (catalog) => catalog.call(args, ctx, () => this.#loadRuntime()),
        (error: unknown): CallToolResult => ({
          content: [{ type: 'text', text: `codex-task could not load its agents: ${String(error)}` }],
          isError: true,
        }),
      ),
    );
  }

  /** Runs one TaskOutput call (a background agent's result or progress); never throws. */
  taskOutput(args: unknown, options: CallOptions): Promise<CallToolResult> {
    return this.#run(
      import('./task-output-tool.ts').then((tool) => tool.runTaskOutputCall),
      args,
      {},
      options,
    );
  }

  /** Runs one SendMessage call (continues an agent in the foreground); never throws. */
  sendMessage(args: unknown, meta: CallMeta, options: CallOptions): Promise<CallToolResult> {
    return this.#run(
      import('./send-message-tool.ts').then((tool) => tool.runSendMessageCall),
      args,
      meta,
      options,
    );
  }

  /**
   * Waits for the background agents still running (as `claude -p` does before it exits): a client
   * that leaves does not cancel them. Bounded by their own task timeouts.
   */
  async backgroundSettled(): Promise<void> {
    const runtime = this.#runtime && (await this.#runtime.catch(() => undefined));
    if (runtime) await launchedTasksFor(runtime).settled();
  }

  /**
   * Cancels every call in flight (their subagents and tool processes), waits for them, closes the
   * runtime, which cancels the background agents (their run records say so).
   */
  async close(): Promise<void> {
    clearInterval(this.#watch);
    this.#shutdown.abort(new TaskCancelledError('The MCP server is shutting down'));
    await Promise.allSettled([...this.#inFlight]);
    if (this.#runtime) await (await this.#runtime.catch(() => undefined))?.close();
  }

  #run(
    tool: Promise<ToolCall>,
    args: unknown,
    meta: CallMeta,
    options: CallOptions,
  ): Promise<CallToolResult> {
    const ctx = this.#context(meta, options);
    return this.#track(tool.then((call) => call(args, ctx, () => this.#loadRuntime())));
  }

  /** A call's context: its signal also aborts when the server shuts down. */
  #context(meta: CallMeta, options: CallOptions): TaskCallContext {
    return {
      signal: AbortSignal.any([options.signal, this.#shutdown.signal]),
      meta,
      ...(options.progress ? { progress: options.progress } : {}),
    };
  }

  #track(call: Promise<CallToolResult>): Promise<CallToolResult> {
    this.#inFlight.add(call);
    void call.finally(() => this.#inFlight.delete(call)).catch(() => {});
    return call;
  }

  #loadCatalog(): Promise<AgentCatalog> {
    this.#catalog ??= import('./agent-catalog.ts').then(({ AgentCatalog }) => {
      const catalog = new AgentCatalog({
        cwd: this.#options.cwd,
        ...(this.#options.homeDir ? { homeDir: this.#options.homeDir } : {}),
        toolName: this.toolName,
        onChange: () => {
          for (const listener of this.#listeners) listener();
        },
      });
      if (this.#shutdown.signal.aborted) return catalog;
      // The registry only looks at the disk when asked; this is what notices an edit nobody asked about.
      this.#watch = setInterval(
        () => catalog.refresh(),
        this.#options.watchIntervalMs ?? DEFAULT_WATCH_INTERVAL_MS,
      );
      this.#watch.unref();
      return catalog;
    });
    return this.#catalog;
  }

  #loadRuntime(): Promise<TaskRuntime> {
    if (!this.#runtime) {
      this.#runtime = this.#options.runtime();
      // A failed load (bad config) is reported to that call and retried by the next one.
      this.#runtime.catch(() => {
        this.#runtime = undefined;
      });
    }
    return this.#runtime;
  }
}
