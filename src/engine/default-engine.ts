import type { ProviderHealth } from '../models/index.ts';
import { TaskEngine } from './task-engine.ts';
import type { TaskOptions, TaskResult } from './types.ts';

// The one process-wide engine behind the convenience `Task()`; replaceable (tests, custom config).
let defaultEngine: TaskEngine | undefined;

export function getDefaultEngine(): TaskEngine {
  defaultEngine ??= new TaskEngine();
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
