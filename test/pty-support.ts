import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { compileCacheEnv } from './cli-support.ts';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../src/cli/bin.ts', import.meta.url));

/**
 * Whether tmux is here (`.ci/run` installs it). It is the terminal of the live-view tests: a real
 * terminal emulator with a scrollback, so a test reads what a person would see (the screen) and what
 * they could scroll back to (the history), not the raw bytes. node-pty would do the former only and
 * is a native addon.
 */
export const HAS_TMUX = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

export interface Terminal {
  /** The visible screen, one string per row (wrapped rows joined, trailing blanks dropped). */
  screen(): Promise<string[]>;
  /** Everything the terminal holds: scrollback and screen, wrapped lines joined. */
  history(): Promise<string[]>;
  /** Polls the screen until a row matches (or the screen passes the check); returns the screen. */
  waitFor(pattern: RegExp | ((rows: string[]) => boolean), timeoutMs?: number): Promise<string[]>;
  /** Waits for the program to end; its exit status (128 + the signal's number if one killed it). */
  exited(timeoutMs?: number): Promise<number>;
  /** Sends keys (tmux names: `C-c`, `Enter`…). */
  keys(...keys: string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * The exit status of a process that ended but was not reaped yet. tmux sometimes leaves a program
 * that exits straight after `send-keys` a zombie for seconds without marking its pane dead; Linux
 * keeps the status in /proc/<pid>/stat (the last field, as waitpid reports it).
 */
async function zombieStatus(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat
    .slice(stat.lastIndexOf(')') + 2)
    .trim()
    .split(' ');
  if (fields[0] !== 'Z') return undefined;
  const wait = Number(fields.at(-1));
  return wait & 0x7f ? 128 + (wait & 0x7f) : (wait >> 8) & 0xff;
}

/**
 * Starts the real command line (from source) in a detached tmux terminal of the given size, with
 * exactly the given environment (nothing inherited: no CI, no NO_COLOR). The pane stays after the
 * program exits so its last screen can be read.
 */
export async function startInTerminal(
  args: string[],
  options: {
    cwd: string;
    env?: Record<string, string>;
    columns?: number;
    rows?: number;
    /** A shell command line instead of the CLI's arguments; `$CLI` is the CLI. */
    shell?: string;
  },
): Promise<Terminal> {
  const dir = await mkdtemp(join(tmpdir(), 'ct-tty-'));
  const socket = join(dir, 's');
  const config = join(dir, 'tmux.conf');
  await writeFile(config, 'set -g remain-on-exit on\nset -g history-limit 100000\nset -g status off\n');
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: options.cwd,
    TERM: 'screen',
    ...compileCacheEnv(),
    ...options.env,
    CLI: `${process.execPath} ${BIN}`,
  };
  const command = options.shell ? ['sh', '-c', options.shell] : [process.execPath, BIN, ...args];
  const tmux = (...a: string[]) => run('tmux', ['-S', socket, ...a]);
  await run(
    'tmux',
    [
      '-S',
      socket,
      '-f',
      config,
      'new-session',
      '-d',
      '-x',
      String(options.columns ?? 100),
      '-y',
      String(options.rows ?? 30),
      '-c',
      options.cwd,
      'env',
      '-i',
      ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
      ...command,
    ],
    { cwd: options.cwd },
  );
  // tmux's own "Pane is dead (status 0, …)" line, shown once the program exited, is not the program's.
  const lines = (text: string) =>
    text
      .replace(/\n$/, '')
      .split('\n')
      .map((l) => l.trimEnd())
      .filter((l) => !l.startsWith('Pane is dead'));
  const screen = async () => lines((await tmux('capture-pane', '-p', '-J')).stdout);
  const until = async <T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline)
        throw new Error(`terminal: timed out waiting for ${what}\n${(await screen()).join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return {
    screen,
    history: async () => lines((await tmux('capture-pane', '-p', '-J', '-S', '-', '-E', '-')).stdout),
    // Generous bounds: a loaded CI machine starts a Node CLI from source slowly.
    waitFor: (pattern, timeoutMs = 15_000) =>
      until(String(pattern), timeoutMs, async () => {
        const rows = await screen();
        const ok = typeof pattern === 'function' ? pattern(rows) : rows.some((row) => pattern.test(row));
        return ok ? rows : undefined;
      }),
    exited: (timeoutMs = 20_000) =>
      until('the program to exit', timeoutMs, async () => {
        const format = '#{pane_dead} #{pane_dead_status} #{pane_dead_signal} #{pane_pid}';
        const [dead, status, signal, pid] = (await tmux('display-message', '-p', format)).stdout.split(' ');
        // Killed by a signal: the shell's convention, 128 + its number.
        if (dead === '1' && signal?.trim()) return 128 + Number(signal);
        if (dead === '1' && status) return Number(status);
        return zombieStatus(Number(pid));
      }),
    keys: async (...keys) => {
      await tmux('send-keys', ...keys);
    },
    close: async () => {
      await tmux('kill-server').catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
