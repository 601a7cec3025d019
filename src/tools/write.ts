import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ToolDeniedError, ToolExecutionError } from '../errors/index.ts';
import { defineTool } from './define-tool.ts';
import { writeFileAtomic } from './fs-utils.ts';
import { resolveWorkspacePath, type WorkspacePath } from './workspace-path.ts';
import { WRITE_DESCRIPTION } from './write.description.ts';

const inputSchema = z.object({
  file_path: z
    .string()
    .min(1)
    .describe('The path of the file to write (absolute, or relative to the workspace)'),
  content: z.string().describe('The content to write to the file'),
});
export type WriteInput = z.infer<typeof inputSchema>;

export const writeTool = defineTool<WriteInput>({
  name: 'Write',
  description: WRITE_DESCRIPTION,
  inputSchema,
  readOnly: false,
  async execute(input, ctx) {
    const target = await resolveWorkspacePath(ctx.workspaceRoot, input.file_path);
    const existed = await prepareTarget(target);
    await writeFileAtomic(target.realPath, input.content, ctx.workspaceRoot, ctx.permissions);
    const lines =
      input.content === '' ? 0 : input.content.split('\n').length - (input.content.endsWith('\n') ? 1 : 0);
    const bytes = Buffer.byteLength(input.content);
    return `${existed ? 'Overwrote' : 'Created'} ${target.path} (${lines} line${lines === 1 ? '' : 's'}, ${bytes} bytes).`;
  },
});

/**
 * Checks the target can be a file and creates missing parent directories (inside the workspace:
 * the confined real path is what gets created). Returns whether the file existed.
 */
export async function prepareTarget(target: WorkspacePath): Promise<boolean> {
  const stats = await stat(target.realPath).catch(() => undefined);
  if (stats?.isDirectory()) {
    throw new ToolExecutionError(
      `${target.path} is a directory; cannot write a file there.`,
      'Choose a file path.',
    );
  }
  if (stats && !stats.isFile()) throw new ToolExecutionError(`${target.path} is not a regular file.`);
  if (stats && stats.nlink > 1) {
    throw new ToolDeniedError(
      `${target.path} has ${stats.nlink} hard links; file tools refuse hard-linked files, since the other link may be outside the workspace.`,
      'Write to a new file name instead.',
    );
  }
  if (!stats) {
    await mkdir(path.dirname(target.realPath), { recursive: true }).catch((error: unknown) => {
      throw new ToolExecutionError(
        `Cannot create the directory for ${target.path}: ${(error as Error).message}`,
        'A parent in the path may be an existing file.',
      );
    });
  }
  return stats !== undefined;
}
