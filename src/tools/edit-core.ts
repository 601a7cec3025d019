import { z } from 'zod';
import { ToolExecutionError } from '../errors/index.ts';
import { openConfinedFile } from './confined-open.ts';
import { looksBinary, missingFileError, numberLine } from './fs-utils.ts';
import type { ToolPermissions } from './permissions.ts';
import type { WorkspacePath } from './workspace-path.ts';

export const editOperationSchema = z.object({
  old_string: z.string().describe('The text to replace'),
  new_string: z.string().describe('The text to replace it with (must be different from old_string)'),
  replace_all: z.boolean().optional().describe('Replace all occurrences of old_string (default false)'),
});
export type EditOperation = z.infer<typeof editOperationSchema>;

export interface EditOutcome {
  content: string;
  /** How many occurrences were replaced. */
  replaced: number;
  /** Offset of the first replacement in the new content, and the length of the text put there. */
  firstIndex: number;
  insertedLength: number;
}

/**
 * Applies one exact-text replacement in memory. Throws a ToolExecutionError the model can act on
 * when the edit is a no-op, matches nothing, or matches more than once without replace_all.
 */
export function applyEdit(content: string, edit: EditOperation): EditOutcome {
  if (edit.old_string === edit.new_string) {
    throw new ToolExecutionError(
      'No changes to make: old_string and new_string are exactly the same.',
      'Give the new text in new_string.',
    );
  }
  if (edit.old_string === '') {
    throw new ToolExecutionError(
      'old_string is empty, but the file already has content.',
      'Give the exact text to replace in old_string; use Write to replace a whole file.',
    );
  }
  let { old_string: oldText, new_string: newText } = edit;
  let count = countOccurrences(content, oldText);
  // A model reads CRLF files with the \r stripped (Read does that), so it sends LF-only strings.
  if (count === 0 && content.includes('\r\n') && oldText.includes('\n') && !oldText.includes('\r')) {
    oldText = toCrlf(oldText);
    newText = toCrlf(newText);
    count = countOccurrences(content, oldText);
  }
  if (count === 0) {
    const numbered = /^ *\d+\t/m.test(oldText);
    throw new ToolExecutionError(
      'old_string was not found in the file. It must match the file exactly, including whitespace and indentation.',
      numbered
        ? "old_string seems to include Read's line-number prefix (spaces, a number, a tab); leave it out."
        : 'Read the file again and copy the text to replace exactly.',
    );
  }
  if (count > 1 && !edit.replace_all) {
    throw new ToolExecutionError(
      `Found ${count} matches of old_string, but replace_all is false.`,
      'To replace every occurrence, set replace_all to true; to replace only one, add more surrounding context to old_string so it matches exactly once.',
    );
  }
  const firstIndex = content.indexOf(oldText);
  // split/join and slicing, not String.replace: a `$&` or `$1` in new_string must stay literal.
  const next = edit.replace_all
    ? content.split(oldText).join(newText)
    : content.slice(0, firstIndex) + newText + content.slice(firstIndex + oldText.length);
  return {
    content: next,
    replaced: edit.replace_all ? count : 1,
    firstIndex,
    insertedLength: newText.length,
  };
}

function countOccurrences(haystack: string, needle: string): number {
  let count = 0;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + needle.length)) count++;
  return count;
}

function toCrlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

/** The text of a file to edit, or `undefined` when it does not exist. Refuses directories and binaries. */
export async function loadEditableFile(
  workspaceRoot: string,
  target: WorkspacePath,
  permissions?: ToolPermissions,
): Promise<string | undefined> {
  // Opened like Read opens: no FIFO, device, hard link or symlink swapped in after the check.
  const opened = await openConfinedFile(workspaceRoot, target, 'edit', permissions);
  if (!opened) return undefined;
  let bytes: Buffer;
  try {
    bytes = await opened.handle.readFile();
  } finally {
    await opened.handle.close();
  }
  if (looksBinary(bytes)) {
    throw new ToolExecutionError(`${target.path} is a binary file; Edit changes text files only.`);
  }
  return bytes.toString('utf8');
}

export async function requireExisting(target: WorkspacePath, content: string | undefined): Promise<string> {
  if (content === undefined) throw await missingFileError(target.path, target.realPath);
  return content;
}

/** A few numbered lines around an edit, so the model sees the result without another Read. */
export function snippetAround(content: string, index: number, insertedLength: number): string {
  const context = 3;
  const maxLines = 30;
  const lines = content.split('\n');
  const firstLine = content.slice(0, index).split('\n').length;
  const lastLine = firstLine + content.slice(index, index + insertedLength).split('\n').length - 1;
  const from = Math.max(1, firstLine - context);
  const to = Math.min(lines.length, lastLine + context, from + maxLines - 1);
  const shown: string[] = [];
  for (let n = from; n <= to; n++) shown.push(numberLine(n, (lines[n - 1] ?? '').replace(/\r$/, '')));
  return shown.join('\n');
}
