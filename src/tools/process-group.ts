import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { findTrustedBinary } from '../sandbox/index.ts';

const POLL_MS = 20;

/**
 * True while any process of the group is still running. `kill(-pgid, 0)` alone is not enough where
 * PID 1 does not reap orphans (minimal containers): the killed processes stay zombies in the group
 * forever. On Linux the group is therefore checked in /proc, and zombies count as gone.
 */
export function processGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return true; // no /proc (macOS): the signal probe is all there is
  }
  return pids.some((pid) => {
    const stat = readProcStat(pid);
    return stat !== undefined && stat.pgrp === pgid && stat.state !== 'Z';
  });
}

function readProcStat(pid: string): { state: string; pgrp: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: parse from the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', pgrp: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

/**
 * Stops a whole process group: SIGTERM, then SIGKILL for whatever is still running after the grace
 * period. Resolves when the group is gone (or, bounded, shortly after SIGKILL).
 */
export async function killProcessGroup(pgid: number, graceMs: number): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await sleep(POLL_MS);
    if (!processGroupAlive(pgid)) return;
  }
  if (!signalGroup(pgid, 'SIGKILL')) return;
  for (let waited = 0; waited < 2000 && processGroupAlive(pgid); waited += POLL_MS) await sleep(POLL_MS);
}

function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: already gone
  }
}

export interface RunOptions {
  cwd: string;
  timeoutMs: number;
  signal: AbortSignal;
  outputLimitBytes: number;
  killGraceMs: number;
  env?: NodeJS.ProcessEnv;
  /** Argv run before `bash -c command` (the sandbox: `bwrap …`); bash must stay in its process group. */
  prefix?: readonly string[];
  /**
   * The prefix runs bash in a PID namespace of its own (bwrap is its init), which ends with every
   * process in it when bash exits: nothing can be left behind, not even `setsid` jobs.
   */
  pidNamespace?: boolean;
}

export interface RunResult {
  output: string;
  exitCode: number | null;
  /** Set when the command died of a signal we did not send. */
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  /** Processes the command left running in the background, stopped when it finished. */
  strayProcessesKilled: boolean;
}

/**
 * Runs `bash -c command` in a process group of its own, so a timeout or a cancel stops everything it
 * started (background jobs and their children included), with stdin closed and stdout and stderr
 * merged in the order they were written.
 */
export function runInProcessGroup(command: string, options: RunOptions): Promise<RunResult> {
  // `exec 2>&1` on the command's own first line: one pipe for both streams (so their order is kept)
  // without shifting the line numbers bash reports. A syntax error on line 1 is reported before the
  // exec runs, so stderr is still read too.
  // Never a `bash` from PATH's node_modules/.bin or the workspace: a fake there would run every
  // command, outside the rules (and, with the sandbox off, on the host).
  const bash = findTrustedBinary('bash', { untrusted: [options.cwd] }) ?? 'bash';
  const argv = [...(options.prefix ?? []), bash, '-c', `exec 2>&1; ${command}`];
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const output = new CappedOutput(options.outputLimitBytes);
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk));

  return new Promise((resolve, reject) => {
    const pid = child.pid;
    let timedOut = false;
    let aborted = false;
    let strayProcessesKilled = false;
    let killing: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      if (pid === undefined) return Promise.resolve();
      killing ??= killProcessGroup(pid, options.killGraceMs);
      return killing;
    };
    const timer = setTimeout(() => {
      timedOut = true;
      void stop();
    }, options.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      void stop();
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    if (options.signal.aborted) onAbort();

    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    child.on('error', (error) => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // bash is done; whatever it left behind in its group (`server &`) is stopped, not leaked. In a
      // PID namespace of its own the kernel is already doing that (and the dying are not strays).
      if (pid !== undefined && !killing && !options.pidNamespace && processGroupAlive(pid)) {
        strayProcessesKilled = true;
        void stop();
      }
      // A process that left the group (setsid) may still hold the pipe: do not wait for it forever.
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, 1000).unref();
    });
    child.on('close', async () => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      await killing;
      resolve({
        output: output.toString(),
        exitCode: exit?.code ?? null,
        signal: timedOut || aborted ? null : (exit?.signal ?? null),
        timedOut,
        aborted,
        strayProcessesKilled,
      });
    });
  });
}

/** Keeps the first and the last half of the limit: the start shows what ran, the end how it ended. */
export class CappedOutput {
  private readonly headLimit: number;
  private readonly tailLimit: number;
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private total = 0;

  constructor(limitBytes: number) {
    this.headLimit = Math.ceil(limitBytes / 2);
    this.tailLimit = Math.floor(limitBytes / 2);
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    let rest = chunk;
    if (this.headBytes < this.headLimit) {
      const take = rest.subarray(0, this.headLimit - this.headBytes);
      this.head.push(take);
      this.headBytes += take.length;
      rest = rest.subarray(take.length);
    }
    if (rest.length === 0) return;
    this.tail.push(rest);
    this.tailBytes += rest.length;
    if (this.tailBytes > 2 * this.tailLimit + 65536) this.compactTail();
  }

  private compactTail(): void {
    const joined = Buffer.concat(this.tail);
    const kept = joined.subarray(Math.max(0, joined.length - this.tailLimit));
    this.tail = [kept];
    this.tailBytes = kept.length;
  }

  toString(): string {
    const head = Buffer.concat(this.head).toString('utf8');
    if (this.total <= this.headLimit + this.tailLimit)
      return head + Buffer.concat(this.tail).toString('utf8');
    this.compactTail();
    const omitted = this.total - this.headBytes - this.tailBytes;
    const tail = Buffer.concat(this.tail).toString('utf8');
    return `${head}\n\n[... ${omitted} bytes of output omitted (the output was ${this.total} bytes; the limit is ${this.headLimit + this.tailLimit}) ...]\n\n${tail}`;
  }
}
