import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { z } from 'zod';
import { ToolDeniedError, ToolExecutionError } from '../errors/index.ts';
import { defineTool } from './define-tool.ts';
import { errorCode, SKIPPED_DIRECTORY_GLOBS } from './fs-utils.ts';
import { GLOB_DESCRIPTION } from './glob.description.ts';
import { isInside, resolveWorkspacePath } from './workspace-path.ts';

export const GLOB_MAX_RESULTS = 100;

const inputSchema = z.object({
  pattern: z.string().min(1).describe('The glob pattern to match files against'),
  path: z
    .string()
    .optional()
    .describe('The directory to search in; defaults to the workspace root. Omit it for the default.'),
});
export type GlobInput = z.infer<typeof inputSchema>;

export const globTool = defineTool<GlobInput>({
  name: 'Glob',
  description: GLOB_DESCRIPTION,
  inputSchema,
  readOnly: true,
  async execute(input, ctx) {
    const { cwd, pattern } = await confinePattern(ctx.workspaceRoot, input.path, input.pattern);
    const found = await glob(pattern, {
      cwd,
      absolute: true,
      dot: true,
      followSymbolicLinks: false,
      ignore: SKIPPED_DIRECTORY_GLOBS,
      signal: ctx.signal,
    });
    const hidden = ctx.permissions?.hidesPath;
    const files = await withMtimes(ctx.workspaceRoot, hidden ? found.filter((f) => !hidden(f)) : found);
    if (files.length === 0) return 'No files found';
    files.sort((a, b) => b.mtimeMs - a.mtimeMs || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const shown = files.slice(0, GLOB_MAX_RESULTS).map((f) => f.path);
    if (files.length <= GLOB_MAX_RESULTS) return shown.join('\n');
    return `${shown.join('\n')}\n(Results are truncated: showing the ${GLOB_MAX_RESULTS} most recently modified of ${files.length} files. Use a more specific path or pattern.)`;
  },
});

/**
 * Splits the pattern's literal leading directories off and confines them like any path argument,
 * so neither `../x/*` nor an absolute pattern nor a symlinked directory at the start of the pattern
 * can make the crawl start outside the workspace. Returns the real directory to crawl from and the
 * rest of the pattern.
 */
async function confinePattern(
  workspaceRoot: string,
  dir: string | undefined,
  pattern: string,
): Promise<{ cwd: string; pattern: string }> {
  const base = await resolveWorkspacePath(workspaceRoot, dir ?? '.');
  const full = path.isAbsolute(pattern) ? pattern : `${base.path}/${pattern}`;
  const segments = full.split('/');
  const firstDynamic = segments.findIndex((segment) => isDynamicPattern(segment));
  const literalCount = firstDynamic === -1 ? segments.length - 1 : firstDynamic;
  const rest = segments.slice(literalCount);
  if (rest.includes('..')) {
    throw new ToolDeniedError(
      `Glob pattern '${pattern}' uses '..' after a wildcard, which could leave the workspace.`,
      'Put the directory in path (or at the start of the pattern) and keep the pattern below it.',
    );
  }
  const literal = path.normalize(segments.slice(0, literalCount).join('/') || '/');
  const start = await resolveWorkspacePath(workspaceRoot, literal).catch((error: unknown) => {
    if (!(error instanceof ToolDeniedError)) throw error;
    throw new ToolDeniedError(
      `Glob pattern '${pattern}' would search outside the workspace: ${error.message}`,
      error.hint,
    );
  });
  const stats = await stat(start.realPath).catch((error: unknown) => {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  });
  if (!stats?.isDirectory()) {
    const what = dir !== undefined && start.path === base.path ? `path '${dir}'` : `directory ${start.path}`;
    throw new ToolExecutionError(
      `Cannot search: the ${what} ${stats ? 'is not a directory' : 'does not exist'}.`,
      'Give an existing directory as path (or leave it out to search the whole workspace).',
    );
  }
  return { cwd: start.realPath, pattern: rest.join('/') };
}

/** Stats every match; drops any whose real path is outside the workspace (belt and braces). */
async function withMtimes(
  workspaceRoot: string,
  files: string[],
): Promise<{ path: string; mtimeMs: number }[]> {
  const result: { path: string; mtimeMs: number }[] = [];
  const batch = 64;
  for (let i = 0; i < files.length; i += batch) {
    const settled = await Promise.all(
      files.slice(i, i + batch).map(async (file) => {
        try {
          const [real, stats] = await Promise.all([realpath(file), stat(file)]);
          return isInside(workspaceRoot, real) ? { path: file, mtimeMs: stats.mtimeMs } : undefined;
        } catch {
          return undefined; // deleted while we were listing
        }
      }),
    );
    for (const entry of settled) if (entry) result.push(entry);
  }
  return result;
}
