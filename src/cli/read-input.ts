import { accessSync, constants, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { text } from 'node:stream/consumers';
import { InputFileError, WorkingDirectoryError } from '../errors/index.ts';

/** What went wrong with a path, in words (no `ENOENT`): undefined for other errors, which stay as they are. */
function problemOf(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'ENOTDIR') return 'a part of the path is not a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return undefined;
}

/**
 * A file's text, or stdin's when the path is `-`. A file that cannot be read is an InputFileError
 * naming `what` it is (`the batch file`) and the path.
 */
export async function readInput(path: string, what = 'the file', hint = 'Check the path.'): Promise<string> {
  if (path === '-') return text(process.stdin);
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const problem = problemOf(error);
    if (problem) throw new InputFileError(what, path, problem, hint);
    throw error;
  }
}

/** A directory option (`-C`) must name a directory this process can list and enter. */
export function checkDirectory(flag: string, path: string): void {
  const problem = (() => {
    try {
      if (!statSync(resolve(path)).isDirectory()) return 'not a directory';
      accessSync(resolve(path), constants.R_OK | constants.X_OK);
      return undefined;
    } catch (error) {
      const found = problemOf(error);
      return found === 'no such file' ? 'no such directory' : (found ?? (error as Error).message);
    }
  })();
  if (problem) throw new WorkingDirectoryError(flag, path, problem);
}
