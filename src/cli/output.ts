import { styleText } from 'node:util';
import { CodexTaskError } from '../errors/index.ts';
import { EXIT, exitCodeOf } from './exit-codes.ts';

type Style = Parameters<typeof styleText>[0];

/** Global output preferences, set once from `--quiet` / `--verbose`. */
export const outputPrefs = { quiet: false, verbose: false };

/** Colour only on a terminal and never with NO_COLOR (styleText checks both for the given stream). */
export function paint(style: Style, text: string, stream: NodeJS.WriteStream = process.stderr): string {
  return styleText(style, text, { stream, validateStream: true });
}

export function isInteractive(stream: NodeJS.WriteStream = process.stderr): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
}

/** Progress and notes for people: stderr, silenced by --quiet. */
export function note(line: string): void {
  if (!outputPrefs.quiet) process.stderr.write(`${line}\n`);
}

/**
 * Every error a user can cause, as three lines: what failed, why (when known), what to do.
 * Stack traces only with --verbose.
 */
export function printError(error: unknown): void {
  if (error instanceof CodexTaskError) {
    process.stderr.write(`${paint('red', 'error:')} ${error.message}\n`);
    if (error.hint) process.stderr.write(`  ${paint('bold', 'fix:')} ${error.hint}\n`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${paint('red', 'error:')} ${message}\n`);
    if (!outputPrefs.verbose) process.stderr.write('  (run with --verbose for details)\n');
  }
  if (outputPrefs.verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
}

/**
 * A reader that went away (`codex-task runs list | head -1`) ends the command quietly, as SIGPIPE
 * ends ls or git, but with 0 rather than 141: under `set -o pipefail` (GitHub Actions' default
 * shell) a consumer that stopped reading early is not a failure of this command. Installed once,
 * by the process entry, for every command and both streams.
 */
export function exitQuietlyOnClosedPipes(): void {
  let closing = false;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      // A command that watches the stream itself (the MCP stdio server, which stops its tasks first) handles it.
      if (stream.listenerCount('error') > 1) return;
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
      stream.write = () => true;
      if (closing) return;
      closing = true;
      process.once('exit', () => {
        process.exitCode = EXIT.ok;
      });
      // Work in flight (run, batch, the servers) stops as on Ctrl-C, so its tasks' processes are
      // not left behind. Not process.exit(): the run store still writes the tasks' last records.
      if (process.listenerCount('SIGINT') > 0) process.emit('SIGINT', 'SIGINT');
    });
  }
}

/** Prints the error and returns its exit code: 2 for what the user must change (flag, config, input), else 1. */
export function reportError(error: unknown): number {
  printError(error);
  return exitCodeOf(error instanceof CodexTaskError ? error.type : undefined);
}

export function usageError(message: string, fix: string): void {
  process.stderr.write(`${paint('red', 'error:')} ${message}\n  ${paint('bold', 'fix:')} ${fix}\n`);
}
