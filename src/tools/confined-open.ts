import { constants, type Stats } from 'node:fs';
import { type FileHandle, open, readlink } from 'node:fs/promises';
import { ToolDeniedError, ToolExecutionError } from '../errors/index.ts';
import { errorCode, missingFileError } from './fs-utils.ts';
import { recheckOpenedPath } from './opened-path.ts';
import type { ToolPermissions } from './permissions.ts';
import { isInside, type WorkspacePath } from './workspace-path.ts';

/**
 * Opens a checked path for reading so that what is read is what was checked: the last component
 * must not be a symlink (O_NOFOLLOW: one swapped in after the check fails the open), the file the
 * descriptor really points at is re-checked against the workspace (/proc/self/fd, which catches a
 * parent directory swapped for a symlink), and O_NONBLOCK keeps a FIFO from blocking the open.
 * The real path is also re-checked against the policy (`permissions`): a name checked as harmless
 * may lead to a secret by the time it is opened.
 * Only regular files with a single link come back: a device, FIFO or socket never ends or blocks,
 * and a hard link can make a file from outside the workspace appear inside it.
 */
export async function openConfinedFile(
  workspaceRoot: string,
  target: WorkspacePath,
  purpose: 'read' | 'edit',
  permissions?: ToolPermissions,
): Promise<{ handle: FileHandle; stats: Stats } | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(target.realPath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    if (errorCode(error) === 'ELOOP') throw swapped(target);
    if (errorCode(error) === 'ENXIO') throw notRegular(target); // a socket cannot be opened at all
    throw error;
  }
  try {
    const real = await descriptorPath(handle.fd);
    if (real !== undefined && !isInside(workspaceRoot, real)) throw swapped(target);
    if (real !== undefined) recheckOpenedPath(real, target.path, purpose, permissions);
    const stats = await handle.stat();
    if (stats.isDirectory()) {
      throw new ToolExecutionError(
        `${target.path} is a directory, not a file.`,
        purpose === 'read'
          ? 'Use LS to list a directory, or Glob to find files in it.'
          : 'Give the path of a file.',
      );
    }
    if (!stats.isFile()) throw notRegular(target);
    if (stats.nlink > 1) {
      throw new ToolDeniedError(
        `${target.path} has ${stats.nlink} hard links; file tools refuse hard-linked files, since the other link may be outside the workspace.`,
        'Copy the file (cp) to a new name inside the workspace if you need it.',
      );
    }
    return { handle, stats };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Like openConfinedFile, but a missing file is the usual "does not exist" error. */
export async function openExistingConfinedFile(
  workspaceRoot: string,
  target: WorkspacePath,
  permissions?: ToolPermissions,
): Promise<{ handle: FileHandle; stats: Stats }> {
  const opened = await openConfinedFile(workspaceRoot, target, 'read', permissions);
  if (!opened) throw await missingFileError(target.path, target.realPath);
  return opened;
}

/** Where an open descriptor really points; undefined where /proc is not mounted (O_NOFOLLOW still holds). */
export async function descriptorPath(fd: number): Promise<string | undefined> {
  try {
    return await readlink(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}

function notRegular(target: WorkspacePath): ToolDeniedError {
  return new ToolDeniedError(
    `${target.path} is not a regular file (a device, FIFO or socket); file tools only open regular files.`,
    'Use a regular file inside the workspace.',
  );
}

function swapped(target: WorkspacePath): ToolDeniedError {
  return new ToolDeniedError(
    `Path '${target.path}' changed while it was being opened (a symlink was swapped in); refused.`,
    'Use a path inside the workspace that is not a symlink leading out of it.',
  );
}
