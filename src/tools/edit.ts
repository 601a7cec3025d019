import { z } from 'zod';
import { ToolExecutionError } from '../errors/index.ts';
import { defineTool } from './define-tool.ts';
import { EDIT_DESCRIPTION } from './edit.description.ts';
import {
  applyEdit,
  editOperationSchema,
  loadEditableFile,
  requireExisting,
  snippetAround,
} from './edit-core.ts';
import { writeFileAtomic } from './fs-utils.ts';
import { resolveWorkspacePath } from './workspace-path.ts';
import { prepareTarget } from './write.ts';

const inputSchema = z.object({
  file_path: z
    .string()
    .min(1)
    .describe('The path of the file to modify (absolute, or relative to the workspace)'),
  ...editOperationSchema.shape,
});
export type EditInput = z.infer<typeof inputSchema>;

export const editTool = defineTool<EditInput>({
  name: 'Edit',
  description: EDIT_DESCRIPTION,
  inputSchema,
  readOnly: false,
  async execute(input, ctx) {
    const target = await resolveWorkspacePath(ctx.workspaceRoot, input.file_path);
    const current = await loadEditableFile(ctx.workspaceRoot, target, ctx.permissions);
    if (input.old_string === '' && (current === undefined || current === '')) {
      if (input.new_string === '' && current !== undefined) {
        throw new ToolExecutionError('No changes to make: the file is empty and new_string is empty.');
      }
      await prepareTarget(target);
      await writeFileAtomic(target.realPath, input.new_string, ctx.workspaceRoot, ctx.permissions);
      return `${current === undefined ? 'Created' : 'Filled the empty file'} ${target.path}.`;
    }
    const outcome = applyEdit(await requireExisting(target, current), input);
    await writeFileAtomic(target.realPath, outcome.content, ctx.workspaceRoot, ctx.permissions);
    const what = outcome.replaced === 1 ? '1 occurrence' : `${outcome.replaced} occurrences`;
    const snippet = snippetAround(outcome.content, outcome.firstIndex, outcome.insertedLength);
    return `Edited ${target.path}: replaced ${what}. The result around the ${outcome.replaced === 1 ? 'change' : 'first change'}:\n${snippet}`;
  },
});
