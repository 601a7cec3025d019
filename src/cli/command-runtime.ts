import type { RuntimeSettings } from '../config/index.ts';
import { createRuntime, type Runtime } from '../runtime/index.ts';
import { VERSION } from './version.ts';

/**
 * The runtime a command (`run`, `batch`, `demo`) runs tasks on: MCP tools for subagents, run
 * records (`codex-task runs`), the audit log and OTLP traces when configured. No JSON logs on the
 * terminal: a command prints its own progress.
 */
export function commandRuntime(settings: Pick<RuntimeSettings, 'engine'>): Runtime {
  return createRuntime({
    engine: settings.engine,
    observe: { logger: false, metrics: false, serviceVersion: VERSION },
  });
}
