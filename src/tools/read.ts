import type { FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { z } from 'zod';
import { TOOL_DEFAULTS } from '../config/defaults/index.ts';
import { ToolExecutionError } from '../errors/index.ts';
import { openExistingConfinedFile } from './confined-open.ts';
import { defineTool } from './define-tool.ts';
import { looksBinary, numberLine } from './fs-utils.ts';
import { READ_DESCRIPTION } from './read.description.ts';
import type { ToolContext } from './types.ts';
import { resolveWorkspacePath } from './workspace-path.ts';

export const MAX_LINE_CHARS = 2000;
const BINARY_SNIFF_BYTES = 8192;

const inputSchema = z.object({
  file_path: z
    .string()
    .min(1)
    .describe('The path of the file to read (absolute, or relative to the workspace)'),
  offset: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe(
      'The line number to start reading from (1-based). Only provide if the file is too large to read at once',
    ),
  limit: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('The number of lines to read. Only provide if the file is too large to read at once'),
});
export type ReadInput = z.infer<typeof inputSchema>;

export const readTool = defineTool<ReadInput>({
  name: 'Read',
  description: READ_DESCRIPTION,
  inputSchema,
  readOnly: true,
  async execute(input, ctx) {
    const target = await resolveWorkspacePath(ctx.workspaceRoot, input.file_path);
    const { handle, stats } = await openExistingConfinedFile(ctx.workspaceRoot, target, ctx.permissions);
    try {
      const maxBytes = ctx.limits.readMaxFileBytes ?? TOOL_DEFAULTS.readMaxFileBytes;
      if (stats.size > maxBytes) {
        throw new ToolExecutionError(
          `${target.path} is ${formatBytes(stats.size)}, over Read's limit of ${formatBytes(maxBytes)}.`,
          'Find the part you need with Grep (output_mode "content", with -A/-B context), or page through it with Bash (`sed -n \'1000,1100p\' <file>`, `tail -c 65536 <file>`).',
        );
      }
      if (await isBinaryFile(handle)) {
        throw new ToolExecutionError(
          `Cannot read ${target.path}: it is a binary file. Read shows text files only.`,
          'Use Bash (for example `file <path>` or `xxd <path> | head`) to inspect a binary file.',
        );
      }
      return await readWindow(handle, target.path, input, ctx);
    } finally {
      await handle.close();
    }
  },
});

/** The lines asked for, numbered, with a note on how to page on when the file continues. */
async function readWindow(
  handle: FileHandle,
  shown: string,
  input: ReadInput,
  ctx: ToolContext,
): Promise<string> {
  const start = Math.max(1, input.offset ?? 1);
  const limit = input.limit ?? ctx.limits.readDefaultLines;
  const { lines, total, more } = await readLines(handle, start, limit, ctx);
  if (total === 0) return '(The file exists but is empty.)';
  if (lines.length === 0) {
    throw new ToolExecutionError(
      `offset ${start} is past the end of ${shown}, which has ${total} line${total === 1 ? '' : 's'}.`,
      `Use an offset between 1 and ${total}.`,
    );
  }
  const body = lines.map((line, i) => numberLine(start + i, line)).join('\n');
  if (!more) return body;
  const end = start + lines.length - 1;
  return `${body}\n\n(Showing lines ${start}-${end}; the file continues. Call Read with offset=${end + 1} to see more.)`;
}

async function isBinaryFile(handle: FileHandle): Promise<boolean> {
  const buffer = Buffer.alloc(BINARY_SNIFF_BYTES);
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
  return looksBinary(buffer.subarray(0, bytesRead));
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB`
    : `${Math.ceil(bytes / 1024)} KiB`;
}

/**
 * Streams the file and keeps only the window asked for, so a huge log costs no more memory than the
 * lines returned; reading stops as soon as it is known whether more lines follow. A line is also
 * capped while being read, so one enormous line cannot fill memory either.
 */
async function readLines(
  handle: FileHandle,
  start: number,
  limit: number,
  ctx: ToolContext,
): Promise<{ lines: string[]; total: number; more: boolean }> {
  const lines: string[] = [];
  const decoder = new StringDecoder('utf8');
  let current = '';
  let dropped = 0;
  let lineNumber = 0;
  let more = false;

  const finishLine = (): boolean => {
    lineNumber += 1;
    if (lineNumber >= start && lines.length < limit) {
      let text = current.endsWith('\r') && dropped === 0 ? current.slice(0, -1) : current;
      if (lineNumber === 1 && text.startsWith('\uFEFF')) text = text.slice(1);
      if (text.length > MAX_LINE_CHARS || dropped > 0) {
        const extra = text.length - MAX_LINE_CHARS + dropped;
        text = `${text.slice(0, MAX_LINE_CHARS)}… [line truncated: ${extra} more characters]`;
      }
      lines.push(text);
    } else if (lines.length >= limit) {
      more = true;
    }
    current = '';
    dropped = 0;
    return more;
  };
  const append = (piece: string): void => {
    const room = MAX_LINE_CHARS + 1 - current.length;
    if (piece.length <= room) current += piece;
    else {
      current += piece.slice(0, Math.max(0, room));
      dropped += piece.length - Math.max(0, room);
    }
  };

  const stream = handle.createReadStream({
    start: 0,
    autoClose: false,
    signal: ctx.signal,
    highWaterMark: 64 * 1024,
  });
  try {
    outer: for await (const chunk of stream) {
      const text = decoder.write(chunk as Buffer);
      let from = 0;
      for (let nl = text.indexOf('\n', from); nl !== -1; nl = text.indexOf('\n', from)) {
        append(text.slice(from, nl));
        from = nl + 1;
        if (finishLine()) break outer;
      }
      append(text.slice(from));
    }
    if (!more) {
      append(decoder.end());
      if (current.length > 0 || dropped > 0) finishLine();
    }
  } finally {
    stream.destroy();
  }
  return { lines, total: lineNumber - (more ? 1 : 0), more };
}
