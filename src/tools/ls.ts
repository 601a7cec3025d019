import type { Dirent } from 'node:fs';
import { readdir, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ToolExecutionError } from '../errors/index.ts';
import { defineTool } from './define-tool.ts';
import { errorCode, SKIPPED_DIRECTORIES } from './fs-utils.ts';
import { LS_DESCRIPTION } from './ls.description.ts';
import { resolveWorkspacePath } from './workspace-path.ts';

export const LS_MAX_ENTRIES = 1000;

const inputSchema = z.object({
  path: z.string().min(1).describe('The directory to list (absolute, or relative to the workspace)'),
  ignore: z.array(z.string()).optional().describe('List of glob patterns to ignore'),
});
export type LsInput = z.infer<typeof inputSchema>;

interface Entry {
  name: string;
  kind: 'dir' | 'file' | 'link' | 'skipped' | 'unreadable';
  target?: string;
}

export const lsTool = defineTool<LsInput>({
  name: 'LS',
  description: LS_DESCRIPTION,
  inputSchema,
  readOnly: true,
  async execute(input, ctx) {
    const target = await resolveWorkspacePath(ctx.workspaceRoot, input.path);
    const stats = await stat(target.realPath).catch((error: unknown) => {
      if (errorCode(error) === 'ENOENT') {
        throw new ToolExecutionError(
          `Directory does not exist: ${target.path}`,
          'Check the path; LS "." lists the workspace root.',
        );
      }
      throw error;
    });
    if (!stats.isDirectory()) {
      throw new ToolExecutionError(`${target.path} is a file, not a directory.`, 'Use Read to see a file.');
    }
    const ignored = (rel: string): boolean =>
      (input.ignore ?? []).some((pattern) =>
        pattern.includes('/')
          ? path.matchesGlob(rel, pattern)
          : path.matchesGlob(path.basename(rel), pattern),
      );

    // Breadth first, so a cut listing still shows the shallow levels completely.
    const children = new Map<string, Entry[]>();
    const queue = [''];
    let count = 0;
    let truncated = false;
    while (queue.length > 0 && !truncated) {
      ctx.signal.throwIfAborted();
      const rel = queue.shift()!;
      const entries: Entry[] = [];
      children.set(rel, entries);
      let dirents: Dirent[];
      try {
        dirents = await readdir(path.join(target.realPath, rel), { withFileTypes: true });
      } catch {
        entries.push({ name: '(unreadable)', kind: 'unreadable' });
        continue;
      }
      dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const dirent of dirents) {
        const childRel = rel ? `${rel}/${dirent.name}` : dirent.name;
        // Secrets and `Read(…)`-denied paths are left out: their names alone can leak (`prod.pem`).
        if (ignored(childRel) || ctx.permissions?.hidesPath?.(path.join(target.realPath, childRel))) continue;
        if (count >= LS_MAX_ENTRIES) {
          truncated = true;
          break;
        }
        count++;
        if (dirent.isSymbolicLink()) {
          const link = await readlink(path.join(target.realPath, childRel)).catch(() => '?');
          entries.push({ name: dirent.name, kind: 'link', target: link });
        } else if (dirent.isDirectory()) {
          const skipped = SKIPPED_DIRECTORIES.includes(dirent.name);
          entries.push({ name: dirent.name, kind: skipped ? 'skipped' : 'dir' });
          if (!skipped) queue.push(childRel);
        } else {
          entries.push({ name: dirent.name, kind: 'file' });
        }
      }
    }

    const out = [`- ${target.path.endsWith('/') ? target.path : `${target.path}/`}`];
    const render = (rel: string, depth: number): void => {
      for (const entry of children.get(rel) ?? []) {
        const indent = '  '.repeat(depth);
        const childRel = rel ? `${rel}/${entry.name}` : entry.name;
        if (entry.kind === 'dir' && !children.has(childRel))
          out.push(`${indent}- ${entry.name}/ (not listed: limit reached)`);
        else if (entry.kind === 'dir') {
          out.push(`${indent}- ${entry.name}/`);
          render(childRel, depth + 1);
        } else if (entry.kind === 'skipped') out.push(`${indent}- ${entry.name}/ (contents not listed)`);
        else if (entry.kind === 'link') out.push(`${indent}- ${entry.name} -> ${entry.target}`);
        else out.push(`${indent}- ${entry.name}`);
      }
    };
    render('', 1);
    if (count === 0 && !truncated) out.push('  (empty directory)');
    if (truncated) {
      out.push(
        `\n(Listing truncated at ${LS_MAX_ENTRIES} entries. List a subdirectory, or use Glob or Grep, to see more.)`,
      );
    }
    return out.join('\n');
  },
});
