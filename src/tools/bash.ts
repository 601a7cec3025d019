import { z } from 'zod';
import { ToolExecutionError } from '../errors/index.ts';
import { DEFAULT_SANDBOX_SETTINGS, sandboxLaunch } from '../sandbox/index.ts';
import { BASH_DESCRIPTION } from './bash.description.ts';
import { defineTool } from './define-tool.ts';
import { STRICT_TOOL_PERMISSIONS } from './permissions.ts';
import { runInProcessGroup } from './process-group.ts';
import type { ToolSpec } from './types.ts';

const inputSchema = z.object({
  command: z.string().min(1).describe('The command to execute'),
  timeout: z.number().int().positive().optional().describe('Optional timeout in milliseconds (max 600000)'),
  description: z
    .string()
    .optional()
    .describe('Clear, concise description of what this command does in 5-10 words'),
});
export type BashInput = z.infer<typeof inputSchema>;

export interface BashToolOptions {
  /** How long processes get between SIGTERM and SIGKILL when a command is stopped. */
  killGraceMs?: number;
}

export const DEFAULT_KILL_GRACE_MS = 1000;

export function createBashTool(options: BashToolOptions = {}): ToolSpec<BashInput> {
  return defineTool<BashInput>({
    name: 'Bash',
    description: BASH_DESCRIPTION,
    inputSchema,
    readOnly: false,
    async execute(input, ctx) {
      const timeoutMs = Math.min(
        input.timeout ?? ctx.limits.bashDefaultTimeoutMs,
        ctx.limits.bashMaxTimeoutMs,
      );
      const permissions = ctx.permissions ?? STRICT_TOOL_PERMISSIONS;
      const sandboxSettings = ctx.sandbox ?? DEFAULT_SANDBOX_SETTINGS;
      // Without a policy the sandbox hides the default secret locations itself. Searched without
      // blocking the event loop (a big workspace takes seconds); not at all when there is no sandbox.
      const hiddenPaths =
        ctx.permissions && sandboxSettings.mode !== 'off'
          ? await (ctx.permissions.findHiddenPaths?.(ctx.signal) ?? ctx.permissions.hiddenPaths)
          : undefined;
      const sandbox = sandboxLaunch(sandboxSettings, {
        workspaceRoot: ctx.workspaceRoot,
        network: permissions.bashNetwork,
        hiddenPaths,
      });
      let restored: string[] = [];
      let result: Awaited<ReturnType<typeof runInProcessGroup>>;
      try {
        result = await runInProcessGroup(input.command, {
          ...(sandbox ? { prefix: sandbox.prefix, env: sandbox.env, pidNamespace: true } : {}),
          cwd: ctx.workspaceRoot,
          timeoutMs,
          signal: ctx.signal,
          outputLimitBytes: ctx.limits.bashOutputLimitBytes,
          killGraceMs: options.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
        });
      } finally {
        // Every process of the sandbox is gone by now (its PID namespace ended with bash).
        restored = sandbox?.restore() ?? [];
      }
      if (result.aborted) {
        ctx.signal.throwIfAborted();
        throw new Error('The command was cancelled.');
      }
      const output = [result.output.replace(/\n$/, ''), ...restored].filter((part) => part !== '').join('\n');
      if (result.timedOut) {
        throw new ToolExecutionError(
          `Command timed out after ${timeoutMs} ms and was stopped, with every process it started.` +
            (output ? `\nOutput before the timeout:\n${output}` : ' It printed nothing.'),
          `Pass a larger timeout (at most ${ctx.limits.bashMaxTimeoutMs} ms), or make the command finish sooner; commands that wait for input or run servers never finish.`,
        );
      }
      const notes: string[] = [];
      if (result.exitCode !== null && result.exitCode !== 0) notes.push(`Exit code ${result.exitCode}`);
      if (result.signal) notes.push(`Killed by signal ${result.signal}`);
      if (result.strayProcessesKilled) {
        notes.push('(Processes the command left running in the background were stopped when it finished.)');
      }
      const body = output === '' && notes.length === 0 ? '(Command completed with no output)' : output;
      return [body, ...notes].filter((part) => part !== '').join('\n');
    },
  });
}

export const bashTool = createBashTool();
