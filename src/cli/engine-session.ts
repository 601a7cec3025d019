import { TaskEngine, type TaskInput, type TaskOptions, type TaskResult } from '../engine/index.ts';
import { McpClientPool } from '../mcp/index.ts';
import { type Observability, observe } from '../observe/index.ts';
import type { settingsFor } from './settings.ts';
import { VERSION } from './version.ts';

/**
 * The engine a command runs tasks on: subagents get the MCP tools of `.mcp.json` and their own
 * `mcpServers`, runs are recorded (`codex-task runs`), with the audit log and OTLP traces when
 * configured. No JSON logs on the terminal: a command prints its own progress.
 */
export class EngineSession {
  readonly engine: TaskEngine;
  readonly #observability: Observability;

  constructor(settings: ReturnType<typeof settingsFor>) {
    this.engine = new TaskEngine({
      ...settings.engine,
      toolProvider: new McpClientPool({ env: settings.engine.env }),
    });
    this.#observability = observe(this.engine, { logger: false, metrics: false, serviceVersion: VERSION });
  }

  run(input: TaskInput, options: TaskOptions = {}): Promise<TaskResult> {
    return this.#observability.start(input, options).result;
  }

  async close(): Promise<void> {
    this.engine.close();
    await this.#observability.close();
  }
}
