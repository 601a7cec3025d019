import { randomBytes } from 'node:crypto';
import { open, readdir, readlink, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { closest, distance } from 'fastest-levenshtein';
import { ToolDeniedError, ToolExecutionError } from '../errors/index.ts';
import { recheckOpenedPath } from './opened-path.ts';
import type { ToolPermissions } from './permissions.ts';
import { isInside } from './workspace-path.ts';

/** Directories no listing or search descends into: version-control internals and installed packages. */
export const SKIPPED_DIRECTORIES: readonly string[] = ['.git', 'node_modules'];
// The bare name too: a git worktree or submodule has a `.git` *file*, which ripgrep's `!.git` skips.
export const SKIPPED_DIRECTORY_GLOBS: string[] = SKIPPED_DIRECTORIES.flatMap((name) => [
  `**/${name}`,
  `**/${name}/**`,
]);

/**
 * Writes through a temporary file in the same directory and renames it over the target, so a reader
 * (or a crash) sees the old content or the new one, never half of it. An existing file keeps its mode.
 */
export async function writeFileAtomic(
  realPath: string,
  content: string,
  workspaceRoot?: string,
  permissions?: ToolPermissions,
): Promise<void> {
  const dir = path.dirname(realPath);
  const temp = path.join(dir, `.${path.basename(realPath)}.${randomBytes(6).toString('hex')}.tmp`);
  const existingMode = await stat(realPath).then(
    (s) => s.mode & 0o7777,
    () => undefined,
  );
  const handle = await open(temp, 'wx', existingMode ?? 0o666);
  let target = realPath;
  try {
    try {
      // The directory was checked before; if it was swapped for a symlink since, the temp file
      // landed outside the workspace: refuse before any content is written there.
      const real =
        workspaceRoot === undefined
          ? undefined
          : await readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
      if (real !== undefined && !isInside(workspaceRoot!, real)) {
        throw new ToolDeniedError(
          `The directory of ${realPath} changed while it was being written (a symlink was swapped in); refused.`,
          'Write to a path inside the workspace.',
        );
      }
      // The file lands where the temp file is: rename there, after checking that is not a secret or control file.
      if (real !== undefined) {
        target = path.join(path.dirname(real), path.basename(realPath));
        recheckOpenedPath(target, realPath, 'write', permissions);
      }
      await handle.writeFile(content, 'utf8');
      if (existingMode !== undefined) await handle.chmod(existingMode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}

/** A NUL byte is what ripgrep (and git) take as the sign of a binary file. */
export function looksBinary(bytes: Uint8Array): boolean {
  return bytes.includes(0);
}

/** The error for a path that does not exist, naming the closest sibling when one is near. */
export async function missingFileError(displayPath: string, realPath: string): Promise<ToolExecutionError> {
  const name = path.basename(realPath);
  const siblings = await readdir(path.dirname(realPath)).catch(() => [] as string[]);
  const best = siblings.length > 0 ? closest(name, siblings) : undefined;
  const near = best !== undefined && distance(name, best) <= Math.max(2, Math.floor(name.length / 3));
  const suggestion = near ? path.join(path.dirname(displayPath), best) : undefined;
  return new ToolExecutionError(
    `File does not exist: ${displayPath}${suggestion ? `. Did you mean ${suggestion}?` : ''}`,
    'Check the path with Glob or LS first.',
  );
}

/** `cat -n` layout: the line number right-aligned in six columns, a tab, the line. */
export function numberLine(lineNumber: number, text: string): string {
  return `${String(lineNumber).padStart(6, ' ')}\t${text}`;
}

export function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
