import { z } from 'zod';
import { CodexTaskError, ToolExecutionError } from '../errors/index.ts';
import { defineTool } from './define-tool.ts';
import { applyEdit, editOperationSchema, loadEditableFile, requireExisting } from './edit-core.ts';
import { writeFileAtomic } from './fs-utils.ts';
import { MULTI_EDIT_DESCRIPTION } from './multi-edit.description.ts';
import { resolveWorkspacePath } from './workspace-path.ts';
import { prepareTarget } from './write.ts';

const inputSchema = z.object({
  file_path: z
    .string()
    .min(1)
    .describe('The path of the file to modify (absolute, or relative to the workspace)'),
  edits: z
    .array(editOperationSchema)
    .min(1)
    .describe('Edits to apply in order; all succeed or none is applied'),
});
export type MultiEditInput = z.infer<typeof inputSchema>;

export const multiEditTool = defineTool<MultiEditInput>({
  name: 'MultiEdit',
  description: MULTI_EDIT_DESCRIPTION,
  inputSchema,
  readOnly: false,
  async execute(input, ctx) {
    const target = await resolveWorkspacePath(ctx.workspaceRoot, input.file_path);
    const current = await loadEditableFile(ctx.workspaceRoot, target, ctx.permissions);
    const creating = (current === undefined || current === '') && input.edits[0]?.old_string === '';
    let content = creating ? (input.edits[0]?.new_string ?? '') : await requireExisting(target, current);
    let replaced = 0;
    for (let i = creating ? 1 : 0; i < input.edits.length; i++) {
      try {
        const outcome = applyEdit(content, input.edits[i]!);
        content = outcome.content;
        replaced += outcome.replaced;
      } catch (error) {
        if (!(error instanceof CodexTaskError)) throw error;
        throw new ToolExecutionError(
          `edits[${i}] (edit ${i + 1} of ${input.edits.length}) failed: ${error.message} No edit was applied; ${target.path} is unchanged.`,
          error.hint,
        );
      }
    }
    if (current === undefined) await prepareTarget(target);
    await writeFileAtomic(target.realPath, content, ctx.workspaceRoot, ctx.permissions);
    const count = input.edits.length;
    return `${current === undefined ? 'Created' : 'Edited'} ${target.path}: applied ${count} edit${count === 1 ? '' : 's'} (${replaced} replacement${replaced === 1 ? '' : 's'}).`;
  },
});
