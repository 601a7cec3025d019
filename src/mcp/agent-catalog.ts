import { AgentRegistry } from '../agents/index.ts';
import type { CallMeta } from './call-meta.ts';
import { runTaskCall, type TaskCallContext } from './task-call.ts';
import type { TaskRuntime } from './task-runtime.ts';
import { mcpTaskToolDefinition, type TaskToolDefinition, type TaskToolName } from './task-tool.ts';

/**
 * The agents one server offers and the Task tool built from them: loaded after the MCP handshake
 * (it needs the agent parser and the Task schema), kept current by rescans.
 */
export class AgentCatalog {
  readonly #registry: AgentRegistry;
  readonly #name: TaskToolName;
  #definition: TaskToolDefinition | undefined;

  constructor(options: { cwd: string; homeDir?: string; toolName: TaskToolName; onChange: () => void }) {
    this.#name = options.toolName;
    this.#registry = new AgentRegistry({
      cwd: options.cwd,
      ...(options.homeDir ? { homeDir: options.homeDir } : {}),
      rescanIntervalMs: 0,
    });
    this.#registry.onChange(() => {
      const before = this.#definition?.description;
      this.#definition = undefined;
      if (before !== undefined && this.tool().description !== before) options.onChange();
    });
  }

  /** The Task tool with the agents as they are now. */
  tool(): TaskToolDefinition {
    this.#definition ??= mcpTaskToolDefinition(this.#registry.list(), this.#name);
    return this.#definition;
  }

  /** Looks at the agent directories now (the registry only looks when asked). */
  refresh(): void {
    this.#registry.refresh();
  }

  call(args: unknown, ctx: TaskCallContext & { meta: CallMeta }, runtime: () => Promise<TaskRuntime>) {
    return runTaskCall(args, ctx, { agents: this.#registry, runtime });
  }
}
