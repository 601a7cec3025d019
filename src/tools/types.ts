import type { z } from 'zod';
import type { SandboxSettings } from '../sandbox/index.ts';
import type { ToolModelHooks } from './model-hooks.ts';
import type { ToolPermissions } from './permissions.ts';

/** What every built-in tool gets when it runs: the confinement root and the task's cancellation. */
export interface ToolContext extends ToolModelHooks {
  /** Absolute, real path of the workspace: file tools never read or write outside it. */
  workspaceRoot: string;
  signal: AbortSignal;
  /** Per-task scratch state (TodoWrite's list lives here, never shared between subagents). */
  state: Map<string, unknown>;
  limits: ToolLimits;
  /** Set by the permission policy; absent = `STRICT_TOOL_PERMISSIONS`. */
  permissions?: ToolPermissions;
  /**
   * The permission policy's decision for a call the tool makes on the model's behalf, as if the
   * model had made it (WebFetch asks it for every redirect, so `WebFetch(domain:…)` deny rules hold
   * on the hosts a page redirects to). Absent = no policy in force.
   */
  policyCheck?: (
    name: string,
    input: unknown,
  ) => Promise<{ decision: 'allowed' | 'denied'; reason: string; hint?: string }>;
  /** The OS sandbox Bash runs in; absent = `DEFAULT_SANDBOX_SETTINGS` (mode `auto`). */
  sandbox?: SandboxSettings;
}

export interface ToolLimits {
  bashDefaultTimeoutMs: number;
  bashMaxTimeoutMs: number;
  /** Bytes of stdout+stderr kept from a Bash command; the rest is cut with a marker. */
  bashOutputLimitBytes: number;
  /** Lines returned by Read when no limit is given. */
  readDefaultLines: number;
  /** Read refuses files over this size (default TOOL_DEFAULTS.readMaxFileBytes). */
  readMaxFileBytes?: number;
  /** Characters of one tool result passed back to the model. */
  resultLimitChars: number;
  /** WebFetch: body bytes read at most (the rest is never downloaded). */
  webFetchMaxBytes: number;
  /** WebFetch: the whole fetch, redirects included; connecting alone gets `webFetchConnectTimeoutMs`. */
  webFetchTimeoutMs: number;
  webFetchConnectTimeoutMs: number;
  webFetchMaxRedirects: number;
  /** WebFetch: Markdown characters given to the fast model (or returned raw). */
  webFetchMaxContentChars: number;
}

/** A built-in tool: Claude Code's name and argument shape, our enforcement inside `execute`. */
export interface ToolSpec<I = unknown> {
  name: string;
  description: string;
  inputSchema: z.ZodType<I>;
  /** True when the tool never changes anything (Explore/Plan get only these). */
  readOnly: boolean;
  execute(input: I, ctx: ToolContext): Promise<string>;
}
