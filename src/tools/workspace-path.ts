import { lstat, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import { ToolDeniedError } from '../errors/index.ts';

/** A path argument after confinement: what the model asked for, and what the file system will touch. */
export interface WorkspacePath {
  /** Absolute path as the model wrote it (normalised), for messages and listings. */
  path: string;
  /**
   * The path with every existing symlink resolved (the part that does not exist yet appended as is).
   * Tools operate on this one, so what they touch is exactly what was checked.
   */
  realPath: string;
}

const MAX_SYMLINK_HOPS = 40;

/** True when `target` is `root` or lies below it. Both must be absolute and normalised. */
export function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * Resolves a path argument of a file tool against the workspace and refuses it when it leaves the
 * workspace: `..` escapes, absolute paths elsewhere, and symlinks anywhere along the path (a linked
 * file, a linked parent directory, a dangling link a write would follow) whose target is outside.
 * Relative paths are taken from the workspace root; absolute paths are accepted when inside it.
 */
export async function resolveWorkspacePath(workspaceRoot: string, input: string): Promise<WorkspacePath> {
  if (input.startsWith('~')) {
    throw new ToolDeniedError(
      `Path '${input}' points into a home directory, which is outside the workspace (${workspaceRoot}).`,
      'Use a path inside the workspace, relative to it or absolute.',
    );
  }
  const root = await realpath(workspaceRoot);
  const requested = path.resolve(root, input);
  const real = await resolveLoosely(requested, 0);
  if (!isInside(root, real)) {
    const viaLink = isInside(root, requested) ? ` (it resolves through a symlink to ${real})` : '';
    throw new ToolDeniedError(
      `Path '${input}' is outside the workspace (${root})${viaLink}; tools may only access files inside it.`,
      'Use a path inside the workspace, relative to it or absolute. Symlinks leading out of it are refused.',
    );
  }
  return { path: requested, realPath: real };
}

/**
 * realpath() for paths that may not exist yet: the nearest existing ancestor is resolved by the OS
 * and the missing tail appended. A dangling symlink is followed by hand, because writing through it
 * would create its target wherever that is.
 */
async function resolveLoosely(p: string, hops: number): Promise<string> {
  if (hops > MAX_SYMLINK_HOPS) {
    throw new ToolDeniedError(`Too many levels of symbolic links while resolving '${p}'.`);
  }
  try {
    return await realpath(p);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') {
      throw new ToolDeniedError(`Too many levels of symbolic links while resolving '${p}'.`);
    }
    if (!isMissing(error)) throw error;
  }
  const stats = await lstat(p).catch((error: unknown) => {
    if (isMissing(error)) return undefined;
    throw error;
  });
  if (stats?.isSymbolicLink()) {
    // The link's own directory exists (lstat found the link), so its real path is known exactly.
    const target = path.resolve(await realpath(path.dirname(p)), await readlink(p));
    return resolveLoosely(target, hops + 1);
  }
  const parent = path.dirname(p);
  if (parent === p) return p;
  return path.join(await resolveLoosely(parent, hops), path.basename(p));
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
