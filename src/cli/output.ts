import { styleText } from 'node:util';
import { CodexTaskError } from '../errors/index.ts';

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

export function usageError(message: string, fix: string): void {
  process.stderr.write(`${paint('red', 'error:')} ${message}\n  ${paint('bold', 'fix:')} ${fix}\n`);
}
