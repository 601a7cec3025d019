import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ScriptedModelServer, ScriptedReply, ScriptedRequest } from '../src/scripted-model/index.ts';
import { agentFile } from './support.ts';

const BIN = fileURLToPath(new URL('../src/cli/bin.ts', import.meta.url));

/** The real Codex CLI's launcher, from the `@openai/codex` devDependency (the end-to-end tests drive it). */
export const CODEX_BIN = createRequire(import.meta.url).resolve('@openai/codex/bin/codex.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** V8's compile cache for Node subprocesses of the tests (vitest.config.ts sets it): faster start-up only. */
export function compileCacheEnv(): Record<string, string> {
  const dir = process.env.NODE_COMPILE_CACHE;
  return dir ? { NODE_COMPILE_CACHE: dir } : {};
}

/** Starts a Node script as a subprocess with an explicit environment, collecting its output. */
export function spawnCollecting(
  script: string,
  args: string[],
  options: {
    cwd?: string;
    env?: Record<string, string | undefined>;
    input?: string;
    timeoutMs?: number;
    /** A scheduling priority (`nice`, -20…19) for the process and what it starts; below 0 needs root, else ignored. */
    priority?: number;
  },
): {
  child: ChildProcessWithoutNullStreams;
  done: Promise<CliRun>;
  output: () => { stdout: string; stderr: string };
} {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (options.priority !== undefined && child.pid !== undefined) {
    try {
      setPriority(child.pid, options.priority);
    } catch {
      // Not allowed here (not root): the process runs at the default priority.
    }
  }
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  child.stdin.end(options.input ?? '');
  return { child, done, output: () => ({ stdout, stderr }) };
}

/** Starts the real command line (from source) with a clean, explicit environment. */
export function startCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; input?: string; timeoutMs?: number } = {},
): ReturnType<typeof spawnCollecting> {
  return spawnCollecting(BIN, args, {
    ...options,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: options.cwd ?? process.env.HOME ?? '/tmp',
      NO_COLOR: '1',
      ...compileCacheEnv(),
      ...options.env,
    },
  });
}

/** Runs the real command line to completion. */
export function runCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; input?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  return startCli(args, options).done;
}

/** The variables that point the CLI at a scripted model server (OpenAI wire format). */
export function scriptedModelEnv(
  model: ScriptedModelServer,
  extra: Record<string, string> = {},
): Record<string, string> {
  return { OPENAI_API_KEY: 'sk-test-abcdefghijklmnop', OPENAI_BASE_URL: model.baseUrls.openai, ...extra };
}

/** Two agents for command-line tests: `echo` answers at once, `sleeper` runs a long Bash command. */
export const ECHO_AND_SLEEPER_AGENTS = {
  '.claude/agents/echo.md': agentFile({ name: 'echo', description: 'echoes', tools: 'Read' }, 'ECHO'),
  '.claude/agents/sleeper.md': agentFile(
    { name: 'sleeper', description: 'runs a long command', tools: 'Bash' },
    'SLEEPER',
  ),
};

/** Their model: `sleeper` writes its shell's PID and sleeps 30 s; `echo` echoes, and a prompt `fail` gets a 400. */
export function echoOrSleep(req: ScriptedRequest): ScriptedReply {
  if (req.system.includes('SLEEPER')) {
    return req.turn === 0
      ? {
          text: 'working on it',
          toolCalls: [{ name: 'Bash', input: { command: 'echo $$ > sleeper.pid; sleep 30' } }],
        }
      : { text: 'slept' };
  }
  if (req.lastUserText === 'fail') return { fault: { kind: 'status' as const, status: 400 } };
  return { text: `echo: ${req.lastUserText}`, latencyMs: 30 };
}
