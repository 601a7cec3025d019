import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CodexTaskError } from '../errors/index.ts';
import type { Fault, Script, ScriptedReply, ScriptPattern } from './types.ts';

/** A script that cannot be used; names the file (when there is one) and the offending field. */
export class ScriptError extends CodexTaskError<{ file: string | undefined; field: string | undefined }> {
  constructor(message: string, file?: string, field?: string) {
    super(
      'Script',
      [file, field, message].filter(Boolean).join(': '),
      'A script is { rules: [{ when?: {system,user,toolResult,turn,model,tool}, reply }], default?, latencyMs?, faults? }.',
      { details: { file, field } },
    );
  }

  get file(): string | undefined {
    return this.details.file;
  }

  get field(): string | undefined {
    return this.details.field;
  }
}

/** `/pattern/flags` or a bare pattern. Stateful flags are dropped: a rule is tested many times. */
export function toRegExp(pattern: ScriptPattern): RegExp {
  if (pattern instanceof RegExp) return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
  const literal = /^\/(.+)\/([a-z]*)$/s.exec(pattern);
  return literal ? new RegExp(literal[1]!, literal[2]!.replace(/[gy]/g, '')) : new RegExp(pattern);
}

const pattern = z.union([z.string(), z.instanceof(RegExp)]).superRefine((value, ctx) => {
  try {
    toRegExp(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `not a valid regular expression (${(error as Error).message})` });
  }
});

const millis = z.number().nonnegative();

const faultSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('status'),
    status: z.number().int().min(400).max(599),
    retryAfterSeconds: millis.optional(),
    retryAfterMs: millis.optional(),
    body: z.unknown().optional(),
  }),
  z.strictObject({ kind: z.literal('reset') }),
  z.strictObject({ kind: z.literal('cut'), afterEvents: z.number().int().nonnegative() }),
  z.strictObject({ kind: z.literal('malformed') }),
  z.strictObject({ kind: z.literal('hang') }),
]) satisfies z.ZodType<Fault>;

const replySchema = z.strictObject({
  text: z.string().optional(),
  webSearch: z
    .strictObject({
      query: z.string(),
      results: z.array(
        z.strictObject({ url: z.string(), title: z.string(), snippet: z.string().optional() }),
      ),
    })
    .optional(),
  toolCalls: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        input: z.unknown().optional(),
        id: z.string().optional(),
        kind: z.enum(['function', 'custom', 'tool_search']).optional(),
        namespace: z.string().min(1).optional(),
      }),
    )
    .optional(),
  latencyMs: millis.optional(),
  chunkDelayMs: millis.optional(),
  usage: z
    .strictObject({
      inputTokens: z.number().int().nonnegative().optional(),
      outputTokens: z.number().int().nonnegative().optional(),
      cachedInputTokens: z.number().int().nonnegative().optional(),
      cacheWriteTokens: z.number().int().nonnegative().optional(),
    })
    .optional(),
  fault: faultSchema.optional(),
}) satisfies z.ZodType<ScriptedReply>;

/** Strict objects throughout: a misspelt key (`usr:`) is an error, not a rule that matches everything. */
export const scriptSchema = z.strictObject({
  rules: z.array(
    z.strictObject({
      when: z
        .strictObject({
          system: pattern.optional(),
          user: pattern.optional(),
          toolResult: pattern.optional(),
          turn: z.number().int().nonnegative().optional(),
          model: pattern.optional(),
          tool: pattern.optional(),
        })
        .optional(),
      reply: z.union([replySchema, z.array(replySchema).min(1)]),
    }),
  ),
  default: replySchema.optional(),
  latencyMs: millis.optional(),
  faults: z
    .strictObject({
      rate: z.number().min(0).max(1),
      kinds: z.array(faultSchema).min(1),
      seed: z.number().int().optional(),
    })
    .optional(),
}) satisfies z.ZodType<Script>;

/** Validates a script given in code or read from a file; `file` only labels the error. */
export function parseScript(value: unknown, file?: string): Script {
  const result = scriptSchema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map(specific);
  const fields = issues.map((issue) => fieldPath(issue.path) || '(root)');
  const message = issues
    .map((issue, i) => (i === 0 ? issue.message : `${fields[i]}: ${issue.message}`))
    .join('; ');
  throw new ScriptError(message, file, fields[0]);
}

type Issue = { path: PropertyKey[]; message: string; code?: string; errors?: Issue[][] };

/**
 * zod reports a failed union (`reply: one | list`, a fault's `kind`) as "Invalid input" at the
 * union; the branch that got furthest names the field a person actually got wrong.
 */
function specific(issue: Issue): Issue {
  if (issue.code !== 'invalid_union' || !issue.errors?.length) return issue;
  let best: Issue | undefined;
  for (const branch of issue.errors) {
    const first = branch[0] && specific(branch[0]);
    if (first && (!best || first.path.length > best.path.length)) best = first;
  }
  return best && best.path.length > 0 ? { ...best, path: [...issue.path, ...best.path] } : issue;
}

/** Reads a JSON or YAML script (by extension; anything else is read as YAML, a superset of JSON). */
export async function loadScript(path: string): Promise<Script> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ScriptError(`cannot read script (${(error as Error).message})`, path);
  }
  let value: unknown;
  try {
    value = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ScriptError(
      `not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'} (${(error as Error).message})`,
      path,
    );
  }
  return parseScript(value, path);
}

/** `rules[2].when.user`, as a person would write it. */
function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path)
    out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out;
}
