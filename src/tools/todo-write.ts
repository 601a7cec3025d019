import { z } from 'zod';
import { defineTool } from './define-tool.ts';
import { TODO_WRITE_DESCRIPTION } from './todo-write.description.ts';

const todoSchema = z.object({
  content: z.string().min(1).describe('What to do, in the imperative ("Run the tests")'),
  status: z.enum(['pending', 'in_progress', 'completed']),
  activeForm: z.string().optional().describe('The same in the present continuous ("Running the tests")'),
  id: z.string().optional(),
});
export type TodoItem = z.infer<typeof todoSchema>;

const inputSchema = z.object({
  todos: z.array(todoSchema).describe('The updated todo list'),
});
export type TodoWriteInput = z.infer<typeof inputSchema>;

/** Key of the task's todo list in ToolContext.state. */
export const TODO_STATE_KEY = 'todos';

/** The task's current todo list (empty before the first TodoWrite). */
export function getTodos(state: Map<string, unknown>): readonly TodoItem[] {
  return (state.get(TODO_STATE_KEY) as TodoItem[] | undefined) ?? [];
}

export const todoWriteTool = defineTool<TodoWriteInput>({
  name: 'TodoWrite',
  description: TODO_WRITE_DESCRIPTION,
  inputSchema,
  readOnly: true, // it changes only the task's own list, never the workspace
  async execute(input, ctx) {
    const todos = input.todos.map((todo) => ({ ...todo }));
    ctx.state.set(TODO_STATE_KEY, todos);
    const count = (status: TodoItem['status']): number => todos.filter((t) => t.status === status).length;
    const inProgress = count('in_progress');
    const summary =
      `Todo list updated: ${todos.length} item${todos.length === 1 ? '' : 's'} ` +
      `(${count('completed')} completed, ${inProgress} in progress, ${count('pending')} pending).`;
    const advice =
      inProgress > 1
        ? ' Keep only one item in progress at a time.'
        : todos.length > 0 && inProgress === 0 && count('pending') > 0
          ? ' Mark the item you start next as in_progress.'
          : '';
    return `${summary}${advice} Keep the list current as you work.`;
  },
});
