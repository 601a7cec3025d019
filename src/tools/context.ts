import { realpathSync } from 'node:fs';
import { TOOL_DEFAULTS } from '../config/defaults/index.ts';
import { ToolExecutionError } from '../errors/index.ts';
import type { SandboxSettings } from '../sandbox/index.ts';
import type { ToolContext, ToolLimits } from './types.ts';

/** Defaults for the built-in tools (they live with every other default, in config/defaults/). */
export const DEFAULT_TOOL_LIMITS: ToolLimits = Object.freeze({ ...TOOL_DEFAULTS });

export interface ToolContextOptions {
  /** The directory the file tools are confined to (resolved to its real path here). */
  workspaceRoot: string;
  signal?: AbortSignal;
  limits?: Partial<ToolLimits>;
  /** Per-task state; a fresh Map when omitted. Never share one between subagents. */
  state?: Map<string, unknown>;
  /** The OS sandbox for Bash; the default settings (mode `auto`) when omitted. */
  sandbox?: SandboxSettings;
}

/** Builds the context one task's tools run with. Throws when the workspace root does not exist. */
export function createToolContext(options: ToolContextOptions): ToolContext {
  let workspaceRoot: string;
  try {
    workspaceRoot = realpathSync(options.workspaceRoot);
  } catch (error) {
    throw new ToolExecutionError(
      `Workspace root '${options.workspaceRoot}' cannot be used: ${(error as Error).message}`,
      'Pass an existing directory as the workspace root.',
    );
  }
  return {
    workspaceRoot,
    signal: options.signal ?? new AbortController().signal,
    state: options.state ?? new Map(),
    limits: { ...DEFAULT_TOOL_LIMITS, ...options.limits },
    ...(options.sandbox ? { sandbox: options.sandbox } : {}),
  };
}
