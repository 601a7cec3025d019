import type { TaskEngine, TaskOptions, TaskResult } from '../engine/index.ts';
import type { ProviderHealth } from '../models/index.ts';
import { createRuntime } from './create-runtime.ts';

// The one process-wide engine behind the convenience `Task()`; replaceable (tests, custom config).
// It comes from the runtime like every surface's (so subagents get the MCP tools of a trusted
// workspace), without observers: a library call writes no run records or logs unless asked (`observe()`).
let defaultEngine: TaskEngine | undefined;

export function getDefaultEngine(): TaskEngine {
  defaultEngine ??= createRuntime({ engine: {}, observe: false }).engine;
  return defaultEngine;
}

export function setDefaultEngine(engine: TaskEngine | undefined): void {
  defaultEngine = engine;
}

/** Claude Code's Task as a function call: runs one subagent on the default engine. */
export function Task(input: unknown, options?: TaskOptions): Promise<TaskResult> {
  return getDefaultEngine().run(input, options);
}

/** The providers of an engine (the default one unless given): circuit, error rate, latency, last error. */
export function providerHealth(engine: TaskEngine = getDefaultEngine()): ProviderHealth[] {
  return engine.providerHealth();
}
