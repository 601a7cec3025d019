import { type TaskInput, taskInputSchema } from '../engine/index.ts';
import { CodexTaskError } from '../errors/index.ts';

export class BatchInputError extends CodexTaskError {
  constructor(message: string) {
    super(
      'BatchInput',
      message,
      'A batch is a JSON array or JSONL of { "subagent_type": "…", "description": "…", "prompt": "…", "model"?: "…" }.',
    );
  }
}

/**
 * Parses a batch file (JSON array or JSONL) into Task inputs, checking every entry before anything
 * runs: a bad entry is reported with its line or index and field, and nothing is started.
 */
export function parseBatch(text: string, source: string): TaskInput[] {
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
  const inputs: TaskInput[] = [];
  for (const { where, value } of entries) {
    const parsed = taskInputSchema.safeParse(value);
    if (parsed.success) inputs.push(parsed.data);
    else
      problems.push(
        `${where}: ${parsed.error.issues.map((i) => `\`${i.path.join('.') || 'entry'}\` ${i.message}`).join(', ')}`,
      );
  }
  if (problems.length > 0) throw new BatchInputError(problems.join('\n  '));
  if (inputs.length === 0) throw new BatchInputError(`${source} has no tasks`);
  return inputs;
}
