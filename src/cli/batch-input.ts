import { type TaskInput, taskInputSchema, taskPrioritySchema } from '../engine/index.ts';
import { CodexTaskError } from '../errors/index.ts';

export class BatchInputError extends CodexTaskError {
  constructor(message: string) {
    super(
      'BatchInput',
      message,
      'A batch is a JSON array or JSONL of { "subagent_type": "…", "prompt": "…", "description"?: "…", "model"?: "…", "priority"?: -100…100 }.',
    );
  }
}

/**
 * The short description a task gets when none is given (`run`, batch entries without one): the
 * prompt's first line, cut at a word within 40 characters.
 */
export function descriptionOf(prompt: string): string {
  const line = prompt.trim().split('\n')[0]!.trim();
  if (line.length <= 40) return line || 'task';
  const cut = line.slice(0, 40);
  const space = cut.lastIndexOf(' ');
  return `${(space > 10 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** `description` is optional in a batch, as in `run`: derived from the prompt when missing. */
function withDescription(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const entry = value as Record<string, unknown>;
  if (entry.description !== undefined) return entry;
  return { ...entry, description: descriptionOf(typeof entry.prompt === 'string' ? entry.prompt : '') };
}

/** A batch entry is a Task input plus how soon it should start (`priority`, as `run --priority`). */
const batchEntrySchema = taskInputSchema.extend({ priority: taskPrioritySchema.optional() });

export interface BatchEntry {
  input: TaskInput;
  priority: number | undefined;
}

/**
 * Parses a batch file (JSON array or JSONL) into Task inputs, checking every entry before anything
 * runs: a bad entry is reported with its line or index and field, and nothing is started.
 */
export function parseBatch(text: string, source: string): BatchEntry[] {
  const trimmed = text.trim();
  if (!trimmed) throw new BatchInputError(`${source} is empty`);
  const entries: { where: string; value: unknown }[] = [];
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw new BatchInputError(`${source} is not valid JSON: ${(error as Error).message}`);
    }
    (parsed as unknown[]).forEach((value, i) => {
      entries.push({ where: `${source} entry ${i}`, value });
    });
  } else {
    text.split('\n').forEach((line, i) => {
      if (!line.trim()) return;
      try {
        entries.push({ where: `${source}:${i + 1}`, value: JSON.parse(line) });
      } catch (error) {
        throw new BatchInputError(`${source}:${i + 1} is not valid JSON: ${(error as Error).message}`);
      }
    });
  }
  const problems: string[] = [];
  const batch: BatchEntry[] = [];
  for (const { where, value } of entries) {
    const parsed = batchEntrySchema.safeParse(withDescription(value));
    if (parsed.success) {
      const { priority, ...input } = parsed.data;
      batch.push({ input, priority });
    } else
      problems.push(
        `${where}: ${parsed.error.issues.map((i) => `\`${i.path.join('.') || 'entry'}\` ${i.code === 'invalid_type' && i.input === undefined ? 'is required' : i.message}`).join(', ')}`,
      );
  }
  if (problems.length > 0) throw new BatchInputError(problems.join('\n  '));
  if (batch.length === 0) throw new BatchInputError(`${source} has no tasks`);
  return batch;
}
